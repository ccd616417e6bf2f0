import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CSP } from '../shared/csp';
import { APP_SCHEME_PRIVILEGES, appFileFor, createAppProtocolHandler } from './app-protocol';

// A renderer build next to look-alike siblings and a secret, to aim traversal attempts at.
let base: string;
let root: string;
beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-protocol-'));
  root = path.join(base, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><div id="root"></div>');
  fs.writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  fs.mkdirSync(path.join(base, 'renderer-evil'));
  fs.writeFileSync(path.join(base, 'renderer-evil', 'x.html'), 'evil');
  fs.writeFileSync(path.join(base, 'secret.txt'), 'secret');
  fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => createAppProtocolHandler(root, APP_CSP)({ url, method });

describe('walscope://app protocol handler (no Electron)', () => {
  it('serves files inside the renderer build with the CSP header', async () => {
    const index = await get('walscope://app/index.html#demo');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<div id="root">');
    expect((await get('walscope://app/')).status).toBe(200);
    const js = await get('walscope://app/assets/index-abc.js?v=1');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(await js.text()).toBe('console.log(1)');
  });

  it('refuses traversal, encoded separators, absolute paths, other hosts and symlinks out of the build', async () => {
    for (const url of [
      'walscope://app/../secret.txt',
      'walscope://app/assets/../../secret.txt',
      'walscope://app/%2e%2e/secret.txt',
      'walscope://app/%2E%2E/renderer-evil/x.html',
      'walscope://app/.%2e/secret.txt',
      'walscope://app/..%2fsecret.txt',
      'walscope://app/assets%2f..%2f..%2fsecret.txt',
      'walscope://app/..%5csecret.txt',
      'walscope://app/..\\secret.txt',
      'walscope://app//etc/passwd',
      'walscope://app/%2fetc/passwd',
      'walscope://app/C:/Windows/win.ini',
      'walscope://app/C:%5cWindows%5cwin.ini',
      'walscope://app/./index.html',
      'walscope://app/index.html%00.js',
      'walscope://app/%E0%A4%A',
      'walscope://app/assets/link.txt',
      'walscope://app/assets',
      'walscope://app/missing.js',
      'walscope://evil/index.html',
      'walscope://app.evil/index.html',
      'walscope://app@evil/index.html',
      'file:///etc/passwd',
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      const body = await res.text();
      expect(body, url).not.toMatch(/secret|evil|root:/);
    }
  });

  it('maps only plain relative paths, never outside the root', () => {
    expect(appFileFor('walscope://app/assets/index-abc.js', root)).toBe(path.join(root, 'assets', 'index-abc.js'));
    expect(appFileFor('walscope://app/../renderer-evil/x.html', root)).toBeUndefined();
    expect(appFileFor('walscope://app/%2e%2e', root)).toBeUndefined();
  });

  it('answers only GET and HEAD; HEAD has no body', async () => {
    expect((await get('walscope://app/index.html', 'POST')).status).toBe(405);
    const head = await get('walscope://app/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('registers the scheme as standard and secure, without bypassing the CSP', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({
      scheme: 'walscope',
      privileges: { standard: true, secure: true, supportFetchAPI: true },
    });
  });
});
