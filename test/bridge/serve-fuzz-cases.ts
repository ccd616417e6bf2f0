import fc from 'fast-check';
import { upgradeHead, wsFrame, type FrameSpec } from '../support/raw-http';

/**
 * Inputs for the serve-mode fuzz test: a fixed corpus of the requests and frames that broke or
 * could break the server (issue 12), and fast-check generators around them.
 */

const CRLF = '\r\n';

/** Fixed HTTP inputs, none authenticated (the page needs no token; these need only the port). */
export function httpCorpus(port: number, token: string): (string | Buffer)[] {
  const host = `Host: 127.0.0.1:${port}`;
  const req = (line: string, ...headers: string[]): string => [line, host, ...headers, '', ''].join(CRLF);
  const auth = `Sec-WebSocket-Protocol: walscope.v1, walscope.token.${token}`;
  return [
    req('GET //[ HTTP/1.1'),
    req('GET /%E0%A4%A HTTP/1.1'),
    req('GET /% HTTP/1.1'),
    req('GET http://[::1 HTTP/1.1'),
    req('GET * HTTP/1.1'),
    req('OPTIONS * HTTP/1.1'),
    req('CONNECT 127.0.0.1:22 HTTP/1.1'),
    req('GET / HTTP/9.9'),
    req('GET /\u0000 HTTP/1.1'),
    req('GET /..%2f..%2fetc%2fhostname HTTP/1.1'),
    req('GET /../../etc/passwd HTTP/1.1'),
    req('POST / HTTP/1.1', 'Content-Length: 5') + 'hello',
    req('POST / HTTP/1.1', 'Content-Length: 99') + 'short',
    req('POST / HTTP/1.1', 'Transfer-Encoding: chunked') + 'zz\r\nnot a chunk\r\n',
    req('GET / HTTP/1.1', 'Expect: 100-continue'),
    req('GET / HTTP/1.1', 'no colon here'),
    req('GET / HTTP/1.1', 'X-Folded: a', ' folded'),
    req('GET / HTTP/1.1', host),
    req('GET / HTTP/1.1', `X-Big: ${'a'.repeat(100_000)}`),
    'GET / HTTP/1.1\r\n\r\n',
    '\r\n\r\n\r\n',
    'NONSENSE\r\n\r\n',
    Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]), // a TLS ClientHello
    Buffer.from([0x88, 0x80, 1, 2, 3, 4]), // a WebSocket close frame with no handshake
    // The upgrade path, refused or broken at every step.
    upgradeHead(port, '//['),
    upgradeHead(port, '/%E0%A4%A', [auth]),
    upgradeHead(port, '/ws'),
    upgradeHead(port, '/ws', ['Sec-WebSocket-Protocol: ,,,', 'Origin: null']),
    upgradeHead(port, '/ws', ['Sec-WebSocket-Protocol: walscope.v1, walscope.token.\u00ff\u0001']),
    upgradeHead(port, '/ws', [auth, 'Origin: http://[']),
    upgradeHead(port, '/ws', [auth, 'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=99']),
    upgradeHead(port, '/ws', [auth]).replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8'),
    upgradeHead(port, '/ws', [auth]).replace(/Sec-WebSocket-Key: .*/, 'Sec-WebSocket-Key: short'),
    upgradeHead(port, '/ws', ['Sec-WebSocket-Protocol: walscope.v1']) + 'bytes after a refused handshake',
    // Frames before authentication: after a refused handshake, and with no handshake at all.
    Buffer.concat([
      Buffer.from(upgradeHead(port, '/ws', ['Sec-WebSocket-Protocol: walscope.v1, walscope.token.wrong'])),
      ...FRAME_CORPUS.slice(0, 6).map(framesBytes),
    ]),
    Buffer.concat(FRAME_CORPUS.slice(0, 6).map(framesBytes)),
  ];
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Fixed frame sequences, each sent on its own authenticated socket. */
export const FRAME_CORPUS: FrameSpec[][] = [
  [{ opcode: 1, payload: text('{"kind":"invoke","id":1,"name":"app.info","request":{}}'), masked: false }],
  [{ opcode: 1, payload: text('x'), announcedLength: 2 * 1024 * 1024 }],
  [{ opcode: 2, payload: Buffer.alloc(8), announcedLength: 2 ** 53 }],
  [{ opcode: 1, payload: Buffer.from([0xff, 0xfe, 0xfd]) }],
  [{ opcode: 1, payload: Buffer.from([0xe2, 0x82]) }], // a UTF-8 sequence cut short
  [{ opcode: 3, payload: text('reserved opcode') }],
  [{ opcode: 0x0b, payload: text('reserved control opcode') }],
  [{ opcode: 1, rsv: 4, payload: text('compressed without permessage-deflate') }],
  [{ opcode: 9, fin: false, payload: text('fragmented ping') }],
  [{ opcode: 9, payload: Buffer.alloc(200) }], // a control frame over 125 bytes
  [{ opcode: 0, payload: text('continuation with nothing to continue') }],
  [
    { opcode: 1, fin: false, payload: text('{"kind":') },
    { opcode: 1, payload: text('a new text frame mid-message') },
  ],
  [{ opcode: 8, payload: Buffer.from([0x03, 0xe7]) }], // close code 999
  [{ opcode: 8, payload: Buffer.from([0x03]) }], // a 1-byte close payload
  [{ opcode: 8, payload: Buffer.from([0x03, 0xe8, 0xff]) }], // close reason not UTF-8
  [{ opcode: 1, payload: text('['.repeat(900_000)) }],
  [{ opcode: 1, payload: text('{"kind":"invoke","id":1e308,"name":"app.info","request":{}}') }],
  [{ opcode: 1, payload: text('{"kind":"invoke","id":2,"name":"__proto__","request":{"__proto__":{"x":1}}}') }],
  [{ opcode: 1, payload: text('{"kind":"invoke","id":3,"name":"session.connect","request":{"target":7}}') }],
  [{ opcode: 2, payload: Buffer.from([0, 1, 2, 3]) }],
  Array.from({ length: 200 }, () => ({ opcode: 1, payload: text('not json') })),
];

export function framesBytes(frames: FrameSpec[]): Buffer {
  return Buffer.concat(frames.map(wsFrame));
}

// Mostly pieces Node's parser lets through to our handlers (where the bugs were), sometimes not.
const TARGET_PIECES = [
  '/',
  '//',
  '[',
  ']',
  '%',
  '%2f',
  '%2e%2e',
  '..',
  '?',
  '#',
  'ws',
  'token=',
  '%E0%A4',
  '%00',
  '@',
  ':',
  'a',
];
const RARE_PIECES = ['\\', ' ', '\u0000', '\u00e9', '\r\n'];
const URL_CHARS = fc.string({ unit: fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@/?#[]%"), maxLength: 6 });

/** A request target built from the pieces that trip URL parsers. */
export const targetArb = fc
  .array(
    fc.oneof(
      { arbitrary: fc.constantFrom(...TARGET_PIECES), weight: 12 },
      { arbitrary: URL_CHARS, weight: 6 },
      { arbitrary: fc.constantFrom(...RARE_PIECES), weight: 1 },
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

const TOKEN_CHARS = fc.string({ unit: fc.constantFrom(...'abcdefXYZ-_0123456789'), minLength: 1, maxLength: 12 });
const headerArb = fc.oneof(
  {
    arbitrary: fc.tuple(
      fc.constantFrom(
        'Host',
        'Origin',
        'Cookie',
        'Upgrade',
        'Connection',
        'Sec-WebSocket-Protocol',
        'Sec-WebSocket-Key',
        'Content-Length',
        'Transfer-Encoding',
      ),
      fc.oneof(URL_CHARS, fc.string({ maxLength: 40 })),
    ),
    weight: 6,
  },
  { arbitrary: fc.tuple(TOKEN_CHARS, fc.string({ maxLength: 40 })), weight: 3 },
  { arbitrary: fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 })), weight: 1 },
);

const usually = <T>(common: T, ...rare: T[]): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: fc.constant(common), weight: 9 }, { arbitrary: fc.constantFrom(common, ...rare), weight: 1 });

/** One request head (request line, headers, maybe an upgrade) plus arbitrary trailing bytes. */
export function requestArb(port: number, token: string): fc.Arbitrary<Buffer> {
  return fc
    .record({
      method: fc.oneof(
        { arbitrary: usually('GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'get', 'G ET', ''), weight: 9 },
        { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
      ),
      // Origin-form (`/…`) mostly, so most requests get past Node's parser to our handlers.
      target: fc.oneof({ arbitrary: targetArb.map((t) => `/${t}`), weight: 9 }, { arbitrary: targetArb, weight: 1 }),
      version: usually('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', '', 'HTTP/1.1 extra'),
      host: usually(`127.0.0.1:${port}`, 'evil.example', '', `[::1]:${port}`, `localhost:${port}`),
      upgrade: fc.boolean(),
      token: fc.constantFrom(undefined, token, 'wrong-token-value-123456'),
      headers: fc.array(headerArb, { maxLength: 3 }),
      trailing: fc.oneof(
        { arbitrary: fc.constant(new Uint8Array()), weight: 4 },
        { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 1 },
      ),
    })
    .map((r) => {
      const lines = [`${r.method} ${r.target} ${r.version}`, `Host: ${r.host}`];
      if (r.upgrade) {
        lines.push(
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version: 13',
        );
      }
      if (r.token) lines.push(`Sec-WebSocket-Protocol: walscope.v1, walscope.token.${r.token}`);
      for (const [k, v] of r.headers) lines.push(`${k}: ${v}`);
      return Buffer.concat([Buffer.from(`${lines.join(CRLF)}${CRLF}${CRLF}`, 'utf8'), Buffer.from(r.trailing)]);
    });
}

/** A frame as a client might send it, valid or not; lengths may lie. */
export const frameArb: fc.Arbitrary<FrameSpec> = fc.record({
  fin: fc.boolean(),
  rsv: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 7 }), weight: 1 }),
  opcode: fc.oneof(fc.constantFrom(0, 1, 2, 8, 9, 10), fc.integer({ min: 0, max: 15 })),
  payload: fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    fc.string({ maxLength: 80 }).map((s) => text(s)),
    fc
      .record({ id: fc.integer(), name: fc.string({ maxLength: 20 }), request: fc.jsonValue({ maxDepth: 3 }) })
      .map((f) => text(JSON.stringify({ kind: 'invoke', ...f }))),
  ),
  masked: fc.oneof({ arbitrary: fc.constant(true), weight: 5 }, { arbitrary: fc.constant(false), weight: 1 }),
  announcedLength: fc
    .option(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(1024 * 1024 + 1, 2 ** 40)), { freq: 5 })
    .map((v) => v ?? undefined),
});
