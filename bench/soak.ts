/**
 * `npm run soak` (`-- --minutes=N`, default 30): serve mode with the UI open in Chromium, a live
 * tail at ~2,000 changes/s and the lag poller running. Samples main's RSS/heap and the page's JS
 * heap every 10 s, fits a line (MB/hour) after a warm-up, and checks the server log for replication
 * timeouts (a missed keepalive reply). Results go into docs/BENCHMARKS.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import type { PgServer } from '../test/support/postgres';
import { startUiHarness } from './ui-harness';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const minutes = Number(process.argv.find((a) => a.startsWith('--minutes='))?.slice(10) ?? 30);

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

interface Sample {
  t: number;
  rss: number;
  heap: number;
  page: number;
}

/** 2,000 changes/s: 20 transactions of 10 rows every 100 ms, updates mixed in; stop() ends it. */
async function startLoad(server: PgServer): Promise<{ stop(): Promise<void> }> {
  const writer = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: 'postgres',
  });
  await writer.connect();
  let running = true;
  const load = (async () => {
    while (running) {
      const t0 = Date.now();
      await writer.query(`INSERT INTO soak (v, pad) SELECT g, repeat('p', 40) FROM generate_series(1, 150) g`);
      await writer.query(`UPDATE soak SET v = v + 1 WHERE id IN (SELECT id FROM soak ORDER BY id DESC LIMIT 50)`);
      const wait = 100 - (Date.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    async stop() {
      running = false;
      await load;
      await writer.end();
    },
  };
}

/** The UI connected to `server` with a live tail on a temporary slot, streaming. */
async function openLiveTail(browser: Browser, url: string, server: PgServer): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.getByLabel('DSN').fill(server.dsn());
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByRole('tab', { name: 'Stream' }).click();
  await page.getByLabel('Source', { exact: true }).selectOption({ label: 'Live tail (temporary slot)' });
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByTestId('stream-state').filter({ hasText: 'streaming' }).waitFor();
  return page;
}

/** Main's and the page's memory every 10 s for `minutes`. */
async function sampleMemory(page: Page): Promise<Sample[]> {
  const samples: Sample[] = [];
  const started = Date.now();
  while (Date.now() - started < minutes * 60_000) {
    await new Promise((r) => setTimeout(r, 10_000));
    global.gc?.();
    const m = process.memoryUsage();
    const pageHeap = (await page.evaluate('performance.memory.usedJSHeapSize')) as number;
    samples.push({
      t: (Date.now() - started) / 3_600_000,
      rss: m.rss / 1024 / 1024,
      heap: m.heapUsed / 1024 / 1024,
      page: pageHeap / 1024 / 1024,
    });
    process.stderr.write(
      `soak: ${((Date.now() - started) / 60_000).toFixed(1)} min rss ${samples.at(-1)!.rss.toFixed(0)} MB page ${samples.at(-1)!.page.toFixed(0)} MB\n`,
    );
  }
  return samples;
}

async function main(): Promise<void> {
  const { server, serve, browser, close } = await startUiHarness(
    'soak',
    `CREATE TABLE soak (id bigserial PRIMARY KEY, v int, pad text); CREATE PUBLICATION soak_pub FOR TABLE soak`,
    { wal_sender_timeout: '10s' },
  );
  // Its own statement: a slot cannot be created in a transaction that has written.
  await server.query(`SELECT pg_create_logical_replication_slot('soak_idle', 'pgoutput')`);
  const load = await startLoad(server);
  const page = await openLiveTail(browser, serve.url, server);
  const logStart = server.readLog().length;
  const samples = await sampleMemory(page);
  const received = await page.getByTestId('received-count').innerText();
  await load.stop();
  const log = server.readLog().slice(logStart);
  const timeouts = (log.match(/replication timeout/g) ?? []).length;
  await close();
  const report = soakReport(samples, received, timeouts);
  writeReport(report);
  process.stdout.write(report + '\n');
}

function soakReport(samples: Sample[], received: string, timeouts: number): string {
  // After the ring buffer has filled (100,000 rows ≈ 50 s at this rate), memory must be flat.
  const steady = samples.filter((s) => s.t * 60 > Math.min(5, minutes / 3));
  const x = steady.map((s) => s.t);
  return `<!-- soak:start -->
## Soak (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${minutes} min)

Command: \`npm run soak${minutes !== 30 ? ` -- --minutes=${minutes}` : ''}\`. Serve mode + Chromium, a live tail at ~2,000 changes/s, the lag poller at 1 s.
${received} rows received by the view. Memory slope after warm-up (least squares over ${steady.length} samples):

| process | first → last | slope |
|---|---|---|
| main RSS | ${steady[0]?.rss.toFixed(0)} → ${steady.at(-1)?.rss.toFixed(0)} MB | ${slope(
    x,
    steady.map((s) => s.rss),
  ).toFixed(1)} MB/hour |
| main JS heap | ${steady[0]?.heap.toFixed(0)} → ${steady.at(-1)?.heap.toFixed(0)} MB | ${slope(
    x,
    steady.map((s) => s.heap),
  ).toFixed(1)} MB/hour |
| renderer JS heap | ${steady[0]?.page.toFixed(0)} → ${steady.at(-1)?.page.toFixed(0)} MB | ${slope(
    x,
    steady.map((s) => s.page),
  ).toFixed(1)} MB/hour |

Replication timeouts in the server log (missed keepalive replies): ${timeouts}.
<!-- soak:end -->`;
}

function writeReport(report: string): void {
  const file = path.join(root, 'docs/BENCHMARKS.md');
  const doc = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(
    file,
    doc.includes('<!-- soak:start -->')
      ? doc.replace(/<!-- soak:start -->[\s\S]*<!-- soak:end -->/, report)
      : doc.replace('<!-- reading -->', `${report}\n\n<!-- reading -->`),
  );
}

await main();
