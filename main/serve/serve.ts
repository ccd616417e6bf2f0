import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CONTRACT_VERSION, contractMismatch, type EventName, type EventPayload } from '../../shared/contract';
import { contentSecurityPolicy } from '../../shared/csp';
import {
  ACKED_EVENTS,
  ClientFrameSchema,
  MAX_UNACKED_BATCHES,
  WS_PATH,
  WS_SUBPROTOCOL,
  WS_TOKEN_PATTERN,
  type ServerFrame,
} from '../../shared/contract/ws-protocol';
import { encodeBatchFrame } from '../../shared/contract/ws-batch';
import { SessionManager, type SessionManagerOptions } from '../sessions/session-manager';
import {
  declaredContract,
  protocolToken,
  reachableAddresses,
  refuseNonLoopback,
  sameSecret,
  targetPath,
  urlHost,
} from './access';
import { MIME_TYPES as MIME } from './mime';

/**
 * Serve mode: the built renderer and the bridge contract over a WebSocket, on loopback by default.
 * The static files are public and hold no secret. The socket needs the random token from the
 * printed URL (`#token=…`, which the page keeps in sessionStorage and offers as a subprotocol);
 * no cookie, because cookies are not scoped by port. Host and Origin must be an address we serve
 * on, so another web page (or a DNS-rebinding trick) cannot drive it. No bytes a client sends may
 * end the process: every parse is guarded and every socket has an error listener (issue 12).
 */
export interface ServeOptions extends Omit<SessionManagerOptions, 'shell' | 'transportReady'> {
  host?: string;
  port?: number;
  rendererDir: string;
  token?: string;
  /** Allow a non-loopback `host` (no TLS: the token is then the only protection). */
  insecureListen?: boolean;
}

export interface ServeHandle {
  /** The first of `urls`: loopback when the server listens there. */
  url: string;
  /** One URL per address a browser can use (each interface address for a wildcard bind). */
  urls: string[];
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Room for a couple of seconds of batches before the view counts as behind. */
const WS_HIGH_WATER = 4 * 1024 * 1024;

export function isLoopbackHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(hostHeader.toLowerCase());
}

/** What every request is checked against. */
interface Gate {
  root: string;
  token: string;
  allowedHost(hostHeader: string | undefined): boolean;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The static renderer: public files that hold no secret, so no token is asked for here. */
function serveStatic(gate: Gate, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (!gate.allowedHost(req.headers.host)) {
    res.writeHead(421, { 'content-type': 'text/plain' }).end('wrong host');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('method not allowed');
    return;
  }
  const pathname = targetPath(req.url);
  if (pathname === undefined) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request target');
    return;
  }
  const file = path.resolve(gate.root, pathname === '/' ? 'index.html' : pathname.slice(1));
  if (!file.startsWith(gate.root + path.sep) || !isFile(file)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const headers: Record<string, string> = {
    'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
    'content-security-policy': contentSecurityPolicy({ connectSrc: [`ws://${req.headers.host ?? ''}`] }),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
  res.writeHead(200, headers);
  if (req.method === 'HEAD') res.end();
  // A read or write error ends this response only (pipeline destroys both ends and reports here).
  else pipeline(fs.createReadStream(file), res, () => undefined);
}

/** Why an upgrade is refused (an HTTP status), or undefined to accept it. */
function upgradeRefusal(gate: Gate, req: http.IncomingMessage): number | undefined {
  const pathname = targetPath(req.url);
  if (pathname === undefined) return 400;
  const origin = req.headers.origin;
  const originOk = origin === undefined || gate.allowedHost(origin.replace(/^https?:\/\//, ''));
  if (pathname !== WS_PATH || !gate.allowedHost(req.headers.host) || !originOk) return 403;
  if (!sameSecret(protocolToken(req.headers['sec-websocket-protocol']), gate.token)) return 403;
  return undefined;
}

/** Answers a socket we will not upgrade, then closes it once the answer is out. */
function refuse(socket: Duplex, status: number): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Batch events sent to the page and not yet acknowledged by it (see ACKED_EVENTS). */
class BatchCredit {
  private unacked = 0;
  sent(name: string): void {
    if (ACKED_EVENTS.has(name)) this.unacked++;
  }
  acked(): void {
    this.unacked = Math.max(0, this.unacked - 1);
  }
  get ready(): boolean {
    return this.unacked < MAX_UNACKED_BATCHES;
  }
}

/** One authenticated socket: its own SessionManager, invoke frames in, results and events out. */
/** `pageVersion`: the contract version the page declared when it opened the socket (`?v=`). */
function attachSocket(
  ws: WebSocket,
  opts: ServeOptions,
  managers: Set<SessionManager>,
  pageVersion: number | undefined,
): void {
  const send = (frame: ServerFrame): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const credit = new BatchCredit();
  const emit = <K extends EventName>(name: K, payload: EventPayload<K>): void => {
    if (ws.readyState === ws.OPEN) credit.sent(name);
    // Rows carry their JSON text already: spliced into the frame, not escaped into it again.
    if (name === 'stream.batch') {
      if (ws.readyState === ws.OPEN) ws.send(encodeBatchFrame(name, payload as EventPayload<'stream.batch'>));
    } else send({ kind: 'event', name, payload });
  };
  const manager = new SessionManager(
    { ...opts, shell: 'serve', transportReady: () => ws.bufferedAmount < WS_HIGH_WATER && credit.ready },
    emit,
  );
  managers.add(manager);
  send({ kind: 'hello', contractVersion: CONTRACT_VERSION });
  // A frame over maxPayload, a text frame that is not UTF-8 or an unmasked client frame: ws has
  // already sent the close code (1009, 1007, 1002) and closes this socket. Unheard, the 'error'
  // event would end the process and every other session with it.
  ws.on('error', () => undefined);
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
    if (frame.kind === 'ack') return credit.acked();
    const id = frame.id;
    if (pageVersion !== CONTRACT_VERSION) {
      send({ kind: 'result', id, result: { ok: false, error: contractMismatch(pageVersion, CONTRACT_VERSION) } });
      return;
    }
    void manager.dispatcher
      .invoke(frame.name, frame.request)
      .catch(() => ({ ok: false as const, error: { code: 'INTERNAL' as const, message: 'the command failed' } }))
      .then((result) => send({ kind: 'result', id, result }));
  });
  ws.on('close', () => {
    managers.delete(manager);
    void manager.shutdown();
  });
}

/** The options startServe refuses before binding anything: where, with what token, serving what. */
function checkServeOptions(opts: ServeOptions): { bindHost: string; root: string } {
  const bindHost = opts.host ?? '127.0.0.1';
  refuseNonLoopback(bindHost, opts.insecureListen);
  if (opts.token !== undefined && !WS_TOKEN_PATTERN.test(opts.token)) {
    throw new Error('the serve token must be 16 to 128 base64url characters');
  }
  const root = path.resolve(opts.rendererDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`the built renderer is missing (${root}/index.html): run \`npm run build\` first`);
  }
  return { bindHost, root };
}

/**
 * The HTTP server: static files for each request, and the WebSocket upgrade past the gate. Node's
 * own listener answers 400/431 to a request it cannot parse and handles errors on the sockets it
 * owns; what is left to guard is our code on each request and each upgrade.
 */
function createServer(gate: Gate, opts: ServeOptions, wss: WebSocketServer, managers: Set<SessionManager>) {
  const server = http.createServer((req, res) => {
    try {
      serveStatic(gate, req, res);
    } catch {
      // A bug here must cost one response, not the process and every other session.
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
    }
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands an upgraded socket over without an error listener: a reset would be uncaught.
    socket.on('error', () => socket.destroy());
    try {
      const status = upgradeRefusal(gate, req);
      if (status === undefined)
        wss.handleUpgrade(req, socket, head, (ws) => attachSocket(ws, opts, managers, declaredContract(req.url)));
      else refuse(socket, status);
    } catch {
      refuse(socket, 500);
    }
  });
  return server;
}

async function listen(server: http.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  // After listening, the server's own errors are failed accepts (EMFILE under a connection flood):
  // libuv keeps listening, so they cost that connection only and must not end the process.
  server.on('error', () => undefined);
  return (server.address() as { port: number }).port;
}

export async function startServe(opts: ServeOptions): Promise<ServeHandle> {
  const { bindHost, root } = checkServeOptions(opts);
  let port = 0;
  let hosts = new Set<string>();
  const gate: Gate = {
    root,
    token: opts.token ?? randomBytes(24).toString('base64url'),
    allowedHost: (h) => isLoopbackHost(h, port) || (h !== undefined && hosts.has(h.toLowerCase())),
  };
  const managers = new Set<SessionManager>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, handleProtocols: () => WS_SUBPROTOCOL });
  const server = createServer(gate, opts, wss, managers);
  port = await listen(server, opts.port ?? 0, bindHost);
  const addresses = reachableAddresses(bindHost);
  hosts = new Set(addresses.map((a) => `${urlHost(a)}:${port}`.toLowerCase()));
  const urls = addresses.map((a) => `http://${urlHost(a)}:${port}/#token=${gate.token}`);
  return {
    url: urls[0]!,
    urls,
    port,
    token: gate.token,
    async close() {
      for (const c of wss.clients) c.close();
      await Promise.all([...managers].map((m) => m.shutdown()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
