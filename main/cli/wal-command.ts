import { formatLsn, parseLsn, type Lsn } from '../../shared/lsn';
import { toPgClientConfig } from '../connection';
import { openSqlClient } from '../monitor/sql-client';
import { parseDurationSetting } from '../connection/duration';
import { PhysicalStream, type WalServerInfo } from '../stream/physical-stream';
import { DEFAULT_WALSENDER_RESERVE, parseWalsenderReserve } from '../stream/walsender-reserve';
import { RecordEnricher } from '../wal/record-enricher';
import { RelationNames } from '../wal/relation-names';
import { toWalRecordJson } from '../wal/wal-json';
import { WalStatsWindow } from '../wal/wal-stats';
import { flag, parseArgs, usage, value } from './args';
import { settingsFrom } from './connect';
import { NdjsonWriter } from './ndjson-writer';
import type { CliIo } from './stream-command';

export const WAL_FLAGS = {
  booleans: ['stats', 'no-relations'],
  values: ['dsn', 'start', 'endpos', 'interval', 'walsender-reserve'],
} as const;

function lsnFlag(text: string | undefined, name: string): Lsn | undefined {
  if (text === undefined) return undefined;
  try {
    return parseLsn(text);
  } catch {
    throw usage(`--${name} ${JSON.stringify(text)} is not an LSN (expected X/X, e.g. 0/16B3748)`);
  }
}

/**
 * `walscope wal`: the physical WAL stream decoded, one NDJSON object per record (or, with
 * --stats, one aggregate per interval and a final one). No slot: the server keeps nothing for us.
 * Relation names come from a read-only SQL session on the same server.
 */
export async function walCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, WAL_FLAGS);
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
  const stats = flag(args, 'stats');
  // The physical stream holds a walsender: the same reserve as `stream` (default 20%, at least 2).
  const reserveText = value(args, 'walsender-reserve') ?? io.env['WALSCOPE_WALSENDER_RESERVE'];
  const walsenderReserve = reserveText
    ? parseWalsenderReserve(
        reserveText,
        value(args, 'walsender-reserve') ? '--walsender-reserve' : 'WALSCOPE_WALSENDER_RESERVE',
      )
    : DEFAULT_WALSENDER_RESERVE;
  const settings = settingsFrom(value(args, 'dsn'), io.env);
  const out = new NdjsonWriter(io.stdout);
  const sql = flag(args, 'no-relations') ? undefined : await openSqlClient(toPgClientConfig(settings));
  let info: WalServerInfo | undefined;
  let window = new WalStatsWindow();
  let failure: unknown;
  let stream: PhysicalStream | undefined;
  let outputBlocked = false;
  let serverEnd: Lsn | undefined;
  let decoded: Lsn | undefined;
  try {
    const dbOid = sql
      ? Number((await sql.query(`SELECT oid FROM pg_database WHERE datname = current_database()`)).rows[0]?.oid)
      : 0;
    const names = sql ? new RelationNames(async (q, p) => (await sql.query(q, p)).rows, dbOid) : undefined;
    const enricher = new RecordEnricher(
      names,
      (r) => {
        const json = toWalRecordJson(r, info!.major, names);
        if (stats) window.add(json);
        else if (!out.write(json)) outputBlocked = true;
      },
      (err) => {
        failure = err;
        void stream?.stop();
      },
    );
    stream = new PhysicalStream(
      {
        connection: toPgClientConfig(settings, { replication: 'physical' }),
        walsenderReserve,
        ...(startLsn !== undefined ? { startLsn } : {}),
        ...(endLsn !== undefined ? { endLsn } : {}),
      },
      {
        info: (i) => {
          info = i;
          io.stderr.write(
            `walscope: decoding WAL from ${formatLsn(i.startLsn)} (PostgreSQL ${i.major}, timeline ${i.timeline})\n`,
          );
        },
        // Backpressure: a full stdout or a full lookup queue pauses the socket.
        record: (r) => {
          decoded = r.endLsn;
          return enricher.push(r) && !outputBlocked;
        },
        serverEnd: (lsn) => {
          serverEnd = lsn;
        },
        gap: (g) => {
          io.stderr.write(`walscope: gap from ${formatLsn(g.from)} to ${formatLsn(g.to)}: ${g.reason}\n`);
          if (!stats) out.write({ type: 'gap', from: formatLsn(g.from), to: formatLsn(g.to), reason: g.reason });
        },
      },
    );
    // How far behind the server the decoder is: a decoder that cannot keep up says so, it does not grow.
    const lag = (): { serverLsn: string | null; behindBytes: number } => ({
      serverLsn: serverEnd !== undefined ? formatLsn(serverEnd) : null,
      behindBytes:
        serverEnd !== undefined && decoded !== undefined && serverEnd > decoded ? Number(serverEnd - decoded) : 0,
    });
    out.onDrain = () => {
      outputBlocked = false;
      stream?.resume();
    };
    enricher.onIdle = () => {
      if (!outputBlocked) stream?.resume();
    };
    const onSignal = (): void => void stream?.stop();
    io.onSignal(onSignal);
    const timer = stats
      ? setInterval(() => {
          out.write({ type: 'stats', ...window.snapshot(), ...lag() });
          window = new WalStatsWindow();
        }, intervalMs)
      : undefined;
    try {
      await stream.run();
      await enricher.flushed();
      if (failure) throw failure;
      if (stats) out.write({ type: 'stats', ...window.snapshot(), ...lag() });
    } finally {
      if (timer) clearInterval(timer);
      io.offSignal(onSignal);
    }
  } finally {
    await out.close();
    await sql?.end().catch(() => undefined);
  }
  return 0;
}
