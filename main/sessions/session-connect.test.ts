import { afterAll, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/errors';
import { answerSslWithN, fakeServer, startupDone, type FakeServer } from '../connection/test-support/fake-server';
import type { DemoHandle } from '../demo/demo-database';
import { ProfileStore } from './profile-store';
import { SessionManager } from './session-manager';

/** The connect dialog's Cancel, through the dispatcher: the attempt ends at once and leaves no socket. */
const servers: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function manager(): SessionManager {
  return new SessionManager(
    {
      shell: 'serve',
      profiles: new ProfileStore('/nonexistent/profiles.json', undefined),
      demo: () => Promise.reject<DemoHandle>(new Error('no demo here')),
      env: { PGPASSFILE: '/nonexistent', PGSERVICEFILE: '/nonexistent' },
    },
    () => undefined,
  );
}

async function connectThenCancel(
  server: FakeServer,
  until: () => boolean,
): Promise<{ result: Result<unknown>; ms: number }> {
  const m = manager();
  const t0 = Date.now();
  const pending = m.dispatcher.invoke('session.connect', {
    target: { kind: 'dsn', dsn: `host=127.0.0.1 port=${server.port} user=u dbname=d connect_timeout=30` },
    connectId: 'c1',
  });
  await expect.poll(until).toBe(true);
  expect(await m.dispatcher.invoke('session.cancelConnect', { connectId: 'c1' })).toEqual({
    ok: true,
    value: { cancelled: true },
  });
  const result = await pending;
  expect(m.sessionCount).toBe(0);
  expect(await m.dispatcher.invoke('session.cancelConnect', { connectId: 'c1' })).toEqual({
    ok: true,
    value: { cancelled: false },
  });
  return { result, ms: Date.now() - t0 };
}

describe('session.cancelConnect', () => {
  it('cancels a connect waiting on a silent server: CANCELLED at once, the socket closed', async () => {
    const server = await fakeServer(() => undefined);
    servers.push(server);
    const { result, ms } = await connectThenCancel(server, () => server.accepted() === 1);
    expect(result).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(ms).toBeLessThan(5000);
    await expect.poll(() => server.open()).toBe(0);
  });

  it('cancels a connect whose first catalog read never returns: CANCELLED, the session closed', async () => {
    let queries = 0;
    const server = await fakeServer(
      answerSslWithN((socket) => {
        socket.write(startupDone());
        socket.on('data', () => queries++); // reads the queries, answers none
      }),
    );
    servers.push(server);
    const { result } = await connectThenCancel(server, () => queries > 0);
    expect(result).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    await expect.poll(() => server.open()).toBe(0);
  });

  it('refuses a cancel request with extra keys (the contract is strict)', async () => {
    expect(await manager().dispatcher.invoke('session.cancelConnect', { connectId: 'x', all: true })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
  });
});
