import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Raw bytes to a server, for tests that must not be normalised by a client: an HTTP client (or
 * `ws`) would resolve `..`, refuse `//[` and mask every frame. Nothing here retries or repairs.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The built renderer serve mode needs (built once if missing). */
export function builtRendererDir(): string {
  const dir = path.join(root, 'out', 'renderer');
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        'vite.renderer.config.ts',
        '--logLevel',
        'warn',
      ],
      { cwd: root },
    );
  }
  return dir;
}

/**
 * Sends `bytes` (then half-closes unless `halfClose` is false) and resolves with everything the
 * server sent until it closed, or `timeoutMs` passed (then the socket is destroyed). Rejects only
 * when the connection is refused, that is when nothing listens any more. Node's HTTP server
 * abandons a streamed response to a half-closed client, so requests that expect a file keep the
 * socket open and ask for `Connection: close` instead.
 */
export function rawExchange(
  port: number,
  bytes: string | Buffer,
  { halfClose = true, timeoutMs = 3000 }: { halfClose?: boolean; timeoutMs?: number } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let connected = false;
    const socket = net.connect(port, '127.0.0.1', () => {
      connected = true;
      if (halfClose) socket.end(bytes);
      else socket.write(bytes);
    });
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err) => {
      if (!connected) reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** The status code of a raw response, or 0 when the server closed without answering. */
export function statusOf(response: Buffer): number {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(response.toString('latin1'));
  return m ? Number(m[1]) : 0;
}

export function rawGet(port: number, target: string, headers: Record<string, string> = {}): Promise<Buffer> {
  const lines = [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return rawExchange(port, `${lines.join('\r\n')}\r\n\r\n`, { halfClose: false });
}

/** The head of a WebSocket upgrade request, with room for extra header lines. */
export function upgradeHead(port: number, target: string, extra: string[] = []): string {
  return [
    `GET ${target} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...extra,
    '',
    '',
  ].join('\r\n');
}

/**
 * A WebSocket handshake over a plain socket, left open for raw frames. Resolves with the socket
 * and the response head (whatever its status); the caller writes frames and closes.
 */
export function rawUpgrade(port: number, extra: string[]): Promise<{ socket: net.Socket; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(upgradeHead(port, '/ws', extra)));
    let got = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      got = Buffer.concat([got, d]);
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({ socket, head: got.subarray(0, end).toString('latin1') });
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

export interface FrameSpec {
  fin?: boolean;
  /** RSV1–3 as a 3-bit number (anything but 0 is a protocol error without an extension). */
  rsv?: number;
  opcode: number;
  payload: Buffer;
  /** Client frames must be masked (RFC 6455 §5.1); false sends an unmasked one. */
  masked?: boolean;
  /** Announce this length instead of the payload's (a frame bigger than the server allows). */
  announcedLength?: number;
}

/** One WebSocket frame as RFC 6455 §5.2 lays it out, including frames no client should send. */
export function wsFrame(f: FrameSpec): Buffer {
  const len = f.announcedLength ?? f.payload.length;
  const masked = f.masked ?? true;
  const first = ((f.fin ?? true) ? 0x80 : 0) | (((f.rsv ?? 0) & 7) << 4) | (f.opcode & 0x0f);
  let head: Buffer;
  if (len < 126) head = Buffer.from([first, (masked ? 0x80 : 0) | len]);
  else if (len < 65536) {
    head = Buffer.alloc(4);
    head.writeUInt8(first, 0);
    head.writeUInt8((masked ? 0x80 : 0) | 126, 1);
    head.writeUInt16BE(len, 2);
  } else {
    head = Buffer.alloc(10);
    head.writeUInt8(first, 0);
    head.writeUInt8((masked ? 0x80 : 0) | 127, 1);
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  if (!masked) return Buffer.concat([head, f.payload]);
  const key = randomBytes(4);
  const body = Buffer.from(f.payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([head, key, body]);
}
