import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli } from '../support/cli';
import { builtRendererDir } from '../support/raw-http';
import { connectWs } from '../support/ws-client';

const BIN = path.resolve(__dirname, '../../bin/walscope.mjs');

// Issue 12: `--host 0.0.0.0` printed `http://0.0.0.0:…` and only a mild warning. Serve mode has no
// TLS, so a non-loopback bind needs an explicit opt-in, says what it means, and prints URLs that work.
describe('walscope serve on a non-loopback address', () => {
  let userData: string;
  let rendererDir: string;

  beforeAll(() => {
    rendererDir = builtRendererDir();
    userData = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-serve-listen-'));
  });
  afterAll(() => fs.rmSync(userData, { recursive: true, force: true }));

  it('refuses --host 0.0.0.0, :: and a LAN address without --insecure-listen, and serves nothing', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
      const r = await runCli(['serve', '--host', host, '--user-data', userData, '--renderer', rendererDir]);
      expect(r.code, host).toBe(2);
      expect(r.stderr).toMatch(/INVALID_ARGUMENT.*without --insecure-listen.*not a loopback address/);
      expect(r.stdout).toBe('');
    }
  });

  it('with --insecure-listen warns that the token is the only protection and prints a working URL per interface address', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--host', '0.0.0.0', '--insecure-listen', '--user-data', userData, '--renderer', rendererDir],
      { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      // The URLs are written in one piece, after the warning.
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no URL printed: ${out} ${err}`)), 60_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.endsWith('\n')) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      expect(err).toMatch(/warning: listening on 0\.0\.0\.0 without TLS/);
      expect(err).toMatch(/access token in the URL is the only protection/);
      const urls = [...out.matchAll(/WALscope is serving at (http:\/\/\S+)/g)].map((m) => new URL(m[1]!));
      const expected = Object.values(os.networkInterfaces())
        .flatMap((list) => list ?? [])
        .filter((a) => a.family === 'IPv4')
        .map((a) => a.address);
      expect(urls.map((u) => u.hostname).sort()).toEqual([...new Set(expected)].sort());
      expect(urls[0]!.hostname).toBe('127.0.0.1');
      for (const url of urls) {
        const token = /^#token=([\w-]+)$/.exec(url.hash)?.[1];
        expect(token, url.href).toBeDefined();
        const page = await fetch(url);
        expect(page.status, url.href).toBe(200);
        expect(await page.text()).toContain('<div id="root">');
        // The socket a browser on that address would open: Host and Origin are that address.
        const ws = await connectWs(`ws://${url.host}/ws?token=${token}`, { origin: url.origin });
        expect(await ws.invoke('app.info', {})).toMatchObject({ ok: true });
        await ws.close();
      }
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
