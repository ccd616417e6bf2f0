import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { startServe, type ServeHandle } from '../main/serve/serve';
import { ProfileStore } from '../main/sessions/profile-store';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/support/chromium';
import { startPostgres, type PgServer } from '../test/support/postgres';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface UiHarness {
  server: PgServer;
  serve: Pick<ServeHandle, 'url' | 'close'>;
  /** The serve process when it runs as its own process (`childServe`), for its CPU figures. */
  servePid: number | undefined;
  browser: Browser;
  close(): Promise<void>;
}

/** A PostgreSQL 18, serve mode on the built renderer, and Chromium with precise heap figures. */
export async function startUiHarness(
  name: string,
  setupSql: string,
  settings: Record<string, string> = {},
  opts: { childServe?: boolean } = {},
): Promise<UiHarness> {
  const server = await startPostgres({ name, settings });
  await server.query(setupSql);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `walscope-${name}-`));
  let servePid: number | undefined;
  const serve = opts.childServe
    ? await serveProcess(dataDir).then((p) => {
        servePid = p.pid;
        return p;
      })
    : await startServe({
        rendererDir: path.join(root, 'out', 'renderer'),
        profiles: new ProfileStore(path.join(dataDir, 'profiles.json'), undefined),
        demo: () => Promise.reject(new Error('benchmarks use their own server')),
        env: {},
      });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
  });
  return {
    server,
    serve,
    servePid,
    browser,
    async close() {
      await browser.close();
      await serve.close();
      await server.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `walscope serve` as its own process (the bundled CLI, as it ships), so its CPU is its own and
 * not the writer's or the harness's.
 */
async function serveProcess(dataDir: string): Promise<{ pid: number; url: string; close(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [path.join(root, 'bin/walscope.mjs'), 'serve', '--port', '0', '--user-data', dataDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving at (http:\/\/127\.0\.0\.1\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`walscope serve exited (${code}) before serving`)));
  });
  return {
    pid: child.pid!,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function processCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
