import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 between WALscope and PostgreSQL that injects network faults:
 * pass, delay (ms per chunk), throttle (bytes/s), blackhole (stop forwarding without FIN/RST; the
 * connections it caught stay dead after it ends), reset (RST every connection), cut after N bytes
 * (server → client), corrupt (flip one byte of one XLogData, server → client, to feed the client a
 * message it cannot decode).
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

/** Frames server → client bytes into whole backend messages and corrupts the chosen XLogData. */
function corrupter(m: CorruptMode, state: { seen: number }): (chunk: Buffer) => Buffer {
  let pending: Buffer = Buffer.alloc(0);
  const tag = m.tag.charCodeAt(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    while (pending.length - at >= 5) {
      const len = pending.readInt32BE(at + 1);
      if (pending.length - at < 1 + len) break;
      const isCopyData = pending[at] === 0x64; // 'd'
      const payload = at + 5;
      if (isCopyData && pending[payload] === 0x77 && len - 4 > XLOGDATA_HEADER) {
        if (pending[payload + XLOGDATA_HEADER] === tag && ++state.seen === m.nth) {
          pending = Buffer.from(pending); // never write into the socket's own buffer
          pending[payload + m.offset] = pending[payload + m.offset]! ^ 0xff;
        }
      }
      at += 1 + len;
    }
    const out = pending.subarray(0, at);
    pending = pending.subarray(at);
    return out;
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

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: FaultMode = { kind: 'pass' };
  const open = new Set<net.Socket>();
  // Connections open while the path was blackholed stay dead (like a lost NAT mapping): they
  // deliver no data, FIN or RST ever again, so each end keeps its half until it gives up itself.
  const dead = new WeakSet<net.Socket>();

  let corruptState = { seen: 0 };
  const pipe = (from: net.Socket, to: net.Socket, downstream: boolean, counter: { bytes: number }): void => {
    let chain = Promise.resolve();
    const corrupt = downstream && mode.kind === 'corrupt' ? corrupter(mode, corruptState) : undefined;
    from.on('data', (chunk: Buffer) => {
      const m = mode;
      if (corrupt) {
        // The whole chunk goes on in one write, so the client parses the corrupt message together
        // with the ones the server sent right after it.
        const framed = corrupt(chunk);
        if (framed.length && !to.destroyed) to.write(framed);
        return;
      }
      if (m.kind === 'blackhole' || dead.has(from)) return; // swallowed: neither side learns anything
      if (m.kind === 'cut' && downstream) {
        const room = m.afterBytes - counter.bytes;
        counter.bytes += chunk.length;
        if (room <= 0) {
          from.resetAndDestroy();
          to.resetAndDestroy();
          return;
        }
        if (chunk.length > room) {
          to.write(chunk.subarray(0, room));
          from.resetAndDestroy();
          to.resetAndDestroy();
          return;
        }
      }
      if (m.kind === 'delay' || m.kind === 'throttle') {
        from.pause();
        const wait = m.kind === 'delay' ? m.ms : Math.ceil((chunk.length / m.bytesPerSec) * 1000);
        chain = chain.then(
          () =>
            new Promise<void>((resolve) =>
              setTimeout(() => {
                if (!to.destroyed) to.write(chunk);
                from.resume();
                resolve();
              }, wait),
            ),
        );
        return;
      }
      if (!to.destroyed) to.write(chunk);
    });
    from.on('end', () => {
      if (!dead.has(from)) to.end();
    });
    from.on('error', () => {
      if (!dead.has(from)) to.destroy();
    });
    from.on('close', () => {
      open.delete(from);
      if (!to.destroyed && !dead.has(from)) to.destroy();
    });
  };

  const server = net.createServer((client) => {
    if (mode.kind === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    if (mode.kind === 'blackhole') for (const s of [client, upstream]) dead.add(s);
    const counter = { bytes: 0 };
    pipe(client, upstream, false, counter);
    pipe(upstream, client, true, counter);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const resetAll = (): void => {
    for (const s of open) s.resetAndDestroy();
    open.clear();
  };
  return {
    port,
    setMode(m) {
      mode = m;
      corruptState = { seen: 0 };
      if (m.kind === 'reset') resetAll();
      if (m.kind === 'blackhole') for (const s of open) dead.add(s);
    },
    resetAll,
    connections: () => open.size,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
