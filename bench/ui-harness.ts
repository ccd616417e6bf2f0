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
  serve: ServeHandle;
  browser: Browser;
  close(): Promise<void>;
}

/** A PostgreSQL 18, serve mode on the built renderer, and Chromium with precise heap figures. */
export async function startUiHarness(
  name: string,
  setupSql: string,
  settings: Record<string, string> = {},
): Promise<UiHarness> {
  const server = await startPostgres({ name, settings });
  await server.query(setupSql);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `walscope-${name}-`));
  const serve = await startServe({
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
    browser,
    async close() {
      await browser.close();
      await serve.close();
      await server.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
