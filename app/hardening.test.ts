import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hardenContents, hardenSession, type ContentsLike, type SessionLike } from './hardening';

describe('deny-by-default handlers', () => {
  it('denies every permission and sends the CSP with every response', () => {
    let request: Parameters<SessionLike['setPermissionRequestHandler']>[0] | undefined;
    let check: (() => boolean) | undefined;
    let headers: Parameters<SessionLike['webRequest']['onHeadersReceived']>[0] | undefined;
    hardenSession({
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
      webRequest: { onHeadersReceived: (l) => (headers = l) },
    });
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | undefined;
      request!({}, p, (g) => (granted = g));
      expect(granted).toBe(false);
    }
    expect(check!()).toBe(false);
    let out: Record<string, unknown> = {};
    headers!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (out = r.responseHeaders));
    expect(out['Content-Security-Policy']).toEqual([expect.stringContaining("script-src 'self'")]);
    expect(out['X-Other']).toEqual(['1']);
  });

  it('blocks navigation, redirects, new windows and webviews', () => {
    const listeners = new Map<string, (e: { preventDefault(): void }) => void>();
    let open: ((d: { url: string }) => { action: 'deny' }) | undefined;
    const contents: ContentsLike = {
      on: (event, l) => listeners.set(event, l),
      setWindowOpenHandler: (h) => (open = h),
    };
    hardenContents(contents);
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      listeners.get(event)!({ preventDefault: () => (prevented = true) });
      expect(prevented, event).toBe(true);
    }
    expect(open!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });
});

describe('packaging hardening (electron-builder.yml)', () => {
  it('sets the fuses and asar integrity', () => {
    const yml = fs.readFileSync(path.resolve(__dirname, '../electron-builder.yml'), 'utf8');
    for (const line of [
      'asar: true',
      'runAsNode: false',
      'enableNodeOptionsEnvironmentVariable: false',
      'enableNodeCliInspectArguments: false',
      'enableEmbeddedAsarIntegrityValidation: true',
      'onlyLoadAppFromAsar: true',
    ]) {
      expect(yml).toContain(line);
    }
  });
});
