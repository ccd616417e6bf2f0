import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 between WALscope and PostgreSQL that injects network faults:
 * pass, delay (ms per chunk), throttle (bytes/s), blackhole (stop forwarding without FIN/RST; the
 * connections it caught stay dead after it ends),
 * reset (RST every connection), cut after N bytes (server → client).
 */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'throttle'; bytesPerSec: number }
  | { kind: 'blackhole' }
  | { kind: 'reset' }
  | { kind: 'cut'; afterBytes: number };

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

  const pipe = (from: net.Socket, to: net.Socket, downstream: boolean, counter: { bytes: number }): void => {
    let chain = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      const m = mode;
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
