import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { CONTRACT_VERSION, contractMismatch, type EventName, type EventPayload } from '../../shared/contract';
import { ClientFrameSchema, WS_PATH, type ServerFrame } from '../../shared/contract/ws-protocol';
import { SessionManager, type SessionManagerOptions } from '../sessions/session-manager';

/**
 * Serve mode: the built renderer and the bridge contract over a WebSocket, on loopback by default.
 * A random token from the printed URL is required for the page (then kept in an HttpOnly,
 * SameSite=Strict cookie for its assets) and for the socket; Host and Origin must be the address
 * we serve on, so another web page (or a DNS-rebinding trick) cannot drive it.
 */
export interface ServeOptions extends Omit<SessionManagerOptions, 'shell' | 'transportReady'> {
  host?: string;
  port?: number;
  rendererDir: string;
  token?: string;
}

export interface ServeHandle {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const COOKIE = 'walscope_token';
/** Room for a couple of seconds of batches before the view counts as behind. */
const WS_HIGH_WATER = 4 * 1024 * 1024;

function cspFor(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ws://${host}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function same(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: http.IncomingMessage): string | undefined {
  const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(req.headers.cookie ?? '');
  return m?.[1];
}

function isLoopbackHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(hostHeader.toLowerCase());
}

export async function startServe(opts: ServeOptions): Promise<ServeHandle> {
  const bindHost = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const root = path.resolve(opts.rendererDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`the built renderer is missing (${root}/index.html): run \`npm run build\` first`);
  }
  let port = 0;
  const allowedHost = (h: string | undefined): boolean =>
    isLoopbackHost(h, port) || (bindHost !== '127.0.0.1' && h === `${bindHost}:${port}`);
  const authorized = (req: http.IncomingMessage, url: URL): boolean =>
    same(url.searchParams.get('token') ?? undefined, token) || same(cookieToken(req), token);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (!allowedHost(req.headers.host)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('wrong host');
      return;
    }
    if (!authorized(req, url)) {
      res
        .writeHead(403, { 'content-type': 'text/plain; charset=utf-8' })
        .end('WALscope: open the URL printed by `walscope serve` (it carries the access token).');
      return;
    }
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const headers: Record<string, string> = {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-security-policy': cspFor(req.headers.host ?? ''),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    };
    if (url.searchParams.has('token')) headers['set-cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    fs.createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const origin = req.headers.origin;
    const originOk = origin === undefined || allowedHost(origin.replace(/^https?:\/\//, ''));
    if (url.pathname !== WS_PATH || !allowedHost(req.headers.host) || !originOk || !authorized(req, url)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    const declared = url.searchParams.get('v');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, declared === null ? undefined : Number(declared)));
  });

  const managers = new Set<SessionManager>();
  /** `pageVersion`: the contract version the page declared when it opened the socket. */
  const attach = (ws: WebSocket, pageVersion: number | undefined): void => {
    const send = (frame: ServerFrame): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const emit = <K extends EventName>(name: K, payload: EventPayload<K>): void =>
      send({ kind: 'event', name, payload });
    const manager = new SessionManager(
      { ...opts, shell: 'serve', transportReady: () => ws.bufferedAmount < WS_HIGH_WATER },
      emit,
    );
    managers.add(manager);
    send({ kind: 'hello', contractVersion: CONTRACT_VERSION });
    ws.on('message', (data, isBinary) => {
      let frame;
      try {
        frame = ClientFrameSchema.parse(JSON.parse(isBinary ? '' : String(data)));
      } catch {
        send({
          kind: 'result',
          id: -1,
          result: { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'malformed frame' } },
        });
        return;
      }
      if (pageVersion !== CONTRACT_VERSION) {
        send({
          kind: 'result',
          id: frame.id,
          result: { ok: false, error: contractMismatch(pageVersion, CONTRACT_VERSION) },
        });
        return;
      }
      void manager.dispatcher
        .invoke(frame.name, frame.request)
        .then((result) => send({ kind: 'result', id: frame.id, result }));
    });
    ws.on('close', () => {
      managers.delete(manager);
      void manager.shutdown();
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bindHost, () => resolve());
  });
  port = (server.address() as { port: number }).port;
  const shownHost = bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const c of wss.clients) c.close();
      await Promise.all([...managers].map((m) => m.shutdown()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
