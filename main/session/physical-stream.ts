import type pg from 'pg';
import type { Lsn } from '../../shared/lsn';
import { nowPgMicros } from '../../shared/pgtime';
import { parseServerCopyData } from '../protocol/copy-messages';
import { buildStandbyStatusUpdate, feedbackIntervalMs, statusFieldsFor } from '../protocol/feedback';
import { startPhysicalReplicationSql } from '../protocol/commands';
import { ReplicationConnection } from './replication-connection';
import type { CopyBothChannel } from './copy-both-channel';

export interface PhysicalStreamOptions {
  connection: pg.ClientConfig;
  /** Physical slot to stream from; without one the server keeps nothing for us. */
  slot?: string;
  startLsn?: Lsn;
  timeline?: number;
}

export interface PhysicalStreamHandlers {
  /** Raw WAL bytes starting at `walStart` (a view: copy to keep). */
  data(chunk: Buffer, walStart: Lsn): void;
}

/**
 * Physical WAL streaming (START_REPLICATION PHYSICAL), used to measure and show WAL flow. It is
 * an inspector too: flush and apply are reported as 0, so a physical slot's restart_lsn stays.
 */
export class PhysicalStream {
  private channel: CopyBothChannel | undefined;
  private received: Lsn = 0n;
  private stopped = false;

  constructor(
    private readonly options: PhysicalStreamOptions,
    private readonly handlers: PhysicalStreamHandlers,
  ) {}

  async run(): Promise<void> {
    const conn = await ReplicationConnection.open(this.options.connection, 'physical');
    let timer: NodeJS.Timeout | undefined;
    try {
      const id = await conn.identifySystem();
      const segment = await walSegmentSize(conn);
      // Streaming starts at a segment boundary, as pg_receivewal does.
      const from = this.options.startLsn ?? id.xlogpos;
      const start = from - (from % segment);
      this.received = start;
      const channel = conn.startCopyBoth(
        startPhysicalReplicationSql(this.options.slot, start, this.options.timeline ?? id.timeline),
      );
      this.channel = channel;
      const reply = (ping: boolean): void => {
        const fields = statusFieldsFor('inspect', { received: this.received, handedOn: 0n });
        channel.send(buildStandbyStatusUpdate(fields, nowPgMicros(), ping));
      };
      channel.onData((payload) => {
        const msg = parseServerCopyData(payload);
        if (msg.kind === 'keepalive') {
          if (msg.replyRequested) reply(false);
          return;
        }
        const end = msg.walStart + BigInt(msg.data.length);
        if (end > this.received) this.received = end;
        this.handlers.data(msg.data, msg.walStart);
      });
      timer = setInterval(() => reply(false), feedbackIntervalMs(conn.walSenderTimeoutMs));
      if (this.stopped) channel.end();
      await channel.done;
    } finally {
      if (timer) clearInterval(timer);
      await conn.close();
    }
  }

  get receivedLsn(): Lsn {
    return this.received;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.channel?.end();
  }
}

async function walSegmentSize(conn: ReplicationConnection): Promise<bigint> {
  const res = await conn.run('SHOW wal_segment_size');
  const text = String(res.rows[0]?.[0] ?? '16MB');
  const m = /^(\d+)\s*(kB|MB|GB)?$/.exec(text);
  const unit = m?.[2] === 'GB' ? 1024n ** 3n : m?.[2] === 'MB' ? 1024n ** 2n : m?.[2] === 'kB' ? 1024n : 1n;
  return m ? BigInt(m[1]!) * unit : 16n * 1024n * 1024n;
}
