/**
 * `npm run bench:exporter`: CPU and memory of `walscope exporter` per watched server. Starts up to
 * 10 real PostgreSQL servers (each with two logical slots and a physical one), runs the bundled
 * exporter against 1, 5 and 10 of them at a 15 s poll interval and at 1 s, scrapes /metrics at the
 * same interval, and reads the exporter's CPU time and RSS from /proc. Writes the table into
 * docs/EXPORTER.md between the bench markers. `-- --quick` shortens the windows (not for the docs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, cliBundleIsFresh } from '../bin/cli-bundle.mjs';
import { freePort } from '../main/net/free-port';
import { startPostgres, type PgServer } from '../test/support/postgres';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const SIZES = [1, 5, 10];
const RUNS: Array<{ intervalS: number; windowS: number }> = QUICK
  ? [
      { intervalS: 15, windowS: 30 },
      { intervalS: 1, windowS: 10 },
    ]
  : [
      { intervalS: 15, windowS: 90 },
      { intervalS: 1, windowS: 30 },
    ];
/** Clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on every Linux build Node supports). */
const TICKS = 100;

function procStat(pid: number): { cpuS: number; rssMb: number; hwmMb: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuS, rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

async function scrape(url: string): Promise<string> {
  return (await fetch(url)).text();
}

interface Row {
  servers: number;
  intervalS: number;
  cpuPct: number;
  cpuMsPerPoll: number;
  rssMb: number;
  hwmMb: number;
  pollMsMedian: number;
  series: number;
}

async function measure(servers: PgServer[], intervalS: number, windowS: number): Promise<Row> {
  const port = await freePort();
  const args = [path.join(ROOT, 'bin/walscope.mjs'), 'exporter', '--listen', `127.0.0.1:${port}`];
  args.push('--interval', `${intervalS}s`, '--timeout', `${Math.min(5, intervalS)}s`);
  servers.forEach((s, i) => args.push('--dsn', `db${i}=${s.dsn()}`));
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = `http://127.0.0.1:${port}/metrics`;
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('/metrics') && resolve());
      child.on('close', () => reject(new Error('exporter exited')));
    });
    // Warm up: every server polled at least twice, the JIT settled.
    await new Promise((r) => setTimeout(r, Math.max(2 * intervalS, 5) * 1000));
    const before = procStat(child.pid!);
    const t0 = Date.now();
    const polls: number[] = [];
    let last = '';
    while (Date.now() - t0 < windowS * 1000) {
      last = await scrape(url);
      for (const m of last.matchAll(/^walscope_scrape_duration_seconds\{[^}]*\} (\S+)$/gm))
        polls.push(Number(m[1]) * 1000);
      await new Promise((r) => setTimeout(r, intervalS * 1000));
    }
    const elapsedS = (Date.now() - t0) / 1000;
    const after = procStat(child.pid!);
    const up = [...last.matchAll(/^walscope_up\{[^}]*\} 1$/gm)].length;
    if (up !== servers.length) throw new Error(`only ${up}/${servers.length} servers up`);
    const cpu = after.cpuS - before.cpuS;
    const pollCount = (elapsedS / intervalS) * servers.length;
    polls.sort((a, b) => a - b);
    return {
      servers: servers.length,
      intervalS,
      cpuPct: (100 * cpu) / elapsedS,
      cpuMsPerPoll: (1000 * cpu) / pollCount,
      rssMb: after.rssMb,
      hwmMb: after.hwmMb,
      pollMsMedian: polls[Math.floor(polls.length / 2)] ?? NaN,
      series: last.split('\n').filter((l) => l && !l.startsWith('#')).length,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
}

function table(rows: Row[]): string {
  const head =
    '| servers | poll interval | exporter CPU % of one core | CPU ms per server poll | RSS MB | peak RSS MB | median poll ms | series served |\n|---|---|---|---|---|---|---|---|\n';
  return (
    head +
    rows
      .map(
        (r) =>
          `| ${r.servers} | ${r.intervalS} s | ${r.cpuPct.toFixed(2)} | ${r.cpuMsPerPoll.toFixed(1)} | ${r.rssMb.toFixed(0)} | ${r.hwmMb.toFixed(0)} | ${r.pollMsMedian.toFixed(1)} | ${r.series} |`,
      )
      .join('\n') +
    '\n'
  );
}

async function main(): Promise<void> {
  if (!cliBundleIsFresh()) await buildCli();
  const servers: PgServer[] = [];
  try {
    for (let i = 0; i < Math.max(...SIZES); i++) {
      const s = await startPostgres({ name: `bench-exp${i}`, settings: { max_replication_slots: 8 } });
      await s.query(`SELECT pg_create_logical_replication_slot('bench_a', 'pgoutput')`);
      await s.query(`SELECT pg_create_logical_replication_slot('bench_b', 'test_decoding')`);
      await s.query(`SELECT pg_create_physical_replication_slot('bench_phys', true)`);
      servers.push(s);
    }
    const rows: Row[] = [];
    for (const run of RUNS) {
      for (const n of SIZES) {
        const row = await measure(servers.slice(0, n), run.intervalS, run.windowS);
        console.log(JSON.stringify(row));
        rows.push(row);
      }
    }
    const version = (await servers[0]!.query<{ v: string }>('SELECT version() AS v'))[0]!.v.split(' on ')[0];
    const cpus = os.cpus();
    const section =
      `## Measured (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${QUICK ? ', --quick' : ''})\n\n` +
      `Machine: ${cpus.length} × ${cpus[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; ` +
      `${version} servers on the same machine, each with 2 logical slots and 1 physical slot, idle. ` +
      `Windows of ${RUNS.map((r) => `${r.windowS} s at ${r.intervalS} s`).join(', ')} after a warm-up; /metrics scraped once per interval; CPU = utime + stime of the exporter process from /proc.\n\n` +
      table(rows);
    const doc = path.join(ROOT, 'docs/EXPORTER.md');
    const text = fs.readFileSync(doc, 'utf8');
    const start = '<!-- bench:exporter:start -->';
    const end = '<!-- bench:exporter:end -->';
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a < 0 || b < a) throw new Error('docs/EXPORTER.md lacks the bench markers');
    fs.writeFileSync(doc, `${text.slice(0, a + start.length)}\n${section}${text.slice(b)}`);
    console.log(section);
  } finally {
    for (const s of servers) await s.destroy();
  }
}

await main();
