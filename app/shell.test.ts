import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMAND_NAMES, CONTRACT_VERSION, EVENTS, EVENT_NAMES, commandChannel } from '../shared/contract';
import { createDispatcher, type Handlers } from '../main/bridge/dispatcher';
import { bindIpc, type IpcMainLike } from './ipc';
import { APP_CSP, META_CSP } from '../shared/csp';
import { isTrustedSender, windowOptions } from './window-options';

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
  it('has a <meta> form of the same CSP without the header-only frame-ancestors', () => {
    expect(META_CSP).toBe(APP_CSP.replace("; frame-ancestors 'none'", ''));
  });
  it('writes the CSP in one place: no other source spells out a policy', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) walk(rel);
        else if (/\.(ts|tsx|html)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) {
          if (/script-src/.test(fs.readFileSync(path.join(root, rel), 'utf8'))) offenders.push(rel);
        }
      }
    };
    for (const dir of ['app', 'main', 'renderer', 'shared']) walk(dir);
    expect(offenders).toEqual([path.join('shared', 'csp.ts')]);
  });
  it('puts the <meta> CSP into the serve-mode renderer build too', async () => {
    const config = (await import('../vite.renderer.config')).default as { plugins: { name?: string }[] };
    expect(config.plugins.flat().map((p) => p?.name)).toContain('walscope-csp-meta');
  });
  it('trusts only the main frame of our own page, compared exactly', () => {
    const main = (url: string) => ({ url, parent: null });
    expect(isTrustedSender(main('walscope://app/index.html'), undefined)).toBe(true);
    expect(isTrustedSender(main('walscope://app/index.html#demo'), undefined)).toBe(true);
    expect(isTrustedSender(main('walscope://app/'), undefined)).toBe(true);
    for (const url of [
      // Prefix look-alikes and other pages: a sibling directory, another host, credentials, a port.
      'walscope://app/../renderer-evil/x.html',
      'walscope://app/renderer-evil/x.html',
      'walscope://app/index.html.evil',
      'walscope://app.evil/index.html',
      'walscope://app@evil/index.html',
      'walscope://evil@app/index.html',
      'walscope://app:1/index.html',
      // file:// is never trusted, whatever the path or platform (the app does not load files).
      'file:///opt/walscope/out/renderer/index.html',
      'file:///opt/walscope/out/renderer-evil/x.html',
      'file:///C:/Program%20Files/WALscope/out/renderer/index.html',
      'https://evil.example/',
      'not a url',
      '',
    ]) {
      expect(isTrustedSender(main(url), undefined), url).toBe(false);
    }
    // A sub-frame of our own page is not the page.
    expect(isTrustedSender({ url: 'walscope://app/index.html', parent: {} }, undefined)).toBe(false);
    expect(isTrustedSender(null, undefined)).toBe(false);
    expect(isTrustedSender(main('http://localhost:5173/'), 'http://localhost:5173')).toBe(true);
    expect(isTrustedSender(main('http://localhost:5174/'), 'http://localhost:5173')).toBe(false);
    expect(isTrustedSender(main('walscope://app/index.html'), 'http://localhost:5173')).toBe(false);
    expect(isTrustedSender({ url: 'http://localhost:5173/', parent: {} }, 'http://localhost:5173')).toBe(false);
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
    (frame) => frame?.url.startsWith('file:///ok/') === true,
  );
  const call = (name: string, payload: unknown, url = 'file:///ok/index.html', sender = 1): Promise<unknown> =>
    handlers.get(commandChannel(name))!({ sender: { id: sender }, senderFrame: { url, parent: null } }, payload);

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
    expect(await call('app.info', { contractVersion: CONTRACT_VERSION })).toMatchObject({ ok: true });
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

describe('IPC contract version (the page declares it in app.info)', () => {
  function bound() {
    const handlers = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
    const ipc: IpcMainLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: () => undefined };
    const reached: string[] = [];
    const stub = (name: string, value: unknown) => async () => (reached.push(name), value);
    const dispatchers = new Map(
      [1, 2].map((id) => [
        id,
        createDispatcher({
          'app.info': stub('app.info', {
            version: 'x',
            contractVersion: CONTRACT_VERSION,
            shell: 'electron',
            passwordStorage: 'unavailable',
            defaults: {},
          }),
          'profiles.list': stub('profiles.list', []),
        } as unknown as Handlers),
      ]),
    );
    bindIpc(
      ipc,
      (id) => dispatchers.get(id),
      () => true,
    );
    const call = (name: string, payload: unknown, sender = 1): Promise<unknown> =>
      handlers.get(commandChannel(name))!({ sender: { id: sender }, senderFrame: { url: 'x', parent: null } }, payload);
    return { call, reached };
  }
  const refused = (page: string) => ({
    ok: false,
    error: { code: 'CONTRACT', message: expect.stringContaining(`this page speaks bridge contract ${page},`) },
  });

  it('refuses every other command from a page that declared another version, or none, and always answers app.info', async () => {
    const { call, reached } = bound();
    expect(await call('profiles.list', {})).toMatchObject(refused('(none)'));
    expect(await call('app.info', {})).toMatchObject({ ok: true, value: { contractVersion: CONTRACT_VERSION } });
    expect(await call('profiles.list', {})).toMatchObject(refused('(none)'));
    expect(await call('app.info', { contractVersion: CONTRACT_VERSION + 1 })).toMatchObject({ ok: true });
    expect(await call('profiles.list', {})).toMatchObject(refused(String(CONTRACT_VERSION + 1)));
    expect(reached).toEqual(['app.info', 'app.info']);
  });

  it('serves a page that declared this version, per window, and ignores a declaration in an invalid request', async () => {
    const { call, reached } = bound();
    expect(await call('app.info', { contractVersion: CONTRACT_VERSION })).toMatchObject({ ok: true });
    expect(await call('profiles.list', {})).toEqual({ ok: true, value: [] });
    // A later app.info without a version (the connection store asks too) keeps the declaration.
    expect(await call('app.info', {})).toMatchObject({ ok: true });
    expect(await call('profiles.list', {})).toEqual({ ok: true, value: [] });
    // Another window has declared nothing.
    expect(await call('profiles.list', {}, 2)).toMatchObject(refused('(none)'));
    // A request the schema refuses declares nothing either.
    expect(await call('app.info', { contractVersion: CONTRACT_VERSION + 1, extra: 1 })).toMatchObject({ ok: false });
    expect(await call('profiles.list', {})).toEqual({ ok: true, value: [] });
    expect(reached).toEqual(['app.info', 'profiles.list', 'app.info', 'profiles.list', 'profiles.list']);
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
  it('builds main as CommonJS, the sandboxed preload as ONE CommonJS file, the renderer with its <meta> CSP first', () => {
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
    // The CSP fallback survives the build, ahead of the scripts it governs.
    const html = fs.readFileSync(path.join(out, 'renderer/index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    expect(meta?.[1]?.replaceAll('&#39;', "'")).toBe(META_CSP);
    expect(meta!.index).toBeLessThan(html.indexOf('<script'));
    fs.rmSync(out, { recursive: true, force: true });
  }, 120_000);
});
