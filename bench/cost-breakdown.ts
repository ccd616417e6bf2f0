/**
 * `npm run bench:cost` (`-- --quick`, `-- --reps=N`): where the CLI's CPU goes on the `npm run bench`
 * workload. Start-up alone (`--help`), connect + zero rows (`--endpos` at the workload's start), the
 * full run, and the full run with bench/gc-probe.mjs loaded (GC count and main-thread pause).
 * `-- --semi-space` instead compares V8 young-generation sizes against the default, in rounds
 * alternating the settings, both protocols. Prints markdown tables; writes no file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, type PgServer } from '../test/support/postgres';
import { benchSizes, cliStream, median, root, runTimed, totalRows, workload, type Sample } from './harness';

const quick = process.argv.includes('--quick');
const reps = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice(7) ?? 5);
const SIZES = benchSizes(quick ? 0.1 : 1);
const ROWS = totalRows(SIZES);
const PROBE = path.join(root, 'bench/gc-probe.mjs');

interface Ctx {
  dsn: string;
  slot: string;
  start: string;
  end: string;
}
interface Variant {
  name: string;
  /** Rows this variant streams (0: start-up or connection only). */
  rows: number;
  /** Needs its own copy of the source slot. */
  slot: boolean;
  probe: boolean;
  cmd(c: Ctx): string[];
}
interface Probe {
  count: number;
  pauseMs: number;
  minor: number;
  cpuMs: number;
  elu: number;
  newSpaceMb: number;
}
interface Run extends Sample {
  probe?: Probe;
}

/** Node flags go right after the executable, before bin/walscope.mjs. */
const withNodeFlags = (cmd: string[], flags: string[]): string[] => [cmd[0]!, ...flags, ...cmd.slice(1)];

function breakdownVariants(): Variant[] {
  const full = (proto1: boolean, probe: boolean): Variant => ({
    name: `full run${proto1 ? ' (proto 1)' : ' (default protocol)'}${probe ? ' + GC probe' : ''}`,
    rows: ROWS,
    slot: true,
    probe,
    cmd: (c) => cliStream(c.dsn, c.slot, c.end, proto1),
  });
  return [
    {
      name: 'start-up: walscope --help',
      rows: 0,
      slot: false,
      probe: false,
      cmd: () => [process.execPath, path.join(root, 'bin/walscope.mjs'), '--help'],
    },
    {
      name: 'connect + zero rows (endpos = workload start, proto 1)',
      rows: 0,
      slot: true,
      probe: false,
      cmd: (c) => cliStream(c.dsn, c.slot, c.start, true),
    },
    full(true, false),
    full(true, true),
    full(false, false),
    full(false, true),
  ];
}

function semiSpaceVariants(): Variant[] {
  const settings: [string, string[]][] = [
    ['default', []],
    ['--max-semi-space-size=16', ['--max-semi-space-size=16']],
    ['--max-semi-space-size=32', ['--max-semi-space-size=32']],
    ['--max-semi-space-size=64', ['--max-semi-space-size=64']],
    ['--min-semi-space-size=16', ['--min-semi-space-size=16']],
  ];
  return [true, false].flatMap((proto1) =>
    settings.map(([label, flags]) => ({
      name: `${label}, ${proto1 ? 'proto 1' : 'default protocol'}`,
      rows: ROWS,
      slot: true,
      probe: true,
      cmd: (c: Ctx) => withNodeFlags(cliStream(c.dsn, c.slot, c.end, proto1), flags),
    })),
  );
}

async function runOne(server: PgServer, v: Variant, ctx: Omit<Ctx, 'slot'>, slot: string): Promise<Run> {
  if (v.slot) await server.query(`SELECT pg_copy_logical_replication_slot('bench_src', $1)`, [slot]);
  const probeFile = path.join(os.tmpdir(), `walscope-gc-probe-${process.pid}-${slot}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env, PGPASSWORD: server.password };
  let cmd = v.cmd({ ...ctx, slot });
  if (v.probe) {
    env.WALSCOPE_GC_PROBE = probeFile;
    cmd = withNodeFlags(cmd, ['--import', PROBE]);
  }
  const s: Run = await runTimed(cmd, env);
  if (v.probe && fs.existsSync(probeFile)) {
    s.probe = JSON.parse(fs.readFileSync(probeFile, 'utf8')) as Probe;
    fs.rmSync(probeFile);
  }
  if (v.slot) await server.query(`SELECT pg_drop_replication_slot($1)`, [slot]).catch(() => undefined);
  return s;
}

/** `reps` rounds, the variants rotated each round. */
async function rounds(server: PgServer, variants: Variant[], ctx: Omit<Ctx, 'slot'>): Promise<Map<Variant, Run[]>> {
  const out = new Map<Variant, Run[]>(variants.map((v) => [v, []]));
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (k + r) % variants.length;
      const v = variants[i]!;
      const s = await runOne(server, v, ctx, `cost_${r}_${i}`);
      process.stderr.write(
        `cost: rep ${r + 1}/${reps} ${v.name}: ${s.ok ? `${s.cpuSeconds.toFixed(2)} s CPU, ${s.seconds.toFixed(2)} s wall, ${s.wakeups} voluntary switches` : s.error}\n`,
      );
      out.get(v)!.push(s);
    }
  }
  return out;
}

const f = (n: number, d: number): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—';
const spread = (xs: number[], d: number): string =>
  `${f(median(xs), d)} (${f(Math.min(...xs), d)}–${f(Math.max(...xs), d)})`;

function table(results: Map<Variant, Run[]>): string {
  const lines = [
    '| run | ok | CPU s (min–max) | CPU µs/row | wall s | voluntary switches | peak RSS MB | GCs (minor) | GC pause ms | GC pause share of CPU | new space MB at exit |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [v, all] of results) {
    const ok = all.filter((s) => s.ok);
    const cpu = ok.map((s) => s.cpuSeconds);
    const probes = ok.flatMap((s) => (s.probe ? [s.probe] : []));
    const gc = probes.length
      ? [
          `${f(median(probes.map((p) => p.count)), 0)} (${f(median(probes.map((p) => p.minor)), 0)})`,
          f(median(probes.map((p) => p.pauseMs)), 0),
          `${f(median(probes.map((p) => (p.pauseMs / p.cpuMs) * 100)), 1)} %`,
          f(median(probes.map((p) => p.newSpaceMb)), 1),
        ]
      : ['—', '—', '—', '—'];
    const perRow = v.rows ? f((median(cpu) / v.rows) * 1e6, 2) : '—';
    lines.push(
      `| ${v.name} | ${ok.length}/${all.length} | ${spread(cpu, 2)} | ${perRow} | ${f(median(ok.map((s) => s.seconds)), 2)} | ${f(median(ok.map((s) => s.wakeups)), 0)} | ${f(Math.max(...ok.map((s) => s.rssMb)), 0)} | ${gc.join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** The breakdown's differences: what each stage adds to the one before it. */
function stages(results: Map<Variant, Run[]>): string {
  const cpu = (prefix: string): number =>
    median(
      [...results]
        .find(([v]) => v.name.startsWith(prefix))![1]
        .filter((s) => s.ok)
        .map((s) => s.cpuSeconds),
    );
  const startup = cpu('start-up');
  const connect = cpu('connect');
  const lines = [
    `- Start-up: ${f(startup, 2)} s; connecting and reaching the end position with no rows adds ${f(connect - startup, 2)} s.`,
  ];
  for (const p of ['full run (proto 1)', 'full run (default protocol)']) {
    const whole = cpu(p);
    lines.push(
      `- ${p}: ${f(whole, 2)} s, of which ${f(((whole - connect) / ROWS) * 1e6, 2)} µs per row beyond start-up and connection (${f(((whole - connect) / whole) * 100, 0)} % of the run).`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const server = await startPostgres({
    name: 'bench-cost',
    settings: { logical_decoding_work_mem: '64kB', max_replication_slots: 40, max_wal_senders: 40 },
  });
  try {
    process.stderr.write(`cost: writing the workload (${ROWS} rows)…\n`);
    const { start, end } = await workload(server, SIZES);
    const semi = process.argv.includes('--semi-space');
    const results = await rounds(server, semi ? semiSpaceVariants() : breakdownVariants(), {
      dsn: server.dsn(),
      start,
      end,
    });
    process.stdout.write(
      `${semi ? 'V8 young generation' : 'CLI cost breakdown'}: ${ROWS.toLocaleString('en-US')} row changes, ${reps} rounds rotated, medians (peak RSS: maximum); CPU = user+sys of the process from /usr/bin/time; GC figures from bench/gc-probe.mjs (main-thread pauses).\n\n${table(results)}\n${semi ? '' : `\n${stages(results)}\n`}`,
    );
  } finally {
    await server.destroy();
  }
}

await main();
