/**
 * `npm run bench:ui` (`-- --quick`): the renderer under load, in Debian's Chromium against serve
 * mode and a real PostgreSQL 18.
 * - commit→visible latency: a writer stamps rows with clock_timestamp(); the page records when
 *   each stamped row is rendered (p50/p95/p99) at 100, 1,000 and 5,000 transactions/s;
 * - 20,000 changes/s: requestAnimationFrame deltas (p50/p95/p99), filter-box input latency
 *   (keystroke → next painted frame showing the filtered list), JS heap at start and end.
 * Results are appended to docs/BENCHMARKS.md between markers.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import type { PgServer } from '../test/support/postgres';
import { processCpuSeconds, startUiHarness } from './ui-harness';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const LATENCY_SECONDS = quick ? 5 : 20;
const LOAD_SECONDS = quick ? 10 : 60;

const pct = (xs: number[], p: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** Writes `txPerSec` single-row (or `rowsPerTx`-row) transactions per second for `seconds`. */
async function writer(server: PgServer, txPerSec: number, rowsPerTx: number, seconds: number): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: 4 }, async () => {
      const c = new pg.Client({
        host: server.host,
        port: server.port,
        user: server.user,
        password: server.password,
        database: 'postgres',
      });
      await c.connect();
      return c;
    }),
  );
  let sent = 0;
  const end = Date.now() + seconds * 1000;
  const tick = 20;
  const perTick = (txPerSec * tick) / 1000;
  let carry = 0;
  while (Date.now() < end) {
    const started = Date.now();
    carry += perTick;
    const n = Math.floor(carry);
    carry -= n;
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const c = clients[i % clients.length]!;
      jobs.push(
        c.query(`INSERT INTO load (ts, pad) SELECT clock_timestamp()::text, 'x' FROM generate_series(1, ${rowsPerTx})`),
      );
      sent++;
    }
    await Promise.all(jobs);
    const wait = tick - (Date.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(clients.map((c) => c.end()));
  return sent;
}

async function openStream(page: Page, url: string, dsn: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('DSN').fill(dsn);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByTestId('session-label').waitFor();
  await page.getByRole('tab', { name: 'Stream' }).click();
  await page.getByLabel('Source', { exact: true }).selectOption({ label: 'Live tail (temporary slot)' });
  await page.getByLabel('Plugin', { exact: true }).selectOption('pgoutput');
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByTestId('stream-state').filter({ hasText: 'streaming' }).waitFor();
}

/**
 * In the page: record, for each rendered insert row, now − its ts column. Row elements are reused
 * as the tail moves (keyed by slot), so a row appears as new text and a new data-testid on an
 * existing element as well as a new element.
 */
const LATENCY_PROBE = `(() => {
  window.__lat = [];
  const seen = new Set();
  const list = document.querySelector('.stream-list');
  new MutationObserver(() => {
    const now = Date.now();
    for (const row of list.querySelectorAll('[data-type="insert"]')) {
      const key = row.getAttribute('data-testid');
      if (seen.has(key)) continue;
      seen.add(key);
      const m = /ts=([0-9-]+ [0-9:.]+[+-][0-9]+)/.exec(row.textContent || '');
      if (m) window.__lat.push(now - Date.parse(m[1].replace(' ', 'T') + ':00'));
    }
  }).observe(list, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['data-testid'] });
})()`;

const FRAME_PROBE = `(() => {
  window.__frames = [];
  let last = performance.now();
  const loop = (t) => { window.__frames.push(t - last); last = t; if (window.__framesOn) requestAnimationFrame(loop); };
  window.__framesOn = true;
  requestAnimationFrame(loop);
})()`;

const MAX_SECONDS = quick ? 10 : 30;

/** The view while the writer goes as fast as this server takes it. */
async function maxRate(
  browser: Browser,
  url: string,
  server: PgServer,
  serveCpu: () => number,
): Promise<{
  rowsPerSec: number;
  frames: number[];
  latency: number[];
  received: string;
  dropped: string;
  serveCores: number;
  backlog: Backlog;
}> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await openStream(page, url, server.dsn());
  await page.evaluate(LATENCY_PROBE);
  await page.evaluate(FRAME_PROBE);
  const cpu0 = serveCpu();
  const t0 = Date.now();
  const walBacklog = sampleWalsenderBacklog(server);
  // 10,000 tx/s of 100 rows is far beyond this machine: each 20 ms tick sends 200 transactions and
  // waits until all are acknowledged, so the server's own pace sets the rate.
  const sent = await writer(server, 10_000, 100, MAX_SECONDS);
  const seconds = (Date.now() - t0) / 1000;
  const backlog = await walBacklog.stop(seconds);
  const serveCores = (serveCpu() - cpu0) / seconds;
  await page.waitForTimeout(1000);
  await page.evaluate('window.__framesOn = false');
  const frames = ((await page.evaluate('window.__frames')) as number[]).slice(5);
  const latency = (await page.evaluate('window.__lat')) as number[];
  const received = await page.getByTestId('received-count').innerText();
  const dropped = await page.getByTestId('dropped-count').innerText();
  await page.close();
  return { rowsPerSec: (sent * 100) / seconds, frames, latency, received, dropped, serveCores, backlog };
}

/** Where a backlog sits while the view streams: in the walsender, or in serve's socket. */
interface Backlog {
  endMb: number;
  maxMb: number;
  walMbPerSec: number;
  /** The walsender's own CPU over the phase, in cores (from /proc/<pid>/stat). */
  walsenderCores: number;
  /** Bytes the kernel held for serve to read on its replication socket, 1 s samples (`ss`). */
  serveQueueKb: { median: number; max: number };
  /** Cores the whole machine kept busy over the phase (from /proc/stat). */
  machineBusyCores: number;
}

/** Busy and total CPU time of the machine so far, in clock ticks, from /proc/stat's first line. */
function machineTicks(): { busy: number; total: number } {
  const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const n = fields.map(Number);
  const idle = n[3]! + n[4]!; // idle + iowait
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0); // up to steal; guest time is inside user
  return { busy: total - idle, total };
}

/** Recv-Q of the established TCP socket whose local port is `port` (serve's end), in bytes. */
function receiveQueueOf(port: number): number {
  const out = execFileSync('ss', ['-tnH', 'state', 'established', `( sport = :${port} )`])
    .toString()
    .trim();
  return out ? Number(out.split(/\s+/)[0]) : 0;
}

/**
 * How far the walsender feeding serve is behind the WAL written (pg_current_wal_lsn − its
 * sent_lsn), once a second: rows cannot reach the page before the walsender sends them. To tell a
 * slow walsender from a slow reader, it also samples the bytes waiting in serve's socket (a
 * reader that keeps up leaves them near zero) and the walsender's CPU (a walsender near one core
 * is bound by its own work).
 */
function sampleWalsenderBacklog(server: PgServer): { stop(seconds: number): Promise<Backlog> } {
  const sql = `SELECT pg_current_wal_lsn()::text AS now,
      (SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn)) FROM pg_stat_replication
        WHERE application_name LIKE 'walscope%')::float8 AS behind`;
  const sample = async (): Promise<{ now: string; behind: number }> =>
    ((await server.query<{ now: string; behind: number | null }>(sql))[0] ?? { now: '0/0', behind: 0 }) as {
      now: string;
      behind: number;
    };
  const walsender = server
    .query<{ pid: number; port: number }>(
      `SELECT pid, client_port AS port FROM pg_stat_replication WHERE application_name LIKE 'walscope%' LIMIT 1`,
    )
    .then(([w]) => (w ? { ...w, cpu0: processCpuSeconds(w.pid), t0: performance.now() } : undefined));
  const first = sample();
  const ticks0 = machineTicks();
  let maxBytes = 0;
  const queue: number[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      maxBytes = Math.max(maxBytes, (await sample()).behind ?? 0);
      const w = await walsender;
      if (w) queue.push(receiveQueueOf(w.port));
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return {
    async stop(seconds) {
      on = false;
      await loop;
      const last = await sample();
      const w = await walsender;
      const walsenderCores = w ? (processCpuSeconds(w.pid) - w.cpu0) / ((performance.now() - w.t0) / 1000) : NaN;
      const [{ d }] = (await server.query<{ d: number }>(`SELECT pg_wal_lsn_diff($1, $2)::float8 AS d`, [
        last.now,
        (await first).now,
      ])) as [{ d: number }];
      const mb = (b: number): number => b / 1024 / 1024;
      const sorted = [...queue].sort((a, b) => a - b);
      const ticks1 = machineTicks();
      const cores = os.cpus().length;
      return {
        endMb: mb(last.behind ?? 0),
        maxMb: mb(Math.max(maxBytes, last.behind ?? 0)),
        walMbPerSec: mb(d) / seconds,
        walsenderCores,
        machineBusyCores: ((ticks1.busy - ticks0.busy) / (ticks1.total - ticks0.total)) * cores,
        serveQueueKb: {
          median: (sorted[Math.floor(sorted.length / 2)] ?? NaN) / 1024,
          max: (sorted[sorted.length - 1] ?? NaN) / 1024,
        },
      };
    },
  };
}

/** Commit → visible latency at 100, 1,000 and 5,000 single-row transactions/s: markdown table rows. */
async function latencyTable(browser: Browser, url: string, server: PgServer): Promise<string[]> {
  const lines = ['| load | rows rendered (sampled) | p50 ms | p95 ms | p99 ms |', '|---|---|---|---|---|'];
  for (const tps of [100, 1000, 5000]) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openStream(page, url, server.dsn());
    await page.evaluate(LATENCY_PROBE);
    await writer(server, tps, 1, LATENCY_SECONDS);
    await page.waitForTimeout(1000);
    const lat = (await page.evaluate('window.__lat')) as number[];
    lines.push(
      `| ${tps.toLocaleString('en-US')} single-row tx/s for ${LATENCY_SECONDS} s | ${lat.length} | ${pct(lat, 50).toFixed(0)} | ${pct(lat, 95).toFixed(0)} | ${pct(lat, 99).toFixed(0)} |`,
    );
    process.stderr.write(`bench:ui latency at ${tps} tx/s: p95 ${pct(lat, 95).toFixed(0)} ms\n`);
    await page.close();
  }
  return lines;
}

interface SustainedLoad {
  sent: number;
  frames: number[];
  inputLatencies: number[];
  heapStart: number;
  heapEnd: number;
  received: string;
  dropped: string;
  serveCores: number;
}

/** In the page: keystroke in the filter box → the second animation frame after it, in ms. */
const FILTER_INPUT_PROBE = `new Promise((resolve) => {
  const box = document.querySelector('input[aria-label="Filter text"]');
  const t0 = performance.now();
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  setter.call(box, box.value === '' ? 'x' : '');
  box.dispatchEvent(new Event('input', { bubbles: true }));
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
})`;

/** 20,000 changes/s for LOAD_SECONDS: frame times, five filter inputs spread over the run, heap, CPU. */
async function sustainedLoad(
  browser: Browser,
  url: string,
  server: PgServer,
  serveCpu: () => number,
): Promise<SustainedLoad> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await openStream(page, url, server.dsn());
  const heapStart = (await page.evaluate('performance.memory.usedJSHeapSize')) as number;
  await page.evaluate(FRAME_PROBE);
  const cpu0 = serveCpu();
  const t0 = Date.now();
  const load = writer(server, 200, 100, LOAD_SECONDS); // 20,000 changes/s in 100-row transactions
  const inputLatencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    await page.waitForTimeout((LOAD_SECONDS * 1000) / 7); // spreads the samples over the run
    inputLatencies.push((await page.evaluate(FILTER_INPUT_PROBE)) as number);
  }
  const sent = await load;
  const serveCores = (serveCpu() - cpu0) / ((Date.now() - t0) / 1000);
  await page.evaluate('window.__framesOn = false');
  const frames = ((await page.evaluate('window.__frames')) as number[]).slice(5);
  const heapEnd = (await page.evaluate('performance.memory.usedJSHeapSize')) as number;
  const received = await page.getByTestId('received-count').innerText();
  const dropped = await page.getByTestId('dropped-count').innerText();
  await page.close();
  return { sent, frames, inputLatencies, heapStart, heapEnd, received, dropped, serveCores };
}

type MaxRate = Awaited<ReturnType<typeof maxRate>>;

function uiReport(latencyLines: string[], load: SustainedLoad, max: MaxRate): string {
  const { frames, inputLatencies } = load;
  return `<!-- ui:start -->
## UI under load (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${quick ? ', quick' : ''})

Command: \`npm run bench:ui${quick ? ' -- --quick' : ''}\`. Debian Chromium (headless, software rendering) and serve mode on the same 2-core machine as the server and the writer.

Commit → visible (writer stamps \`clock_timestamp()\`; the page records when a stamped row is rendered; with follow-tail on, rows that scroll past between frames are never rendered, so this samples the rows that were):

${latencyLines.join('\n')}

20,000 changes/s (${load.sent.toLocaleString('en-US')} transactions of 100 rows over ${LOAD_SECONDS} s; ${load.received} rows received by the view, ${load.dropped} dropped in view):

| metric | value |
|---|---|
| frame time p50 / p95 / p99 | ${pct(frames, 50).toFixed(1)} / ${pct(frames, 95).toFixed(1)} / ${pct(frames, 99).toFixed(1)} ms (${frames.length} frames) |
| filter input → painted, median / max | ${pct(inputLatencies, 50).toFixed(0)} / ${Math.max(...inputLatencies).toFixed(0)} ms |
| JS heap start → end | ${(load.heapStart / 1024 / 1024).toFixed(1)} → ${(load.heapEnd / 1024 / 1024).toFixed(1)} MB (ring buffer holds at most 100,000 rows) |
| serve process CPU (\`walscope serve\` as its own process) | ${load.serveCores.toFixed(2)} cores |

The highest rate the writer gets out of this server (4 connections sending 100-row transactions as fast as they are acknowledged, ${MAX_SECONDS} s, with the view streaming): ${Math.round(max.rowsPerSec).toLocaleString('en-US')} changes/s.

| metric at that rate | value |
|---|---|
| frame time p50 / p95 / p99 | ${pct(max.frames, 50).toFixed(1)} / ${pct(max.frames, 95).toFixed(1)} / ${pct(max.frames, 99).toFixed(1)} ms (${max.frames.length} frames) |
| commit → visible p50 / p95 (rows rendered) | ${pct(max.latency, 50).toFixed(0)} / ${pct(max.latency, 95).toFixed(0)} ms (${max.latency.length}) |
| rows received / dropped in view | ${max.received} / ${max.dropped} |
| serve process CPU | ${max.serveCores.toFixed(2)} cores |
| walsender behind the WAL written, when the writer stopped / at most | ${max.backlog.endMb.toFixed(1)} / ${max.backlog.maxMb.toFixed(1)} MB (≈ ${(max.backlog.endMb / max.backlog.walMbPerSec).toFixed(1)} s of WAL at the ${max.backlog.walMbPerSec.toFixed(1)} MB/s written) |
| walsender's own CPU while the writer ran | ${max.backlog.walsenderCores.toFixed(2)} cores |
| the whole machine busy while the writer ran | ${max.backlog.machineBusyCores.toFixed(2)} of ${os.cpus().length} cores |
| bytes waiting in serve's replication socket, median / max of 1 s samples | ${max.backlog.serveQueueKb.median.toFixed(0)} / ${max.backlog.serveQueueKb.max.toFixed(0)} KB |
<!-- ui:end -->`;
}

/** Replaces the ui section of docs/BENCHMARKS.md (or adds it before the reading notes). */
function writeReport(report: string): void {
  const file = path.join(root, 'docs/BENCHMARKS.md');
  const doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const next = doc.includes('<!-- ui:start -->')
    ? doc.replace(/<!-- ui:start -->[\s\S]*<!-- ui:end -->/, report)
    : doc.replace('<!-- reading -->', `${report}\n\n<!-- reading -->`);
  fs.writeFileSync(file, next);
  process.stdout.write(report + '\n');
}

async function main(): Promise<void> {
  const { server, serve, servePid, browser, close } = await startUiHarness(
    'bench-ui',
    `CREATE TABLE load (id bigserial PRIMARY KEY, ts text, pad text); CREATE PUBLICATION load_pub FOR TABLE load`,
    {},
    { childServe: true },
  );
  const serveCpu = (): number => (servePid ? processCpuSeconds(servePid) : NaN);
  try {
    const latencyLines = await latencyTable(browser, serve.url, server);
    const load = await sustainedLoad(browser, serve.url, server, serveCpu);
    const max = await maxRate(browser, serve.url, server, serveCpu);
    writeReport(uiReport(latencyLines, load, max));
  } finally {
    await close();
  }
}

await main();
