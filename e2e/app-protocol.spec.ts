import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_ORIGIN, createAppProtocolHandler } from '../app/app-protocol';
import { APP_CSP } from '../shared/csp';
import { CONTRACT_VERSION } from '../shared/contract';

// The desktop app's page without the Electron runtime: the built renderer served by the very
// walscope://app handler app/main.ts registers (mapped onto an http origin Chromium can load),
// with a stand-in for the preload's `window.walscope`.
const rendererDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'renderer');
const ORIGIN = 'http://walscope-app.test';

async function serveThroughHandler(page: Page, opts: { dropCspHeader?: boolean } = {}): Promise<void> {
  const handler = createAppProtocolHandler(rendererDir, APP_CSP);
  await page.route(`${ORIGIN}/**`, async (route) => {
    const req = route.request();
    const res = await handler({ url: APP_ORIGIN + req.url().slice(ORIGIN.length), method: req.method() });
    const headers = Object.fromEntries(res.headers);
    if (opts.dropCspHeader) delete headers['content-security-policy'];
    await route.fulfill({ status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) });
  });
}

/** Collects CSP violations and stands in for the preload bridge (fixed-key password storage). */
async function fakeBridge(page: Page): Promise<void> {
  // The page checks the engine's contract version before its first request: the fake speaks the current one.
  await page.addInitScript((contractVersion: number) => {
    const w = window as unknown as Record<string, unknown>;
    const violations: string[] = [];
    const saves: unknown[] = [];
    w['__violations'] = violations;
    w['__saves'] = saves;
    document.addEventListener('securitypolicyviolation', (e) =>
      violations.push(e.effectiveDirective + ':' + e.blockedURI),
    );
    const answers: Record<string, unknown> = {
      'app.info': {
        version: 'test',
        contractVersion,
        shell: 'electron',
        passwordStorage: 'fixed-key',
        defaults: {},
      },
      'profiles.list': [],
    };
    w['walscope'] = {
      invoke: async (name: string, request: unknown) => {
        if (name === 'profiles.save') {
          saves.push(request);
          return { ok: true, value: { profile: {}, passwordSaved: false, note: 'noted' } };
        }
        return { ok: true, value: answers[name] ?? {} };
      },
      on: () => () => undefined,
    };
  }, CONTRACT_VERSION);
}

const injectInlineScript = (page: Page) =>
  page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__pwned = true';
    document.body.append(s);
    return (window as unknown as { __pwned?: boolean }).__pwned === true;
  });

test.describe('the app page served by the walscope://app handler', () => {
  test('loads its module scripts and styles under the CSP header, which blocks an inline script', async ({ page }) => {
    await fakeBridge(page);
    await serveThroughHandler(page);
    const response = await page.goto(`${ORIGIN}/index.html`);
    expect(response?.headers()['content-security-policy']).toBe(APP_CSP);
    await expect(page.getByRole('heading', { name: 'WALscope' })).toBeVisible();
    const cssRules = await page.evaluate(() => [...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0));
    expect(cssRules).toBeGreaterThan(10);
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    expect(await injectInlineScript(page)).toBe(false);
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations))
      .toContain('script-src-elem:inline');
  });

  test('without the header, the <meta> CSP alone still blocks an inline script', async ({ page }) => {
    await fakeBridge(page);
    await serveThroughHandler(page, { dropCspHeader: true });
    const response = await page.goto(`${ORIGIN}/index.html`);
    expect(response?.headers()['content-security-policy']).toBeUndefined();
    await expect(page.getByRole('heading', { name: 'WALscope' })).toBeVisible();
    expect(await injectInlineScript(page)).toBe(false);
  });

  test('with a fixed-key password store it warns, and sends a password to save only when the box is ticked', async ({
    page,
  }) => {
    await fakeBridge(page);
    await serveThroughHandler(page);
    await page.goto(`${ORIGIN}/index.html`);
    await expect(page.getByTestId('fixed-key-warning')).toContainText('No keyring on this system');
    await page.getByRole('tab', { name: 'Fields' }).click();
    await page.getByLabel('Password').fill('hunter2');
    await page.getByLabel('Profile name').fill('prod');
    await page.getByRole('button', { name: 'Save profile' }).click();
    const box = page.getByLabel(/Save the password too/);
    await expect(box).not.toBeChecked();
    await box.check();
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { __saves: unknown[] }).__saves.length)).toBe(2);
    const saves = await page.evaluate(() => (window as unknown as { __saves: unknown[] }).__saves);
    expect(saves[0]).not.toHaveProperty('allowFixedKey');
    expect(saves[1]).toMatchObject({ password: 'hunter2', allowFixedKey: true });
  });
});
