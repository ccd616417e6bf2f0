import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../../main/serve/serve';
import { ProfileStore } from '../../main/sessions/profile-store';
import { builtRendererDir, rawExchange, rawGet, rawUpgrade, statusOf, upgradeHead } from '../support/raw-http';

// Who may use serve mode, checked with raw requests (issues 12 and 13): a client library would
// normalise `..`, refuse `//[` and never send a token in a cookie, so it could not catch a bug.
describe('serve mode access: token, static files, raw request targets', () => {
  let dir: string;
  let serve: ServeHandle;
  const SECRET = `sentinel-${process.pid}-outside-the-renderer`;

  beforeAll(async () => {
    // A private copy of the renderer with secrets beside it: one next to the directory, one in a
    // sibling whose name starts with the renderer's (a prefix check without a separator leaks it).
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-serve-access-'));
    const rendererDir = path.join(dir, 'renderer');
    fs.cpSync(builtRendererDir(), rendererDir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'secret.txt'), SECRET);
    fs.mkdirSync(path.join(dir, 'renderer-evil'));
    fs.writeFileSync(path.join(dir, 'renderer-evil', 'x.txt'), SECRET);
    serve = await startServe({
      rendererDir,
      profiles: new ProfileStore(path.join(dir, 'profiles.json'), undefined),
      demo: () => Promise.reject(new Error('no demo in this test')),
      env: {},
    });
  });

  afterAll(async () => {
    await serve?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the static page without the token, identically with the token in a Cookie, and sets no cookie', async () => {
    const plain = await rawGet(serve.port, '/');
    const withCookie = await rawGet(serve.port, '/', { Cookie: `walscope_token=${serve.token}` });
    const withQuery = await rawGet(serve.port, `/?token=${serve.token}`);
    for (const r of [plain, withCookie, withQuery]) {
      expect(statusOf(r)).toBe(200);
      expect(r.toString('latin1')).not.toMatch(/set-cookie/i);
      expect(r.toString('latin1')).not.toContain(serve.token);
    }
    const body = (r: Buffer): string => r.toString('latin1').split('\r\n\r\n').slice(1).join('\r\n\r\n');
    expect(body(withCookie)).toBe(body(plain));
    expect(body(plain)).toContain('<div id="root">');
  });

  it('upgrades only with the token as a subprotocol: missing, wrong, cookie and query tokens get 403', async () => {
    // The last character changed to another one: appending a fixed 'A' would be the real token
    // whenever the random token already ends in 'A' (1 run in 64).
    const lastChanged = `${serve.token.slice(0, -1)}${serve.token.endsWith('A') ? 'B' : 'A'}`;
    const refused = [
      [],
      ['Sec-WebSocket-Protocol: walscope.v1'],
      [`Sec-WebSocket-Protocol: walscope.v1, walscope.token.${lastChanged}`],
      [`Sec-WebSocket-Protocol: walscope.v1, walscope.token.${serve.token}x`],
      ['Sec-WebSocket-Protocol: walscope.v1', `Cookie: walscope_token=${serve.token}`],
    ];
    for (const extra of refused) {
      const { socket, head } = await rawUpgrade(serve.port, extra);
      socket.destroy();
      expect(head, extra.join(' | ')).toMatch(/^HTTP\/1\.1 403 /);
    }
    const viaQuery = await rawExchange(
      serve.port,
      upgradeHead(serve.port, `/ws?token=${serve.token}`, ['Sec-WebSocket-Protocol: walscope.v1']),
    );
    expect(statusOf(viaQuery)).toBe(403);

    const { socket, head } = await rawUpgrade(serve.port, [
      `Sec-WebSocket-Protocol: walscope.v1, walscope.token.${serve.token}`,
    ]);
    socket.destroy();
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    // The server names only the plain subprotocol: the token is never echoed back.
    expect(head).toMatch(/\r\nSec-WebSocket-Protocol: walscope\.v1$/im);
    expect(head).not.toContain(serve.token);
  });

  it('answers raw traversal targets with 404 and never a file outside the renderer', async () => {
    const targets = [
      '/..%2fsecret.txt',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/..%2frenderer-evil%2fx.txt',
      '/../renderer-evil/x.txt',
      `/%2F${encodeURIComponent(path.join(dir, 'secret.txt').slice(1))}`,
      '/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fhostname',
      '/../../../../../../../etc/passwd',
    ];
    for (const target of targets) {
      const r = await rawGet(serve.port, target);
      expect(statusOf(r), target).toBe(404);
      expect(r.toString('latin1'), target).not.toContain(SECRET);
    }
  });

  it('answers 400 to targets that are not URLs or have bad percent-encoding, on the page and the upgrade path', async () => {
    for (const target of ['//[', '/%E0%A4%A', '/%']) {
      expect(statusOf(await rawGet(serve.port, target)), target).toBe(400);
      const upgrade = upgradeHead(serve.port, target, [
        `Sec-WebSocket-Protocol: walscope.v1, walscope.token.${serve.token}`,
      ]);
      expect(statusOf(await rawExchange(serve.port, upgrade)), `upgrade ${target}`).toBe(400);
    }
    expect(statusOf(await rawGet(serve.port, '/'))).toBe(200);
  });

  it('refuses to start on a non-loopback address unless insecureListen is set', async () => {
    await expect(
      startServe({
        host: '0.0.0.0',
        rendererDir: path.join(dir, 'renderer'),
        profiles: new ProfileStore(path.join(dir, 'p2.json'), undefined),
        demo: () => Promise.reject(new Error('no demo')),
        env: {},
      }),
    ).rejects.toThrow(/--insecure-listen/);
  });
});
