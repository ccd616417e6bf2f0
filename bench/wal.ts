/**
 * The WAL decoding lines of `npm run bench`, on a PostgreSQL 15 server (Debian's binaries, so
 * Debian's pg_waldump can read its pg_wal):
 * - throughput: `walscope wal --start X --endpos Y --no-relations` (streamed by the walsender,
 *   decoded, NDJSON to /dev/null) against `pg_waldump --stats=record` reading the same range from
 *   the local files (the C anchor), alternating, medians;
 * - keeping up: `walscope wal --stats --interval 200ms` attached while pgbench runs at full speed;
 *   WAL bytes/s produced against decoded, and the lag when pgbench stops.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { formatLsn, parseLsn } from '../shared/lsn';
import { binDirFor, startPostgres, type PgServer } from '../test/support/postgres';

export interface Timed {
  seconds: number;
  rssMb: number;
  cpuSeconds: number;
  ok: boolean;
  error?: string;
}
type RunTimed = (cmd: string[], env: NodeJS.ProcessEnv) => Promise<Timed>;

const BIN15 = binDirFor(15);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number, d = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—';

async function currentLsn(server: PgServer): Promise<bigint> {
  const [row] = await server.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`);
  return parseLsn(row!.lsn);
}

function pgbench(server: PgServer, args: string[]): string {
  return execFileSync(
    path.join(BIN15, 'pgbench'),
    ['-h', server.host, '-p', String(server.port), '-U', server.user, ...args, server.database],
    { env: { ...process.env, PGPASSWORD: server.password }, stdio: ['ignore', 'pipe', 'pipe'] },
  ).toString();
}

/** pgbench without blocking the event loop (the attached walscope's output must be read meanwhile). */
function pgbenchAsync(server: PgServer, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(BIN15, 'pgbench'),
      ['-h', server.host, '-p', String(server.port), '-U', server.user, ...args, server.database],
      { env: { ...process.env, PGPASSWORD: server.password }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pgbench failed: ${err}`))));
  });
}

export function walBenchAvailable(): boolean {
  return ['postgres', 'pg_waldump', 'pgbench'].every((p) => fs.existsSync(path.join(BIN15, p)));
}

interface WalBenchOptions {
  quick: boolean;
  reps: number;
  walscope: string[];
  runTimed: RunTimed;
}

/** The measured range: WAL pgbench wrote, kept in pg_wal by a physical slot. */
interface WalRange {
  start: bigint;
  end: bigint;
  mb: number;
  scale: number;
  seconds: number;
}

type Samples = Record<'walscope' | 'waldump', Timed[]>;

/** Both WAL lines as markdown. */
export async function walBench(opts: WalBenchOptions): Promise<string> {
  const server = await startPostgres({ major: 15, name: 'bench-wal', settings: { max_wal_size: '4GB' } });
  try {
    const env = { ...process.env, PGPASSWORD: server.password };
    const range = await writeWalRange(server, opts.quick);
    const samples = await timeReaders(server, range, opts, env);
    const keep = await keepUp(server, opts.walscope, env, range.seconds);
    return walReport(range, opts.reps, samples, keep);
  } finally {
    await server.destroy();
  }
}

async function writeWalRange(server: PgServer, quick: boolean): Promise<WalRange> {
  const scale = quick ? 2 : 10;
  const seconds = quick ? 5 : 20;
  process.stderr.write(`bench: pgbench -i -s ${scale} on PostgreSQL 15…\n`);
  pgbench(server, ['-i', '-q', '-s', String(scale)]);
  // Keeps every segment of the measured range in pg_wal, for pg_waldump and for the walsender.
  await server.query(`SELECT pg_create_physical_replication_slot('bench_wal_keep', true)`);
  await server.query('CHECKPOINT');
  const start = await currentLsn(server);
  pgbench(server, ['-T', String(seconds), '-c', '2', '-j', '2', '-n']);
  const end = await currentLsn(server);
  return { start, end, mb: Number(end - start) / 1024 / 1024, scale, seconds };
}

/** walscope and pg_waldump over the same range, `reps` times each, alternating which goes first. */
async function timeReaders(
  server: PgServer,
  range: WalRange,
  opts: WalBenchOptions,
  env: NodeJS.ProcessEnv,
): Promise<Samples> {
  const [s, e] = [formatLsn(range.start), formatLsn(range.end)];
  const waldump = [path.join(BIN15, 'pg_waldump'), '--stats=record', '-p', path.join(server.dataDir, 'pg_wal')];
  const commands = {
    waldump: [...waldump, '-s', s, '-e', e],
    walscope: [...opts.walscope, '--start', s, '--endpos', e, '--no-relations', '--dsn', server.dsn()],
  };
  const samples: Samples = { walscope: [], waldump: [] };
  for (let r = 0; r < opts.reps; r++) {
    for (const name of r % 2 ? (['waldump', 'walscope'] as const) : (['walscope', 'waldump'] as const)) {
      process.stderr.write(`bench: WAL rep ${r + 1}/${opts.reps} ${name}… `);
      const t = await opts.runTimed(commands[name], env);
      process.stderr.write(`${t.ok ? `${t.seconds.toFixed(2)} s` : `failed: ${t.error}`}\n`);
      samples[name].push(t);
    }
  }
  return samples;
}

function readerLine(name: string, xs: Timed[], mb: number, note: string): string {
  const ok = xs.filter((s) => s.ok);
  const secs = ok.map((s) => s.seconds);
  return `| ${name} | ${ok.length}/${xs.length} | ${fmt(median(secs), 2)} (${fmt(Math.min(...secs), 2)}–${fmt(Math.max(...secs), 2)}) | ${fmt(mb / median(secs), 1)} | ${fmt(median(ok.map((s) => s.cpuSeconds)), 2)} | ${fmt(Math.max(...ok.map((s) => s.rssMb)))} | ${note} |`;
}

function walReport(range: WalRange, reps: number, samples: Samples, keep: KeepUp): string {
  const { mb, seconds, scale } = range;
  return `### WAL decoding (PostgreSQL 15, pgbench)

Range: ${fmt(mb, 1)} MB of WAL written by \`pgbench -c 2 -j 2 -T ${seconds}\` at scale ${scale} (${formatLsn(range.start)} → ${formatLsn(range.end)}); ${reps} runs each, alternating; median (min–max).

| reader | runs | s | WAL MB/s | CPU s | peak RSS MB | what it does |
|---|---|---|---|---|---|---|
${readerLine('walscope wal --no-relations', samples.walscope, mb, 'streams the range from the walsender over a physical replication connection, decodes every record, NDJSON to /dev/null')}
${readerLine('pg_waldump --stats=record', samples.waldump, mb, 'C, reads the same segment files from the local pg_wal, per-record-type totals only (the anchor)')}

Keeping up: \`walscope wal --stats --interval 200ms\` (relation names on) attached while \`pgbench -c 2 -j 2 -T ${seconds}\` runs at full speed on the same machine:

| WAL produced | decoded while pgbench ran | lag when pgbench stopped | caught up (within a page) after |
|---|---|---|---|
| ${fmt(keep.producedMbPerSec, 1)} MB/s | ${fmt(keep.decodedMbPerSec, 1)} MB/s | ${fmt(keep.lagAtStopMb, 2)} MB | ${keep.catchUpSeconds === undefined ? 'not within 60 s' : `${fmt(keep.catchUpSeconds, 1)} s`} |
`;
}

interface KeepUp {
  producedMbPerSec: number;
  decodedMbPerSec: number;
  lagAtStopMb: number;
  catchUpSeconds: number | undefined;
}

async function keepUp(server: PgServer, walscope: string[], env: NodeJS.ProcessEnv, seconds: number): Promise<KeepUp> {
  // 200 ms windows: the decoded position is known to within one window.
  const child = spawn(walscope[0]!, [...walscope.slice(1), '--stats', '--interval', '200ms', '--dsn', server.dsn()], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let decodedTo = 0n;
  let decodedBytes = 0;
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const s = JSON.parse(buffered.slice(0, nl)) as { type: string; to?: string | null; bytes?: number };
      buffered = buffered.slice(nl + 1);
      if (s.type !== 'stats') continue;
      if (s.to) decodedTo = parseLsn(s.to);
      decodedBytes += s.bytes ?? 0;
    }
  });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('decoding WAL from')) resolve();
    });
    child.on('exit', () => reject(new Error(`walscope wal ended early: ${err}`)));
  });
  const from = await currentLsn(server);
  const bytesBefore = decodedBytes;
  const t0 = Date.now();
  await pgbenchAsync(server, ['-T', String(seconds), '-c', '2', '-j', '2', '-n']);
  const elapsed = (Date.now() - t0) / 1000;
  const stopAt = await currentLsn(server);
  const decodedDuring = decodedBytes - bytesBefore;
  const lagAtStop = stopAt > decodedTo ? Number(stopAt - decodedTo) : 0;
  const t1 = Date.now();
  let catchUpSeconds: number | undefined;
  while (Date.now() - t1 < 60_000) {
    // Within one WAL page: the insert position can sit past a page header no record has filled.
    if (decodedTo + 8192n >= stopAt) {
      catchUpSeconds = (Date.now() - t1) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGINT');
  await new Promise((r) => child.once('close', r));
  return {
    producedMbPerSec: Number(stopAt - from) / 1024 / 1024 / elapsed,
    decodedMbPerSec: decodedDuring / 1024 / 1024 / elapsed,
    lagAtStopMb: lagAtStop / 1024 / 1024,
    catchUpSeconds,
  };
}
