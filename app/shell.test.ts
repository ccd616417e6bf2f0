import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMAND_NAMES, EVENTS, EVENT_NAMES, commandChannel } from '../shared/contract';
import { createDispatcher, type Handlers } from '../main/bridge/dispatcher';
import { bindIpc, type IpcMainLike } from './ipc';
import { APP_CSP, isTrustedSenderUrl, windowOptions } from './window-options';

const root = path.resolve(__dirname, '..');

describe('window security settings', () => {
  it('isolates, sandboxes and keeps Node out of the renderer', () => {
    const w = windowOptions('/app/out/preload/index.cjs', false).webPreferences!;
    expect(w).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
    expect(windowOptions('/p', true).webPreferences!.devTools).toBe(true);
  });
  it('has a CSP without unsafe-inline, eval or remote origins', () => {
    expect(APP_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(APP_CSP).toContain("script-src 'self'");
  });
  it('trusts only our own page', () => {
    expect(
      isTrustedSenderUrl('file:///opt/walscope/out/renderer/index.html', undefined, '/opt/walscope/out/renderer'),
    ).toBe(true);
    expect(isTrustedSenderUrl('file:///etc/passwd', undefined, '/opt/walscope/out/renderer')).toBe(false);
    expect(isTrustedSenderUrl('https://evil.example/', undefined, '/opt/walscope/out/renderer')).toBe(false);
    expect(isTrustedSenderUrl('http://localhost:5173/', 'http://localhost:5173', '/x')).toBe(true);
    expect(isTrustedSenderUrl('http://localhost:5174/', 'http://localhost:5173', '/x')).toBe(false);
    expect(isTrustedSenderUrl('not a url', undefined, '/x')).toBe(false);
  });
});

describe('IPC binding (no Electron: a fake ipcMain)', () => {
  const handlers = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
  const ipc: IpcMainLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) };
  const calls: string[] = [];
  const dispatcher = createDispatcher({
    'app.info': async () => {
      calls.push('info');
      return { version: 'x', contractVersion: 1, shell: 'electron', passwordStorage: 'unavailable', defaults: {} };
    },
  } as unknown as Handlers);
  const unbind = bindIpc(
    ipc,
    (id) => (id === 1 ? dispatcher : undefined),
    (url) => url.startsWith('file:///ok/'),
  );
  const call = (name: string, payload: unknown, url = 'file:///ok/index.html', sender = 1): Promise<unknown> =>
    handlers.get(commandChannel(name))!({ sender: { id: sender }, senderFrame: { url } }, payload);

  it('registers one handler per command', () => {
    expect([...handlers.keys()].sort()).toEqual(COMMAND_NAMES.map(commandChannel).sort());
  });
  it('rejects foreign frames before anything runs', async () => {
    expect(await call('app.info', {}, 'https://evil.example/')).toMatchObject({
      ok: false,
      error: { code: 'PRIVILEGE' },
    });
    expect(calls).toEqual([]);
  });
  it('validates payloads: malformed, extra keys and forged values are refused', async () => {
    expect(await call('app.info', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await call('slots.drop', { sessionId: 's', name: 'Bad Name', token: 't' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(await call('stream.start', { sessionId: 's', source: { kind: 'direct', slot: 'x' } })).toMatchObject({
      ok: false,
    });
    expect(await call('session.connect', 'not an object')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(await call('app.info', {})).toMatchObject({ ok: true });
    expect(await call('app.info', {}, 'file:///ok/index.html', 2)).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
    expect(await dispatcher.invoke('no.such.command', {})).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
  });
  it('unbinds cleanly', () => {
    unbind();
    expect(handlers.size).toBe(0);
  });
});

describe('IPC fuzz: forged payloads to every handler', () => {
  it('never throws, and only schema-valid payloads reach a handler', async () => {
    const reached: string[] = [];
    const stubs = Object.fromEntries(
      COMMAND_NAMES.map((n) => [
        n,
        async (r: unknown) => {
          // Whatever reaches a handler must have passed its schema.
          expect(COMMANDS[n].request.safeParse(r).success).toBe(true);
          reached.push(n);
          return {};
        },
      ]),
    ) as unknown as Handlers;
    const d = createDispatcher(stubs);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...COMMAND_NAMES, 'evil', '__proto__', 'constructor'),
        fc.jsonValue(),
        async (name, payload) => {
          const r = await d.invoke(name, payload);
          expect(typeof r.ok).toBe('boolean');
          if (!r.ok) expect(r.error.code).toBe('INVALID_ARGUMENT');
        },
      ),
      { numRuns: 2000 },
    );
    // Well-formed requests do get through (the fuzz above is not just rejecting everything).
    expect((await d.invoke('profiles.list', {})).ok).toBe(true);
    expect(reached).toContain('profiles.list');
  });
});

describe('contract name lists', () => {
  it('match the schemas', () => {
    expect([...COMMAND_NAMES].sort()).toEqual(Object.keys(COMMANDS).sort());
    expect([...EVENT_NAMES].sort()).toEqual(Object.keys(EVENTS).sort());
  });
});

describe('Electron build output (the runtime itself cannot run here)', () => {
  it('builds main as CommonJS and the sandboxed preload as ONE CommonJS file', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-build-'));
    execFileSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
      cwd: root,
      stdio: 'pipe',
      env: { ...process.env, WALSCOPE_OUT: out },
    });
    const preloadFiles = fs.readdirSync(path.join(out, 'preload'));
    expect(preloadFiles).toEqual(['index.cjs']);
    const preload = fs.readFileSync(path.join(out, 'preload/index.cjs'), 'utf8');
    expect(preload).not.toMatch(/^\s*import\s|\bexport\s/m);
    const requires = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(requires).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld("walscope"');
    const main = fs.readFileSync(path.join(out, 'main/index.cjs'), 'utf8');
    expect(main).toContain('require("electron")');
    expect(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).main).toBe('out/main/index.cjs');
    expect(fs.existsSync(path.join(out, 'renderer/index.html'))).toBe(true);
    fs.rmSync(out, { recursive: true, force: true });
  }, 120_000);
});
