import type { Duplex } from 'node:stream';
import type pg from 'pg';
import { WalscopeError } from '../../shared/errors';

/**
 * Checks the length of every message the server sends before node-postgres waits for it.
 * pg-protocol trusts the 4-byte length and buffers until that many bytes arrived, so a peer that
 * is not PostgreSQL (an SSH or HTTP banner read as a header) or a broken one announcing 2 GiB
 * would hold a connection forever. libpq refuses such lengths at once (pqParseInput3 in
 * fe-protocol3.c): below 4 is invalid, and only a few message types may exceed 30000 bytes.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

/** libpq's VALID_LONG_MESSAGE_TYPE: RowDescription, DataRow, CopyData, FunctionCallResponse,
 * ErrorResponse, NoticeResponse, NotificationResponse. */
const LONG_TYPES = new Set(['T', 'D', 'd', 'V', 'E', 'N', 'A'].map((c) => c.charCodeAt(0)));
/** libpq's limit for every other message type, and for every message during start-up (the server
 * sends only authentication, parameter, key, notice and error messages before ReadyForQuery). */
export const MAX_SHORT_MESSAGE = 30_000;
const READY_FOR_QUERY = 'Z'.charCodeAt(0);
/** A server message body is one StringInfo, at most MaxAllocSize (1 GiB - 1), plus the length word. */
export const MAX_LONG_MESSAGE = 0x3fff_ffff + 4;

const COPY_DATA = 'd'.charCodeAt(0);
const EMPTY = Buffer.alloc(0);

/**
 * The framing loop in front of node-postgres: remembers where the next header starts across
 * chunks and checks every length. Normally every byte goes on to pg (`toPg`, whole chunks). While
 * `copyData` is set (a CopyBoth stream, docs/decisions/0012-own-copyboth-framing.md), CopyData
 * messages are taken out of the byte stream and their payloads handed to it instead: a view into
 * the socket's chunk when the message is whole in it (Node does not reuse a socket's read
 * buffers), a concatenation when TCP split it. Every other message (CopyDone, ErrorResponse,
 * NoticeResponse, the result set and CommandComplete after CopyDone, ReadyForQuery) still goes to
 * pg, in order, so its errors and its query's end are what they were.
 */
export class FrameGuard {
  /** Set while a CopyBoth stream reads its own CopyData; changed only between chunks. */
  copyData: ((payload: Buffer) => void) | undefined;
  /** Set with `copyData`: told the size of each socket chunk once it was routed (read pacing). */
  afterChunk: ((bytes: number) => void) | undefined;
  private readonly header = Buffer.alloc(5);
  private headerLength = 0;
  private bodyLeft = 0;
  private started = false;
  /** The message being read is a CopyData for `copyData` (else its bytes go to pg). */
  private ours = false;
  private parts: Buffer[] = [];

  constructor(private readonly toPg: (bytes: Buffer) => void = () => undefined) {}

  /** Routes `chunk`; returns a description of the first invalid header in it, or undefined. */
  feed(chunk: Buffer): string | undefined {
    const len = chunk.length;
    let i = 0;
    // Start of the bytes not yet handed to pg; -1 while inside a message of ours.
    let run = this.ours && (this.headerLength > 0 || this.bodyLeft > 0) ? -1 : 0;
    while (i < len) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, len - i);
        if (this.ours) this.parts.push(chunk.subarray(i, i + n));
        i += n;
        this.bodyLeft -= n;
        if (this.bodyLeft === 0 && this.ours) this.deliver(Buffer.concat(this.parts));
        continue;
      }
      if (this.headerLength === 0) {
        this.ours = chunk[i] === COPY_DATA && this.copyData !== undefined;
        if (!this.ours) {
          if (run < 0) run = i;
        } else {
          if (run >= 0 && i > run) this.toPg(chunk.subarray(run, i));
          run = -1;
          // The common case: header and payload in this chunk, handed on without a copy.
          if (i + 5 <= len) {
            const length = chunk.readUInt32BE(i + 1);
            const problem = this.check(COPY_DATA, length);
            if (problem !== undefined) return problem; // nothing of this chunk is pending for pg
            if (i + 1 + length <= len) {
              this.deliver(chunk.subarray(i + 5, i + 1 + length));
              i += 1 + length;
              continue;
            }
          }
        }
      }
      this.header[this.headerLength++] = chunk[i++]!;
      if (this.headerLength < 5) continue;
      this.headerLength = 0;
      const type = this.header[0]!;
      const length = this.header.readUInt32BE(1);
      const problem = this.check(type, length);
      if (problem !== undefined) {
        // pg gets what it always got, the chunk up to here; the caller destroys the socket.
        if (run >= 0 && run < i) this.toPg(chunk.subarray(run, i));
        return problem;
      }
      this.bodyLeft = length - 4;
      if (this.ours) {
        this.parts = [];
        if (this.bodyLeft === 0) this.deliver(EMPTY);
      }
    }
    if (run >= 0 && run < len) this.toPg(run === 0 ? chunk : chunk.subarray(run));
    return undefined;
  }

  private check(type: number, length: number): string | undefined {
    const limit = this.started && LONG_TYPES.has(type) ? MAX_LONG_MESSAGE : MAX_SHORT_MESSAGE;
    if (length < 4 || length > limit) return `message type ${describeType(type)} announced ${length} bytes`;
    if (type === READY_FOR_QUERY) this.started = true;
    return undefined;
  }

  private deliver(payload: Buffer): void {
    this.parts = [];
    this.copyData?.(payload);
  }
}

function describeType(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `0x${byte.toString(16).padStart(2, '0')}`;
}

interface PgConnectionInternals {
  attachListeners(stream: Duplex): void;
}

/** The guard of each client's current socket, for a CopyBoth stream to take its CopyData from. */
const guards = new WeakMap<pg.Client, FrameGuard>();

/** The FrameGuard in front of `client`'s parser (undefined if none was installed). */
export function frameGuardOf(client: pg.Client): FrameGuard | undefined {
  return guards.get(client);
}

/**
 * Puts a FrameGuard in front of pg's parser on the socket it reads (the TLS stream after an
 * upgrade): pg calls attachListeners once per connection, after the SSLRequest answer byte. pg's
 * 'data' listeners are taken off the socket and fed by the guard, so the guard decides which
 * bytes pg sees. An invalid length destroys the socket with a PROTOCOL error, which pg reports as
 * the connection's error (connect() rejects with it, or the running query does).
 */
export function installFrameGuard(client: pg.Client, where: string): void {
  const connection = (client as unknown as { connection: PgConnectionInternals }).connection;
  const attach = connection.attachListeners.bind(connection);
  connection.attachListeners = (stream: Duplex): void => {
    const before = new Set(stream.listeners('data'));
    attach(stream);
    const pgListeners = stream.listeners('data').filter((l) => !before.has(l)) as ((chunk: Buffer) => void)[];
    for (const l of pgListeners) stream.off('data', l);
    const guard = new FrameGuard((bytes) => {
      for (const l of pgListeners) l.call(stream, bytes);
    });
    guards.set(client, guard);
    const onData = (chunk: Buffer): void => {
      const problem = guard.feed(chunk);
      if (problem === undefined) {
        guard.afterChunk?.(chunk.length);
        return;
      }
      stream.off('data', onData);
      stream.destroy(
        new WalscopeError({
          code: 'PROTOCOL',
          message: `${where} does not speak the PostgreSQL protocol: ${problem}`,
          hint: 'Check that the host and port point at a PostgreSQL server, not another service or a proxy.',
        }),
      );
    };
    stream.on('data', onData);
  };
}
