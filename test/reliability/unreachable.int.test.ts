import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WalscopeError } from '../../shared/errors';
import { runCli, streamCli } from '../support/cli';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startPostgres, type PgServer } from '../support/postgres';
import { capture, clientConfig } from '../support/streams';

/**
 * Servers that never answer or go away: the CLI ends with a typed error and exit 1 within the
 * connect bound; a stream that never connected fails at once with its cause; a running stream
 * whose server is gone for good gives up after a bounded, visible number of attempts.
 */

/** A TCP listener that accepts and never says anything. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('CLI against servers that never answer', () => {
  it('identify against a silent server: "walscope: error [TIMEOUT]: …" and exit 1 after connect_timeout', async () => {
    const silent = await silentServer();
    try {
      const t0 = Date.now();
      const r = await runCli([
        'identify',
        '--dsn',
        `host=127.0.0.1 port=${silent.port} user=u password=secret connect_timeout=2`,
      ]);
      const ms = Date.now() - t0;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^walscope: error \\[TIMEOUT\\]: 127\\.0\\.0\\.1:${silent.port} did not finish connecting within 2 s`,
        ),
      );
      expect(r.stderr).not.toContain('secret');
      expect(ms).toBeGreaterThanOrEqual(2000);
      expect(ms).toBeLessThan(10_000); // the 2 s bound plus process start-up, well under the 10 s default
    } finally {
      await silent.close();
    }
  });

  it('an invalid connect_timeout is a configuration error (exit 2), not ignored', async () => {
    const r = await runCli(['identify', '--dsn', 'host=127.0.0.1 port=1 connect_timeout=abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^walscope: error \[INVALID_ARGUMENT\]: invalid integer value for connection option "connect_timeout"/,
    );
  });

  it('stream against a closed port: exit 1 with the cause (connection refused), no "reconnecting"', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const r = await runCli(['stream', '--temporary', '--dsn', `host=127.0.0.1 port=${port} user=u sslmode=disable`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^walscope: error \[CONNECTION\]: .*ECONNREFUSED/);
    expect(r.stderr).toContain('Connection refused');
    expect(r.stderr).not.toMatch(/reconnecting/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe('a running stream whose server goes away for good', () => {
  let server: PgServer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    server = await startPostgres({ name: 'unreachable' });
    await server.query(`CREATE TABLE u (id int PRIMARY KEY)`);
  });

  afterAll(async () => {
    await proxy?.close();
    await server?.destroy();
  });

  it('ends with an error after exactly maxAttempts reconnection attempts, each reported as n/N', async () => {
    proxy = await startFaultProxy({ host: server.host, port: server.port });
    const c = capture({
      connection: { ...clientConfig(server), port: proxy.port },
      source: { kind: 'temporary', plugin: 'test_decoding' },
      backoff: { initialMs: 20, maxMs: 100, maxAttempts: 3 },
    });
    const outcome = c.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    await c.until(() => c.states.some((s) => s.state === 'streaming'));
    await proxy.close(); // connections reset, the port refuses from now on
    const error = await outcome;
    expect(error).toBeInstanceOf(WalscopeError);
    expect((error as WalscopeError).code).toBe('CONNECTION');
    expect((error as WalscopeError).message).toMatch(
      /^the stream was lost and 3 reconnection attempts failed; last error: /,
    );
    const attempts = c.states.filter((s) => s.state === 'reconnecting');
    expect(attempts.map((s) => `${s.attempt}/${s.maxAttempts}`)).toEqual(['1/3', '2/3', '3/3']);
    expect(c.states.at(-1)).toMatchObject({ state: 'failed', error: { code: 'CONNECTION' } });
  });

  it('the CLI prints "attempt n/N" on stderr for --retries N, then exits 1 with the error', async () => {
    proxy = await startFaultProxy({ host: server.host, port: server.port });
    const dsn = server.dsn().replace(`:${server.port}/`, `:${proxy.port}/`);
    const cli = streamCli(['stream', '--temporary', '--dsn', dsn, '--retries', '2']);
    // A change arriving on stdout proves the stream was running before the server went away.
    await expect
      .poll(
        async () => {
          await server.query(`INSERT INTO u VALUES ((random() * 1e9)::int) ON CONFLICT DO NOTHING`);
          return cli.lines.length;
        },
        { timeout: 30_000, interval: 300 },
      )
      .toBeGreaterThan(0);
    await proxy.close();
    await expect.poll(() => cli.child.exitCode, { timeout: 30_000 }).not.toBeNull();
    expect(cli.child.exitCode).toBe(1);
    const stderr = cli.stderr();
    expect(
      stderr.match(/reconnecting in \d+ ms \(attempt \d+\/\d+\)/g)?.map((l) => l.replace(/.*attempt /, '')),
    ).toEqual(['1/2)', '2/2)']);
    expect(stderr).toMatch(/walscope: error \[CONNECTION\]: the stream was lost and 2 reconnection attempts failed/);
  }, 60_000);
});
