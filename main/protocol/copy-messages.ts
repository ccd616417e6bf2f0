import type { Lsn } from '../../shared/lsn';
import type { PgMicros } from '../../shared/pgtime';
import { ByteReader } from './byte-reader';

/**
 * Messages the server sends inside CopyData during streaming replication.
 * https://www.postgresql.org/docs/current/protocol-replication.html#PROTOCOL-REPLICATION-XLOGDATA
 */
export interface XLogData {
  kind: 'xlogdata';
  walStart: Lsn;
  walEnd: Lsn;
  sendTime: PgMicros;
  /** A view into the input buffer, not a copy. */
  data: Buffer;
}

export interface PrimaryKeepalive {
  kind: 'keepalive';
  walEnd: Lsn;
  sendTime: PgMicros;
  replyRequested: boolean;
}

export type ServerCopyMessage = XLogData | PrimaryKeepalive;

const XLOGDATA = 0x77; // 'w'
const KEEPALIVE = 0x6b; // 'k'
const XLOGDATA_HEADER = 25; // 'w' + 3 × Int64

export function parseServerCopyData(payload: Buffer): ServerCopyMessage {
  const r = new ByteReader(payload, 'CopyData', undefined, 0, payload.length, 'PROTOCOL');
  const tag = r.u8('message type');
  if (tag === XLOGDATA) {
    if (payload.length < XLOGDATA_HEADER) {
      r.fail('XLogData header', `needs ${XLOGDATA_HEADER} bytes, message has ${payload.length}`);
    }
    const walStart = r.u64('XLogData walStart');
    const walEnd = r.u64('XLogData walEnd');
    const sendTime = r.i64('XLogData sendTime');
    return { kind: 'xlogdata', walStart, walEnd, sendTime, data: payload.subarray(XLOGDATA_HEADER) };
  }
  if (tag === KEEPALIVE) {
    const walEnd = r.u64('keepalive walEnd');
    const sendTime = r.i64('keepalive sendTime');
    const reply = r.u8('keepalive replyRequested');
    r.expectEnd();
    return { kind: 'keepalive', walEnd, sendTime, replyRequested: reply === 1 };
  }
  return r.fail('message type', `unknown CopyData message 0x${tag.toString(16).padStart(2, '0')}`, 0);
}

/** What a logical stream reads of a CopyData: XLogData without walEnd and sendTime. */
export type LogicalCopyMessage = Pick<XLogData, 'kind' | 'walStart' | 'data'> | PrimaryKeepalive;

/**
 * `parseServerCopyData` for the logical stream's hot path: an XLogData's walStart and payload only
 * (two fewer bigints and no reader per message, once per row change); anything else, including
 * a short XLogData, goes through `parseServerCopyData` and its errors.
 */
export function parseLogicalCopyData(payload: Buffer): LogicalCopyMessage {
  if (payload[0] === XLOGDATA && payload.length >= XLOGDATA_HEADER) {
    return { kind: 'xlogdata', walStart: payload.readBigUInt64BE(1), data: payload.subarray(XLOGDATA_HEADER) };
  }
  return parseServerCopyData(payload);
}
