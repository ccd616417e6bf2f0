import { WalscopeError } from '../../shared/errors';
import type { Lsn } from '../../shared/lsn';
import { nowPgMicros } from '../../shared/pgtime';
import type { WalscopeClientConfig } from '../connection/pg-config';
import { parseServerCopyData } from '../protocol/copy-messages';
import { buildStandbyStatusUpdate, feedbackIntervalMs, statusFieldsFor } from '../protocol/feedback';
import { startPhysicalReplicationSql } from '../protocol/commands';
import { WalDecoder } from '../wal/wal-decoder';
import type { WalRecord } from '../wal/wal-record';
import type { CopyBothChannel } from './copy-both-channel';
import { ReplicationConnection } from './replication-connection';
import { openSqlClient } from '../monitor/sql-client';
import { refuseIfSynchronousCandidate } from './sync-standby';
import { checkWalsenderReserve, type WalsenderReserve } from './walsender-reserve';

export interface PhysicalStreamOptions {
  connection: WalscopeClientConfig;
  /** A physical slot to read through (its restart_lsn stays: flush is reported as 0); default none. */
  slot?: string;
  /** First record to hand on: the first that begins at or after it; default: the server's current position. */
  startLsn?: Lsn;
  /** Stop after the last record that begins before this LSN. */
  endLsn?: Lsn;
  /** Skip the synchronous_standby_names guard (tests only). */
  allowSynchronousMatch?: boolean;
  /** Refuse to start when fewer walsender slots would stay free for standbys; none if unset. */
  walsenderReserve?: WalsenderReserve;
}

export interface WalServerInfo {
  major: number;
  systemId: string;
  timeline: number;
  blockSize: number;
  segmentSize: number;
  /** Where decoding starts (records begin at or after it). */
  startLsn: Lsn;
}

export interface WalGap {
  from: Lsn;
  to: Lsn;
  reason: string;
}

export interface PhysicalStreamHandlers {
  info?(info: WalServerInfo): void;
  /** A decoded record; return false to pause reading until `resume()` (backpressure). */
  record(record: WalRecord): boolean | void;
  /** Positions that could not be read (the server had already removed their segment). */
  gap?(gap: WalGap): void;
  /** The server's WAL end from each keepalive: how far behind the decoder is. */
  serverEnd?(lsn: Lsn): void;
}

type RunResult = { kind: 'done' } | { kind: 'gap'; gap: WalGap };

export type PhysicalStreamOutcome = 'endpos' | 'stopped';

/**
 * Live WAL: START_REPLICATION PHYSICAL without a slot, so the server retains nothing for us, and
 * every record decoded by main/wal. Status updates are the inspector's (write = received,
 * flush = apply = 0); hot-standby feedback is never sent; a server whose
 * synchronous_standby_names could pick this connection is refused.
 */
export class PhysicalStream {
  private channel: CopyBothChannel | undefined;
  private received: Lsn = 0n;
  /** End of the last record handed on: where the next timeline resumes (undefined: none yet). */
  private handedEnd: Lsn | undefined;
  private stopped = false;
  private outcome: PhysicalStreamOutcome = 'stopped';

  constructor(
    private readonly options: PhysicalStreamOptions,
    private readonly handlers: PhysicalStreamHandlers,
  ) {}

  async run(): Promise<PhysicalStreamOutcome> {
    let start = this.options.startLsn;
    let resumedFrom: Lsn | undefined;
    for (;;) {
      const result = await this.runOnce(start);
      if (result.kind === 'done') {
        // Ended by the server, not by us: the end of a timeline (a promoted standby). Go on from
        // the last record on the timeline the server is on now, unless nothing came since the
        // previous time this happened (the server has nothing more to send).
        if (this.stopped || this.handedEnd === undefined || this.handedEnd === resumedFrom) return this.outcome;
        start = resumedFrom = this.handedEnd;
        continue;
      }
      this.handlers.gap?.(result.gap);
      start = result.gap.to;
    }
  }

  private async runOnce(requested: Lsn | undefined): Promise<RunResult> {
    const conn = await ReplicationConnection.open(this.options.connection, 'physical');
    try {
      const info = await this.prepare(conn, requested);
      this.handlers.info?.(info);
      if (this.stopped) return { kind: 'done' };
      return await this.streamFrom(conn, info);
    } finally {
      await conn.close();
    }
  }

  /** The safety checks, then what decoding needs to know about the server and where to start. */
  private async prepare(conn: ReplicationConnection, requested: Lsn | undefined): Promise<WalServerInfo> {
    if (!this.options.allowSynchronousMatch)
      await refuseIfSynchronousCandidate(conn, this.options.connection.application_name ?? '');
    // A physical walsender is a walsender like a standby's: counted with ours already held.
    if (requested === this.options.startLsn && this.options.walsenderReserve !== undefined)
      await this.checkReserve(this.options.walsenderReserve);
    const id = await conn.identifySystem();
    const blockSize = await sizeSetting(conn, 'wal_block_size');
    const segmentSize = await sizeSetting(conn, 'wal_segment_size');
    return {
      major: Math.floor(conn.serverVersionNum / 10000),
      systemId: id.systemId,
      timeline: id.timeline,
      blockSize,
      segmentSize,
      startLsn: requested ?? id.xlogpos,
    };
  }

  /** START_REPLICATION and decode until the copy ends; a removed start segment is a gap. */
  private async streamFrom(conn: ReplicationConnection, info: WalServerInfo): Promise<RunResult> {
    const decoder = new WalDecoder(info, (r) => this.onRecord(r));
    const streamStart = WalDecoder.streamStartFor(info.startLsn, info.blockSize);
    this.received = streamStart;
    const channel = conn.startCopyBoth(startPhysicalReplicationSql(this.options.slot, streamStart, info.timeline));
    this.channel = channel;
    const reply = (): void => {
      const fields = statusFieldsFor('inspect', { received: this.received, handedOn: 0n });
      channel.send(buildStandbyStatusUpdate(fields, nowPgMicros(), false));
    };
    channel.onData((payload) => this.onCopyData(payload, decoder, reply));
    const timer = setInterval(reply, feedbackIntervalMs(conn.walSenderTimeoutMs));
    try {
      await channel.done;
    } catch (err) {
      // The segment holding the start is gone: resume from the current position and say so.
      if (err instanceof WalscopeError && /has already been removed/.test(err.message) && !this.stopped) {
        const now = await currentPosition(this.options.connection);
        return { kind: 'gap', gap: { from: info.startLsn, to: now, reason: err.message } };
      }
      throw err;
    } finally {
      clearInterval(timer);
    }
    return { kind: 'done' };
  }

  private onCopyData(payload: Buffer, decoder: WalDecoder, reply: () => void): void {
    const msg = parseServerCopyData(payload);
    if (msg.kind === 'keepalive') {
      this.handlers.serverEnd?.(msg.walEnd);
      if (msg.replyRequested) reply();
      return;
    }
    const end = msg.walStart + BigInt(msg.data.length);
    if (end > this.received) this.received = end;
    this.handlers.serverEnd?.(msg.walEnd);
    if (this.stopped) return;
    decoder.push(msg.data, msg.walStart);
  }

  /**
   * A physical replication connection runs no SQL, so the count goes through a short read-only
   * session; our walsender is already listed (a replication connection is one from its start).
   */
  private async checkReserve(reserve: WalsenderReserve): Promise<void> {
    const sql = await openSqlClient(this.options.connection);
    try {
      await checkWalsenderReserve(
        async (text) => ({ rows: (await sql.query({ text, rowMode: 'array' })).rows as (string | null)[][] }),
        reserve,
        'starting the live WAL',
      );
    } finally {
      await sql.end().catch(() => undefined);
    }
  }

  private onRecord(record: WalRecord): void {
    const end = this.options.endLsn;
    if (end !== undefined && record.lsn >= end) {
      this.finish('endpos');
      return;
    }
    if (this.stopped) return;
    this.handedEnd = record.endLsn;
    if (this.handlers.record(record) === false) this.channel?.pause();
    if (end !== undefined && record.endLsn >= end) this.finish('endpos');
  }

  private finish(outcome: PhysicalStreamOutcome): void {
    if (this.stopped) return;
    this.outcome = outcome;
    this.stopped = true;
    this.channel?.resume();
    this.channel?.end();
  }

  /** Continues reading after a handler returned false. */
  resume(): void {
    this.channel?.resume();
  }

  get receivedLsn(): Lsn {
    return this.received;
  }

  async stop(): Promise<void> {
    this.finish('stopped');
  }
}

async function sizeSetting(conn: ReplicationConnection, name: 'wal_block_size' | 'wal_segment_size'): Promise<number> {
  const text = String((await conn.run(`SHOW ${name}`)).rows[0]?.[0] ?? '');
  const m = /^(\d+)\s*(B|kB|MB|GB)?$/.exec(text.trim());
  if (!m) throw new WalscopeError({ code: 'PROTOCOL', message: `unexpected ${name} ${JSON.stringify(text)}` });
  const unit = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[m[2] ?? 'B'] ?? 1;
  return Number(m[1]) * unit;
}

async function currentPosition(config: WalscopeClientConfig): Promise<Lsn> {
  const conn = await ReplicationConnection.open(config, 'physical');
  try {
    return (await conn.identifySystem()).xlogpos;
  } finally {
    await conn.close();
  }
}
