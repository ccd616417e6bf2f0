import { formatLsn, type Lsn } from '../../shared/lsn';
import type pg from 'pg';
import { toPgClientConfig, type ConnectionSettings } from '../connection';
import { openSqlClient } from '../monitor/sql-client';
import { parseDurationSetting } from '../connection/duration';
import { PhysicalStream, type PhysicalStreamHandlers, type WalServerInfo } from '../stream/physical-stream';
import type { WalsenderReserve } from '../stream/walsender-reserve';
import { RecordEnricher } from '../wal/record-enricher';
import { RelationNames } from '../wal/relation-names';
import { toWalRecordJson } from '../wal/wal-json';
import { WalStatsWindow } from '../wal/wal-stats';
import { flag, lsnFlag, parseArgs, walsenderReserveFlag, usage, value, type ParsedArgs } from './args';
import { settingsFrom } from './connect';
import { NdjsonWriter } from './ndjson-writer';
import type { CliIo } from './stream-command';

export const WAL_FLAGS = {
  booleans: ['stats', 'no-relations'],
  values: ['dsn', 'start', 'endpos', 'interval', 'walsender-reserve'],
} as const;

interface WalOptions {
  startLsn: Lsn | undefined;
  endLsn: Lsn | undefined;
  intervalMs: number;
  stats: boolean;
  walsenderReserve: WalsenderReserve;
}

function walOptions(args: ParsedArgs, env: NodeJS.ProcessEnv): WalOptions {
  const startLsn = lsnFlag(value(args, 'start'), 'start');
  const endLsn = lsnFlag(value(args, 'endpos'), 'endpos');
  let intervalMs = 10_000;
  if (value(args, 'interval') !== undefined) {
    try {
      intervalMs = parseDurationSetting(value(args, 'interval')!);
    } catch {
      throw usage('--interval takes a duration such as 10s or 1min');
    }
    if (!(intervalMs >= 100)) throw usage('--interval must be at least 100ms');
  }
  // The physical stream holds a walsender: the same reserve as `stream` (default 20%, at least 2).
  const walsenderReserve = walsenderReserveFlag(args, env);
  return {
    startLsn,
    endLsn,
    intervalMs,
    stats: flag(args, 'stats'),
    walsenderReserve,
  };
}

/**
 * `walscope wal`: the physical WAL stream decoded, one NDJSON object per record (or, with
 * --stats, one aggregate per interval and a final one). No slot: the server keeps nothing for us.
 * Relation names come from a read-only SQL session on the same server.
 */
export async function walCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, WAL_FLAGS);
  const opts = walOptions(args, io.env);
  const settings = settingsFrom(value(args, 'dsn'), io.env);
  const out = new NdjsonWriter(io.stdout);
  const sql = flag(args, 'no-relations') ? undefined : await openSqlClient(toPgClientConfig(settings));
  try {
    const names = sql ? await relationNames(sql) : undefined;
    await new WalDump(opts, settings, names, out, io).run();
  } finally {
    await out.close();
    await sql?.end().catch(() => undefined);
  }
  return 0;
}

async function relationNames(sql: pg.Client): Promise<RelationNames> {
  const dbOid = Number(
    (await sql.query(`SELECT oid FROM pg_database WHERE datname = current_database()`)).rows[0]?.oid,
  );
  return new RelationNames(async (q, p) => (await sql.query(q, p)).rows, dbOid);
}

/** One run of `walscope wal`: the stream, the enricher between it and stdout, and the stats window. */
class WalDump {
  private info: WalServerInfo | undefined;
  private window = new WalStatsWindow();
  private failure: unknown;
  private outputBlocked = false;
  private serverEnd: Lsn | undefined;
  private decoded: Lsn | undefined;
  private readonly enricher: RecordEnricher;
  private readonly stream: PhysicalStream;

  constructor(
    private readonly opts: WalOptions,
    settings: ConnectionSettings,
    names: RelationNames | undefined,
    private readonly out: NdjsonWriter,
    private readonly io: CliIo,
  ) {
    this.enricher = new RecordEnricher(
      names,
      (r) => {
        const json = toWalRecordJson(r, this.info!.major, names);
        if (opts.stats) this.window.add(json);
        else if (!out.write(json)) this.outputBlocked = true;
      },
      (err) => {
        this.failure = err;
        void this.stream.stop();
      },
    );
    this.stream = new PhysicalStream(
      {
        connection: toPgClientConfig(settings, { replication: 'physical' }),
        walsenderReserve: opts.walsenderReserve,
        ...(opts.startLsn !== undefined ? { startLsn: opts.startLsn } : {}),
        ...(opts.endLsn !== undefined ? { endLsn: opts.endLsn } : {}),
      },
      this.streamHandlers(),
    );
  }

  private streamHandlers(): PhysicalStreamHandlers {
    const { io, out } = this;
    return {
      info: (i) => {
        this.info = i;
        io.stderr.write(
          `walscope: decoding WAL from ${formatLsn(i.startLsn)} (PostgreSQL ${i.major}, timeline ${i.timeline})\n`,
        );
      },
      // Backpressure: a full stdout or a full lookup queue pauses the socket.
      record: (r) => {
        this.decoded = r.endLsn;
        return this.enricher.push(r) && !this.outputBlocked;
      },
      serverEnd: (lsn) => {
        this.serverEnd = lsn;
      },
      gap: (g) => {
        io.stderr.write(`walscope: gap from ${formatLsn(g.from)} to ${formatLsn(g.to)}: ${g.reason}\n`);
        if (!this.opts.stats)
          out.write({ type: 'gap', from: formatLsn(g.from), to: formatLsn(g.to), reason: g.reason });
      },
    };
  }

  /** How far behind the server the decoder is: a decoder that cannot keep up says so, it does not grow. */
  private lag(): { serverLsn: string | null; behindBytes: number } {
    const { serverEnd, decoded } = this;
    return {
      serverLsn: serverEnd !== undefined ? formatLsn(serverEnd) : null,
      behindBytes:
        serverEnd !== undefined && decoded !== undefined && serverEnd > decoded ? Number(serverEnd - decoded) : 0,
    };
  }

  private writeStats(): void {
    this.out.write({ type: 'stats', ...this.window.snapshot(), ...this.lag() });
  }

  async run(): Promise<void> {
    this.out.onDrain = () => {
      this.outputBlocked = false;
      this.stream.resume();
    };
    this.enricher.onIdle = () => {
      if (!this.outputBlocked) this.stream.resume();
    };
    const onSignal = (): void => void this.stream.stop();
    this.io.onSignal(onSignal);
    const timer = this.opts.stats
      ? setInterval(() => {
          this.writeStats();
          this.window = new WalStatsWindow();
        }, this.opts.intervalMs)
      : undefined;
    try {
      await this.stream.run();
      await this.enricher.flushed();
      if (this.failure) throw this.failure;
      if (this.opts.stats) this.writeStats();
    } finally {
      if (timer) clearInterval(timer);
      this.io.offSignal(onSignal);
    }
  }
}
