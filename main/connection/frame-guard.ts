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

/** The framing loop: remembers where the next header starts across chunks, reads only headers. */
export class FrameGuard {
  private readonly header = Buffer.alloc(5);
  private headerLength = 0;
  private skip = 0;
  private started = false;

  /** Returns a description of the first invalid header in `chunk`, or undefined. */
  feed(chunk: Buffer): string | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      this.header[this.headerLength++] = chunk[i++]!;
      if (this.headerLength < 5) continue;
      this.headerLength = 0;
      const type = this.header[0]!;
      const length = this.header.readUInt32BE(1);
      const limit = this.started && LONG_TYPES.has(type) ? MAX_LONG_MESSAGE : MAX_SHORT_MESSAGE;
      if (length < 4 || length > limit) return `message type ${describeType(type)} announced ${length} bytes`;
      if (type === READY_FOR_QUERY) this.started = true;
      this.skip = length - 4;
    }
    return undefined;
  }
}

function describeType(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `0x${byte.toString(16).padStart(2, '0')}`;
}

interface PgConnectionInternals {
  attachListeners(stream: Duplex): void;
}

/**
 * Puts a FrameGuard in front of pg's parser on the socket it reads (the TLS stream after an
 * upgrade): pg calls attachListeners once per connection, after the SSLRequest answer byte.
 * An invalid length destroys the socket with a PROTOCOL error, which pg reports as the
 * connection's error (connect() rejects with it, or the running query does).
 */
export function installFrameGuard(client: pg.Client, where: string): void {
  const connection = (client as unknown as { connection: PgConnectionInternals }).connection;
  const attach = connection.attachListeners.bind(connection);
  connection.attachListeners = (stream: Duplex): void => {
    const guard = new FrameGuard();
    const onData = (chunk: Buffer): void => {
      const problem = guard.feed(chunk);
      if (problem === undefined) return;
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
    attach(stream);
  };
}
