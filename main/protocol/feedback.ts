import type { Lsn } from '../../shared/lsn';
import type { PgMicros } from '../../shared/pgtime';
import { ByteReader } from './byte-reader';

/**
 * The one module that builds standby status updates ('r'). It never builds hot-standby feedback
 * ('h'): that would hold back VACUUM on the server being inspected.
 * https://www.postgresql.org/docs/current/protocol-replication.html#PROTOCOL-REPLICATION-STANDBY-STATUS-UPDATE
 * Why inspect mode reports flush = 0: docs/decisions/0002-inspect-feedback.md.
 */
export type FeedbackMode = 'inspect' | 'consume';

export interface StreamPositions {
  /** Highest LSN received (including a keepalive's WAL end between transactions). */
  received: Lsn;
  /** End of the last transaction fully handed downstream. */
  handedOn: Lsn;
}

export interface StatusFields {
  write: Lsn;
  flush: Lsn;
  apply: Lsn;
}

export function statusFieldsFor(mode: FeedbackMode, pos: StreamPositions): StatusFields {
  if (mode === 'consume') return { write: pos.received, flush: pos.handedOn, apply: pos.handedOn };
  return { write: pos.received, flush: 0n, apply: 0n };
}

const TAG = 0x72; // 'r'
const STATUS_UPDATE_LENGTH = 34;
const OFFSET_WRITE = 1;
const OFFSET_FLUSH = 9;
const OFFSET_APPLY = 17;
const OFFSET_CLOCK = 25;
const OFFSET_REPLY = 33;

export function buildStandbyStatusUpdate(fields: StatusFields, now: PgMicros, replyRequested = false): Buffer {
  const b = Buffer.alloc(STATUS_UPDATE_LENGTH);
  b[0] = TAG;
  b.writeBigUInt64BE(fields.write, OFFSET_WRITE);
  b.writeBigUInt64BE(fields.flush, OFFSET_FLUSH);
  b.writeBigUInt64BE(fields.apply, OFFSET_APPLY);
  b.writeBigInt64BE(now, OFFSET_CLOCK);
  b[OFFSET_REPLY] = replyRequested ? 1 : 0;
  return b;
}

export function parseStandbyStatusUpdate(buf: Buffer): StatusFields & { clock: PgMicros; replyRequested: boolean } {
  const r = new ByteReader(buf, 'standby status update', undefined, 0, buf.length, 'PROTOCOL');
  if (r.u8('message type') !== TAG) r.fail('message type', "expected 'r'", 0);
  const write = r.u64('write');
  const flush = r.u64('flush');
  const apply = r.u64('apply');
  const clock = r.i64('clock');
  const replyRequested = r.u8('replyRequested') === 1;
  r.expectEnd();
  return { write, flush, apply, clock, replyRequested };
}

/** min(10 s, wal_sender_timeout / 2); a disabled timeout (0) still gets 10 s; never below 100 ms. */
export function feedbackIntervalMs(walSenderTimeoutMs: number): number {
  if (!(walSenderTimeoutMs > 0)) return 10_000;
  return Math.max(100, Math.min(10_000, Math.floor(walSenderTimeoutMs / 2)));
}
