import type net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { WalscopeError } from '../../shared/errors';
import { openSqlClient } from '../monitor/sql-client';
import { ReplicationConnection } from '../stream/replication-connection';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './open-client';
import { toPgClientConfig } from './pg-config';
import { parseConnectTimeout, resolveConnectionSettings } from './settings';
import {
  answerSslWithN,
  fakeServer,
  message,
  startupDone,
  type Behaviour,
  type FakeServer,
} from './test-support/fake-server';

/**
 * Servers that never complete start-up: each attempt must end with a typed error within the
 * connect bound (or at once, for bytes that cannot be PostgreSQL), leaving no socket open.
 */
const servers: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(behaviour: Behaviour): Promise<FakeServer> {
  const s = await fakeServer(behaviour);
  servers.push(s);
  return s;
}

const silent: Behaviour = () => undefined;

function configFor(server: FakeServer, extra = ''): ReturnType<typeof toPgClientConfig> {
  const s = resolveConnectionSettings(
    { dsn: `host=127.0.0.1 port=${server.port} user=u dbname=d password=pw${extra}` },
    { PGPASSFILE: '/nonexistent' },
    { home: '/nonexistent' },
  );
  return toPgClientConfig(s, { replication: 'database' });
}

/** Runs `attempt`, returns the WalscopeError it failed with and how long it took. */
async function failure(attempt: () => Promise<unknown>): Promise<{ error: WalscopeError; ms: number }> {
  const t0 = Date.now();
  try {
    await attempt();
  } catch (e) {
    if (!(e instanceof WalscopeError)) throw e;
    return { error: e, ms: Date.now() - t0 };
  }
  throw new Error('the connection attempt succeeded');
}

describe.concurrent('connect bound against servers that never answer', () => {
  it('a server that accepts TCP and stays silent: TIMEOUT after connect_timeout=2, socket closed', async ({
    expect,
  }) => {
    const server = await serve(silent);
    const { error, ms } = await failure(() =>
      ReplicationConnection.open(configFor(server, ' connect_timeout=2'), 'database'),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain(`127.0.0.1:${server.port} did not finish connecting within 2 s`);
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(3500);
    await expect.poll(() => server.open()).toBe(0);
  });

  it(`without connect_timeout the default bound (${DEFAULT_CONNECT_TIMEOUT_MS / 1000} s) applies`, async ({
    expect,
  }) => {
    const server = await serve(silent);
    const { error, ms } = await failure(() => openSqlClient(configFor(server)));
    expect(error.code).toBe('TIMEOUT');
    expect(ms).toBeGreaterThanOrEqual(DEFAULT_CONNECT_TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(DEFAULT_CONNECT_TIMEOUT_MS + 2500);
    await expect.poll(() => server.open()).toBe(0);
  }, 20_000);

  it('a non-PostgreSQL banner: PROTOCOL at once, with TLS requested (prefer) and without (disable)', async ({
    expect,
  }) => {
    const server = await serve((socket: net.Socket) => socket.write('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3\r\n'));
    for (const mode of ['prefer', 'disable']) {
      const { error, ms } = await failure(() =>
        ReplicationConnection.open(configFor(server, ` sslmode=${mode} connect_timeout=5`), 'database'),
      );
      expect(error.code).toBe('PROTOCOL');
      expect(error.message).toContain('does not speak the PostgreSQL protocol');
      expect(ms).toBeLessThan(1000);
    }
    await expect.poll(() => server.open()).toBe(0);
  });

  it("'N' to SSLRequest, then silence (sslmode=prefer retries in plain TCP): TIMEOUT within one bound", async ({
    expect,
  }) => {
    const server = await serve(answerSslWithN(() => undefined));
    const { error, ms } = await failure(() => openSqlClient(configFor(server, ' connect_timeout=2')));
    expect(error.code).toBe('TIMEOUT');
    expect(ms).toBeLessThan(3500);
    expect(server.accepted()).toBe(2); // the TLS attempt and the plain one, under one deadline
    await expect.poll(() => server.open()).toBe(0);
  });

  it('a 2 GiB message during start-up: PROTOCOL at once', async ({ expect }) => {
    const server = await serve(answerSslWithN((socket) => socket.write(message('E', Buffer.alloc(0), 0x8000_0000))));
    const { error, ms } = await failure(() =>
      ReplicationConnection.open(configFor(server, ' connect_timeout=5'), 'database'),
    );
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toMatch(/message type 'E' announced 2147483648 bytes/);
    expect(ms).toBeLessThan(1000);
    await expect.poll(() => server.open()).toBe(0);
  });

  it('a 2 GiB row after start-up (answering SHOW): PROTOCOL at once', async ({ expect }) => {
    const server = await serve(
      answerSslWithN((socket) => {
        socket.write(startupDone());
        socket.once('data', () => socket.write(message('D', Buffer.alloc(16), 0x8000_0000)));
      }),
    );
    const { error, ms } = await failure(() =>
      ReplicationConnection.open(configFor(server, ' connect_timeout=5'), 'database'),
    );
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toMatch(/message type 'D' announced 2147483648 bytes/);
    expect(ms).toBeLessThan(1000);
  });

  it('after start-up, a server that never answers SHOW is bounded too: TIMEOUT', async ({ expect }) => {
    const server = await serve(answerSslWithN((socket) => socket.write(startupDone())));
    const { error } = await failure(() =>
      ReplicationConnection.open(configFor(server, ' connect_timeout=2'), 'database'),
    );
    expect(error.code).toBe('TIMEOUT');
  });

  it('an AbortSignal cancels a connection in progress: CANCELLED at once, socket closed', async ({ expect }) => {
    const server = await serve(silent);
    const abort = new AbortController();
    const pending = failure(() => openSqlClient(configFor(server, ' connect_timeout=30'), { signal: abort.signal }));
    await expect.poll(() => server.accepted()).toBe(1);
    abort.abort();
    const { error, ms } = await pending;
    expect(error.code).toBe('CANCELLED');
    expect(ms).toBeLessThan(2000);
    await expect.poll(() => server.open()).toBe(0);
  });
});

describe('connect_timeout values', () => {
  it('reads integers like libpq (blanks allowed, 0 = no bound, below 2 s means 2 s)', () => {
    expect(parseConnectTimeout(' 15 ')).toBe(15);
    expect(parseConnectTimeout('0')).toBe(0);
    expect(parseConnectTimeout('1')).toBe(2);
    const s = resolveConnectionSettings({ dsn: 'host=h connect_timeout=0' }, {}, { home: '/nonexistent' });
    expect(toPgClientConfig(s).connectionTimeoutMillis).toBe(0);
  });
  it.each(['abc', '-5', '1.5', '10s', ''])(
    'refuses %j from the DSN and from PGCONNECT_TIMEOUT with INVALID_ARGUMENT',
    (bad) => {
      const env = { PGPASSFILE: '/nonexistent' };
      const attempts = [
        () => resolveConnectionSettings({ dsn: `host=h connect_timeout='${bad}'` }, env, { home: '/nonexistent' }),
        () =>
          resolveConnectionSettings(
            { dsn: 'host=h' },
            { ...env, PGCONNECT_TIMEOUT: bad || ' ' },
            { home: '/nonexistent' },
          ),
      ];
      for (const attempt of attempts) {
        expect(attempt).toThrow(WalscopeError);
        expect(attempt).toThrow(/connect_timeout/);
        try {
          attempt();
        } catch (e) {
          expect((e as WalscopeError).code).toBe('INVALID_ARGUMENT');
        }
      }
    },
  );
});
