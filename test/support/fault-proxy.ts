import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 between WALscope and PostgreSQL that injects network faults:
 * pass, delay (ms per chunk), throttle (bytes/s), blackhole (stop forwarding without FIN/RST; the
 * connections it caught stay dead after it ends), reset (RST every connection), cut after N bytes
 * (server → client), corrupt (flip one byte of one XLogData, server → client, to feed the client a
 * message it cannot decode; it goes on in one write with the XLogData after it).
 */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'throttle'; bytesPerSec: number }
  | { kind: 'blackhole' }
  | { kind: 'reset' }
  | { kind: 'cut'; afterBytes: number }
  | CorruptMode;

/**
 * Flips (XOR 0xff) the byte at `offset` of the CopyData payload of the `nth` (1-based) XLogData
 * whose plugin output starts with `tag` (e.g. 'I' for a pgoutput Insert). Offset 0 is the 'w' of
 * XLogData, 25 the first byte of the plugin's output. Needs a plain connection (sslmode=disable):
 * the proxy frames the server's messages to find CopyData. The count spans all connections made
 * while the mode is set.
 */
export interface CorruptMode {
  kind: 'corrupt';
  tag: string;
  nth: number;
  offset: number;
}

const XLOGDATA_HEADER = 25;
/**
 * XLogData messages held back after the corrupt one and sent with it in one write: the client
 * then reads the corrupt message and those after it in one socket read, every time, which is the
 * case a fatal error must not hand anything more on in (TCP alone coalesces them only sometimes).
 */
const CORRUPT_FOLLOWERS = 3;

const isXLogData = (msg: Buffer): boolean => msg[0] === 0x64 && msg[5] === 0x77 && msg.length > 5 + XLOGDATA_HEADER;

/**
 * Frames server → client bytes into whole backend messages and corrupts the chosen XLogData; it
 * and everything after it go on together once CORRUPT_FOLLOWERS more XLogData have arrived.
 */
function corrupter(m: CorruptMode, state: { seen: number }): (chunk: Buffer) => Buffer {
  let pending: Buffer = Buffer.alloc(0);
  let held: Buffer[] | undefined;
  let followers = 0;
  const tag = m.tag.charCodeAt(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    const out: Buffer[] = [];
    let at = 0;
    while (pending.length - at >= 5) {
      const len = pending.readInt32BE(at + 1);
      if (pending.length - at < 1 + len) break;
      let msg = pending.subarray(at, at + 1 + len);
      at += 1 + len;
      if (isXLogData(msg) && msg[5 + XLOGDATA_HEADER] === tag && ++state.seen === m.nth) {
        msg = Buffer.from(msg); // never write into the socket's own buffer
        msg[5 + m.offset] = msg[5 + m.offset]! ^ 0xff;
        held = [];
        followers = 0;
      } else if (held && isXLogData(msg)) followers++;
      (held ?? out).push(msg);
      if (held && followers >= CORRUPT_FOLLOWERS) {
        out.push(...held);
        held = undefined;
      }
    }
    pending = pending.subarray(at);
    return Buffer.concat(out);
  };
}

export interface FaultProxy {
  port: number;
  setMode(mode: FaultMode): void;
  /** Resets every open connection now (RST). */
  resetAll(): void;
  connections(): number;
  close(): Promise<void>;
}

/** What every piped connection reads: the current mode, the corrupt count, the open and dead sockets. */
interface ProxyState {
  mode: FaultMode;
  corruptState: { seen: number };
  open: Set<net.Socket>;
  /**
   * Connections open while the path was blackholed stay dead (like a lost NAT mapping): they
   * deliver no data, FIN or RST ever again, so each end keeps its half until it gives up itself.
   */
  dead: WeakSet<net.Socket>;
}

/** 'cut': forwards bytes up to the limit, then resets both ends. False when nothing more may pass. */
function cutPasses(
  m: { afterBytes: number },
  chunk: Buffer,
  counter: { bytes: number },
  from: net.Socket,
  to: net.Socket,
) {
  const room = m.afterBytes - counter.bytes;
  counter.bytes += chunk.length;
  if (room > 0 && chunk.length <= room) return true;
  if (room > 0) to.write(chunk.subarray(0, room));
  from.resetAndDestroy();
  to.resetAndDestroy();
  return false;
}

/** 'delay' / 'throttle': the source is paused while a chunk waits; one chain keeps chunks in order. */
function delayer(from: net.Socket, to: net.Socket): (chunk: Buffer, waitMs: number) => void {
  let chain = Promise.resolve();
  return (chunk, waitMs) => {
    from.pause();
    chain = chain.then(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            if (!to.destroyed) to.write(chunk);
            from.resume();
            resolve();
          }, waitMs),
        ),
    );
  };
}

/** An end, error or close on one side is passed to the other, unless the connection is dead. */
function closeTogether(st: ProxyState, from: net.Socket, to: net.Socket): void {
  from.on('end', () => {
    if (!st.dead.has(from)) to.end();
  });
  from.on('error', () => {
    if (!st.dead.has(from)) to.destroy();
  });
  from.on('close', () => {
    st.open.delete(from);
    if (!to.destroyed && !st.dead.has(from)) to.destroy();
  });
}

/** Forwards `from` → `to` through the current fault mode. */
function pipe(st: ProxyState, from: net.Socket, to: net.Socket, downstream: boolean, counter: { bytes: number }): void {
  const corrupt = downstream && st.mode.kind === 'corrupt' ? corrupter(st.mode, st.corruptState) : undefined;
  const delay = delayer(from, to);
  from.on('data', (chunk: Buffer) => {
    const m = st.mode;
    if (corrupt) {
      // One write per chunk: the corrupt message goes on together with the ones after it.
      const framed = corrupt(chunk);
      if (framed.length && !to.destroyed) to.write(framed);
      return;
    }
    if (m.kind === 'blackhole' || st.dead.has(from)) return; // swallowed: neither side learns anything
    if (m.kind === 'cut' && downstream && !cutPasses(m, chunk, counter, from, to)) return;
    if (m.kind === 'delay') return delay(chunk, m.ms);
    if (m.kind === 'throttle') return delay(chunk, Math.ceil((chunk.length / m.bytesPerSec) * 1000));
    if (!to.destroyed) to.write(chunk);
  });
  closeTogether(st, from, to);
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const st: ProxyState = { mode: { kind: 'pass' }, corruptState: { seen: 0 }, open: new Set(), dead: new WeakSet() };
  const server = net.createServer((client) => {
    if (st.mode.kind === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    st.open.add(client);
    st.open.add(upstream);
    if (st.mode.kind === 'blackhole') for (const s of [client, upstream]) st.dead.add(s);
    const counter = { bytes: 0 };
    pipe(st, client, upstream, false, counter);
    pipe(st, upstream, client, true, counter);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const resetAll = (): void => {
    for (const s of st.open) s.resetAndDestroy();
    st.open.clear();
  };
  return {
    port,
    setMode(m) {
      st.mode = m;
      st.corruptState = { seen: 0 };
      if (m.kind === 'reset') resetAll();
      if (m.kind === 'blackhole') for (const s of st.open) st.dead.add(s);
    },
    resetAll,
    connections: () => st.open.size,
    async close() {
      for (const s of st.open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
