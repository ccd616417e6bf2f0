import net from 'node:net';
import pg from 'pg';
import { WalscopeError } from '../../shared/errors';
import { parseLsn, type Lsn } from '../../shared/lsn';
import {
  createReplicationSlotSql,
  dropReplicationSlotSql,
  identifySystemSql,
  quoteLiteral,
  readReplicationSlotSql,
  timelineHistorySql,
  type CreateSlotOptions,
} from '../protocol/commands';
import {
  parseCreateReplicationSlot,
  parseIdentifySystem,
  parseReadReplicationSlot,
  parseTimelineHistory,
  type CreateReplicationSlotResult,
  type IdentifySystemResult,
  type ReadReplicationSlotResult,
  type TimelineHistoryResult,
} from '../protocol/command-results';
import { parseDurationSetting } from '../connection/duration';
import { connectWithSslFallback, type WalscopeClientConfig } from '../connection/pg-config';
import { CopyBothChannel } from './copy-both-channel';
import { toWalscopeError } from './pg-errors';

/** `database` = logical walsender (also accepts SQL); `physical` = physical walsender. */
export type ReplicationKind = 'database' | 'physical';

export interface CommandRows {
  fields: string[];
  rows: (string | Buffer | null)[][];
}

/** Every value stays in the server's text form: parsing is ours, per column, with typed results. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

/**
 * One replication connection. `pg` does start-up, TLS, SCRAM and the simple-query round trips;
 * command results are parsed by main/protocol (tested without a server). Replication connections
 * accept only the simple query protocol, so there are no bind parameters: every identifier and
 * literal goes through the quoting helpers.
 * https://www.postgresql.org/docs/current/protocol-replication.html
 */
export class ReplicationConnection {
  private closed = false;
  private lastError: WalscopeError | undefined;

  private constructor(
    private readonly client: pg.Client,
    readonly kind: ReplicationKind,
    readonly serverVersionNum: number,
    readonly walSenderTimeoutMs: number,
  ) {
    // An error event with no listener would crash the process; keep it for the next call instead.
    client.on('error', (err: unknown) => {
      this.lastError = toWalscopeError(err);
    });
  }

  static async open(
    config: WalscopeClientConfig,
    kind: ReplicationKind,
    opts: { signal?: AbortSignal } = {},
  ): Promise<ReplicationConnection> {
    const replication = kind === 'database' ? 'database' : 'true';
    let versionNum = 0;
    let timeoutMs = 0;
    // Reading the two settings is part of connecting: a server that authenticates and then stalls
    // is bounded by the same connect timeout.
    const init = async (client: pg.Client): Promise<void> => {
      const version = await client.query({ text: 'SHOW server_version_num', rowMode: 'array', types: TEXT_TYPES });
      const timeout = await client.query({ text: 'SHOW wal_sender_timeout', rowMode: 'array', types: TEXT_TYPES });
      versionNum = Number((version.rows[0] as string[])[0]);
      timeoutMs = parseDurationSetting(String((timeout.rows[0] as string[])[0]));
    };
    try {
      const client = await connectWithSslFallback(
        (c) => new pg.Client(c),
        { ...config, replication } as WalscopeClientConfig,
        {
          ...opts,
          init,
        },
      );
      return new ReplicationConnection(client, kind, versionNum, timeoutMs);
    } catch (err) {
      throw toWalscopeError(err);
    }
  }

  /** Backend PID of this walsender (as in pg_stat_replication.pid). */
  get backendPid(): number {
    return (this.client as unknown as { processID: number }).processID;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async run(sql: string): Promise<CommandRows> {
    if (this.lastError) throw this.lastError;
    try {
      const res = await this.client.query({ text: sql, rowMode: 'array', types: TEXT_TYPES });
      return { fields: (res.fields ?? []).map((f) => f.name), rows: (res.rows ?? []) as (string | null)[][] };
    } catch (err) {
      throw toWalscopeError(err);
    }
  }

  async identifySystem(): Promise<IdentifySystemResult> {
    return parseIdentifySystem(await this.run(identifySystemSql()));
  }

  async timelineHistory(timeline: number): Promise<TimelineHistoryResult> {
    return parseTimelineHistory(await this.run(timelineHistorySql(timeline)));
  }

  async readReplicationSlot(name: string): Promise<ReadReplicationSlotResult> {
    return parseReadReplicationSlot(await this.run(readReplicationSlotSql(name, this.serverVersionNum)));
  }

  async createReplicationSlot(options: CreateSlotOptions): Promise<CreateReplicationSlotResult> {
    return parseCreateReplicationSlot(await this.run(createReplicationSlotSql(options, this.serverVersionNum)));
  }

  async dropReplicationSlot(name: string, wait: boolean): Promise<void> {
    await this.run(dropReplicationSlotSql(name, wait));
  }

  /**
   * A temporary copy of a logical slot, owned by this connection (dropped by the server when it
   * closes). The copy starts where the original is; streaming the copy never moves the original.
   * https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-REPLICATION
   */
  async copyLogicalSlotAsTemporary(source: string, copy: string): Promise<{ confirmedFlush: Lsn | null }> {
    if (this.kind !== 'database') {
      throw new WalscopeError({ code: 'UNSUPPORTED', message: 'copying a logical slot needs a database connection' });
    }
    await this.run(`SELECT pg_copy_logical_replication_slot(${quoteLiteral(source)}, ${quoteLiteral(copy)}, true)`);
    const res = await this.run(
      `SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ${quoteLiteral(copy)}`,
    );
    const text = res.rows[0]?.[0];
    return { confirmedFlush: typeof text === 'string' ? parseLsn(text) : null };
  }

  /** Issues START_REPLICATION and hands the CopyBoth stream to the caller. */
  startCopyBoth(sql: string): CopyBothChannel {
    if (this.lastError) throw this.lastError;
    return new CopyBothChannel(this.client, sql);
  }

  /**
   * Cancels the command in progress (e.g. CREATE_REPLICATION_SLOT waiting for open transactions)
   * with a CancelRequest on a separate connection, as libpq's PQcancel does.
   * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS
   */
  async cancel(): Promise<void> {
    const c = this.client as unknown as { processID: number; secretKey: number; host: string; port: number };
    const frame = Buffer.alloc(16);
    frame.writeInt32BE(16, 0);
    frame.writeInt32BE(80877102, 4);
    frame.writeInt32BE(c.processID, 8);
    frame.writeInt32BE(c.secretKey, 12);
    await new Promise<void>((resolve) => {
      // A host starting with '/' is a Unix socket directory, as in libpq (the demo database).
      const socket = c.host.startsWith('/')
        ? net.connect(`${c.host}/.s.PGSQL.${c.port}`, () => socket.end(frame))
        : net.connect(c.port, c.host, () => socket.end(frame));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }

  /** Drops the socket without a goodbye: used when the server stopped answering. */
  destroy(): void {
    this.closed = true;
    const stream = (this.client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream;
    stream.destroy();
  }
}
