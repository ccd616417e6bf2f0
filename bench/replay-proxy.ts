/**
 * The client-bound half of `npm run bench`: a PostgreSQL wire proxy in front of the bench server
 * that hands each replication client the stream from memory, as fast as the client reads it.
 *
 * Why: on a host whose walsender is slower than every client, wall time measures the server, not
 * the client (docs/BENCHMARKS.md). A server with cores to spare sends faster than any client reads:
 * its socket stays full and the kernel carries the messages in large segments. Replaying a
 * recording of the same stream from memory puts each contender in that position on this machine.
 *
 * Every byte passes through both ways (start-up, authentication, the catalog queries, the
 * clients' status updates, CopyDone and the server's answer), except the server's CopyData on a
 * replication connection after START_REPLICATION:
 * - record: the first client with a given START_REPLICATION option list gets the real stream, and
 *   its XLogData (not the keepalives) is kept, with the highest WAL end the server reported;
 * - replay: a later client with the same options gets the recorded XLogData, then one keepalive
 *   carrying that WAL end (clients stop at an end position on data or on a keepalive at or past
 *   it). Meanwhile the proxy stops reading the server, so its walsender waits on a full socket
 *   instead of competing for the cores; when the client sends CopyDone it is passed on, reading
 *   resumes and the server's remaining CopyData is dropped until its own CopyDone.
 * The stream a client gets is the server's output for its own options (same slot position, same
 * WAL), recorded once per option list by a run that is not timed.
 */
import net from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const COPY_BOTH = 0x57; // 'W'
const QUERY = 0x51; // 'Q'
const XLOG_DATA = 0x77; // 'w'
const KEEPALIVE = 0x6b; // 'k'
/** Replay writes at most this much at a time, waiting for 'drain' in between. */
const WRITE_SLICE = 256 * 1024;

interface Recording {
  /** Whole CopyData messages (type byte, length, XLogData), back to back. */
  bytes: Buffer;
  messages: number;
  walEnd: bigint;
}

/**
 * Splits a byte stream into PostgreSQL messages: typed ones (type byte + Int32 length) once
 * `typed`, untyped start-up packets (Int32 length first) before.
 */
class Framer {
  typed = false;
  private pending: Buffer = Buffer.alloc(0);

  /** Calls `each(message)` for every whole message in `chunk` plus what was left before. */
  feed(chunk: Buffer, each: (m: Buffer) => void): void {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let i = 0;
    for (;;) {
      const head = this.typed ? 5 : 4;
      if (buf.length - i < head) break;
      const len = buf.readUInt32BE(this.typed ? i + 1 : i) + (this.typed ? 1 : 0);
      if (buf.length - i < len) break;
      each(buf.subarray(i, i + len));
      i += len;
    }
    this.pending = i < buf.length ? Buffer.from(buf.subarray(i)) : Buffer.alloc(0);
  }
}

/** `START_REPLICATION … LOGICAL lsn (options)` → its option list, normalized; undefined otherwise. */
export function replicationKey(query: string): string | undefined {
  const m = /^\s*START_REPLICATION\s+SLOT\s+("[^"]+"|\S+)\s+LOGICAL\s+\S+\s*(?:\((.*)\))?\s*;?\s*$/is.exec(query);
  if (!m) return undefined;
  const options = (m[2] ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0)
    .map((o) => {
      const [k, ...v] = o.split(/\s+/);
      return `${k!.replace(/"/g, '').toLowerCase()}=${v.join(' ').replace(/'/g, '')}`;
    })
    .sort();
  return options.join(',');
}

function keepalive(walEnd: bigint): Buffer {
  const b = Buffer.alloc(1 + 4 + 1 + 8 + 8 + 1);
  b[0] = COPY_DATA;
  b.writeUInt32BE(4 + 1 + 8 + 8 + 1, 1);
  b[5] = KEEPALIVE;
  b.writeBigUInt64BE(walEnd, 6);
  b.writeBigUInt64BE(0n, 14);
  b[22] = 0;
  return b;
}

export class ReplayProxy {
  private readonly recordings = new Map<string, Recording>();
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** Streams served from a recording so far. */
  replays = 0;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {
    this.server = net.createServer((client) => this.connection(client));
  }

  listen(): Promise<number> {
    return new Promise((resolve) => {
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port));
    });
  }

  /** What was recorded, per option list: messages and bytes (for the report). */
  recorded(): { key: string; messages: number; bytes: number }[] {
    return [...this.recordings].map(([key, r]) => ({ key, messages: r.messages, bytes: r.bytes.length }));
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private connection(client: net.Socket): void {
    const upstream = net.connect(this.upstreamPort, this.upstreamHost);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    const link = new ProxyLink(client, upstream, {
      recording: (key) => this.recordings.get(key),
      keep: (key, r) => {
        if (!this.recordings.has(key)) this.recordings.set(key, r);
      },
      replay: (r) => {
        this.replays++;
        return this.replay(client, r);
      },
    });
    client.on('data', (chunk: Buffer) => link.fromClient(chunk));
    // A client may end the stream by closing the connection instead of CopyDone (pg-logical-replication).
    client.on('close', () => link.clientGone());
    upstream.on('data', (chunk: Buffer) => link.fromServer(chunk));
  }

  private async replay(client: net.Socket, r: Recording): Promise<void> {
    for (let i = 0; i < r.bytes.length && !client.destroyed; i += WRITE_SLICE) {
      if (!client.write(r.bytes.subarray(i, i + WRITE_SLICE))) {
        await new Promise<void>((resolve) => {
          const go = (): void => {
            client.off('drain', go);
            client.off('close', go);
            resolve();
          };
          client.on('drain', go);
          client.on('close', go);
        });
      }
    }
    if (!client.destroyed) client.write(keepalive(r.walEnd));
  }
}

interface LinkHooks {
  recording(key: string): Recording | undefined;
  keep(key: string, r: Recording): void;
  /** Sends `r` to the client, settling when it is written; the server's CopyData is dropped meanwhile. */
  replay(r: Recording): Promise<void>;
}

/** One client connection and its upstream: what passes, what is recorded, when a replay starts. */
class ProxyLink {
  private readonly clientFramer = new Framer();
  private readonly serverFramer = new Framer();
  /** The server's next byte answers an SSL or GSS encryption request (one byte, no frame). */
  private answerByte = false;
  private key: string | undefined;
  /** After CopyBothResponse: recording into `parts`, or replaying (server CopyData dropped). */
  private phase: 'none' | 'record' | 'replay' = 'none';
  private parts: Buffer[] = [];
  private messages = 0;
  private walEnd = 0n;
  /**
   * Server messages held while a replay is being written: the replay's slices cut through
   * messages, so the server's answer to an early CopyDone (CopyDone, CommandComplete,
   * ReadyForQuery) must wait until the recording and its keepalive are out.
   */
  private held: Buffer[] | undefined;

  constructor(
    private readonly client: net.Socket,
    private readonly upstream: net.Socket,
    private readonly hooks: LinkHooks,
  ) {}

  fromClient(chunk: Buffer): void {
    this.upstream.write(chunk);
    this.clientFramer.feed(chunk, (m) => {
      if (!this.clientFramer.typed) {
        const code = m.length >= 8 ? m.readUInt32BE(4) : 0;
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) this.answerByte = true;
        else this.clientFramer.typed = true; // the start-up packet: typed messages from now on
        return;
      }
      if (m[0] === QUERY) this.key = replicationKey(m.toString('utf8', 5, m.length - 1));
      else if (m[0] === COPY_DONE && this.phase === 'replay') this.upstream.resume();
      else if (m[0] === COPY_DONE && this.phase === 'record') this.keep();
    });
  }

  clientGone(): void {
    if (this.phase === 'record') this.keep();
  }

  fromServer(chunk: Buffer): void {
    let rest = chunk;
    if (this.answerByte) {
      this.answerByte = false;
      if (rest[0] !== 0x4e) {
        // 'S' or 'G': the rest would be encrypted, which this proxy cannot read. The bench connects
        // with sslmode=disable; anything else fails here, loudly, instead of hanging.
        process.stderr.write('replay proxy: the server accepted SSL or GSS encryption; use sslmode=disable\n');
        this.client.destroy();
        this.upstream.destroy();
        return;
      }
      this.client.write(rest.subarray(0, 1));
      rest = rest.subarray(1);
    }
    const out: Buffer[] = [];
    this.serverFramer.typed = true;
    this.serverFramer.feed(rest, (m) => {
      if (m[0] === COPY_DATA && this.phase === 'replay') return;
      if (m[0] === COPY_DATA && this.phase === 'record') this.record(m);
      if (m[0] === COPY_DONE) this.phase = 'none';
      out.push(m);
      if (m[0] === COPY_BOTH && this.key !== undefined) this.copyBoth(this.key, out);
    });
    if (out.length === 0) return;
    if (this.held) this.held.push(...out);
    else this.client.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  }

  private record(m: Buffer): void {
    const inner = m[5];
    if (inner === XLOG_DATA || inner === KEEPALIVE) {
      const end = m.readBigUInt64BE(inner === XLOG_DATA ? 14 : 6);
      if (end > this.walEnd) this.walEnd = end;
    }
    if (inner === XLOG_DATA) {
      this.parts.push(Buffer.from(m));
      this.messages++;
    }
  }

  /** The stream starts: record it, or send what came before and replay the recording. */
  private copyBoth(key: string, out: Buffer[]): void {
    const recording = this.hooks.recording(key);
    if (!recording) {
      this.phase = 'record';
      this.parts = [];
      this.messages = 0;
      this.walEnd = 0n;
      return;
    }
    this.phase = 'replay';
    this.upstream.pause();
    this.client.write(Buffer.concat(out.splice(0)));
    this.held = [];
    void this.hooks.replay(recording).then(() => {
      const held = this.held ?? [];
      this.held = undefined;
      if (held.length && !this.client.destroyed) this.client.write(Buffer.concat(held));
    });
  }

  private keep(): void {
    this.hooks.keep(this.key!, { bytes: Buffer.concat(this.parts), messages: this.messages, walEnd: this.walEnd });
  }
}
