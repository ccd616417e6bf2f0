import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, startStandby, type PgServer } from '../support/postgres';
import { contractClient, type ContractClient } from '../support/session-client';
import { eventually } from '../support/eventually';

/**
 * Limits that protect the server (issue 12): no stream, peek or temporary slot starts when it
 * would leave fewer than the reserve of max_wal_senders free, and one client holds at most its
 * cap of replication connections and server sessions. A server with max_wal_senders = 6 and a
 * real standby: auto reserve = max(2, 20% of 6) = 2.
 */
describe('limits that protect the server (PostgreSQL 18, max_wal_senders = 6)', () => {
  let server: PgServer;
  let standbyA: PgServer | undefined;
  let standbyB: PgServer | undefined;

  beforeAll(async () => {
    server = await startPostgres({ name: 'limits', settings: { max_wal_senders: 6, max_replication_slots: 20 } });
    await server.query(`CREATE TABLE t (id int PRIMARY KEY, v text)`);
    await server.query(`SELECT pg_create_logical_replication_slot('backlog', 'test_decoding')`);
    standbyA = await startStandby(server, { slot: 'standby_a' });
    await eventually(async () => (await streamingStandbys()) === 1);
  });

  afterAll(async () => {
    await standbyB?.destroy();
    await standbyA?.destroy();
    await server?.destroy();
  });

  const streamingStandbys = async (): Promise<number> =>
    (
      await server.query(
        `SELECT 1 FROM pg_stat_replication WHERE application_name = 'walscope_test_standby' AND state = 'streaming'`,
      )
    ).length;
  const walsenders = async (): Promise<number> =>
    Number((await server.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_stat_replication`))[0]!.n);
  const tail = { kind: 'temporary', plugin: 'test_decoding', publications: [] };

  async function connect(client: ContractClient): Promise<string> {
    return (await client.ok<{ sessionId: string }>('session.connect', { target: { kind: 'dsn', dsn: server.dsn() } }))
      .sessionId;
  }

  it('one client holds at most its cap of streams (peeks and temporary slots count) and sessions', async () => {
    const client = contractClient({ env: { WALSCOPE_MAX_STREAMS: '2', WALSCOPE_MAX_SESSIONS: '1' } });
    try {
      const sessionId = await connect(client);
      const second = await client.error('session.connect', { target: { kind: 'dsn', dsn: server.dsn() } });
      expect(second).toMatchObject({
        code: 'LIMIT',
        message: 'this window already has 1 of its 1 server connections open',
      });

      const one = await client.ok<{ streamId: string }>('stream.start', { sessionId, source: tail });
      await client.ok('slots.create', {
        sessionId,
        name: 'held_temp',
        kind: 'logical',
        plugin: 'test_decoding',
        temporary: true,
      });
      for (const [name, req] of [
        ['stream.start', { sessionId, source: tail }],
        ['slots.peek', { sessionId, name: 'backlog', limit: 10 }],
        ['slots.create', { sessionId, name: 'one_more', kind: 'logical', plugin: 'test_decoding', temporary: true }],
      ] as const) {
        const e = await client.error(name, req);
        expect(e.code, name).toBe('LIMIT');
        expect(e.message, name).toMatch(/^this window already holds 2 of its 2 replication connections/);
      }
      expect(await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'one_more'`)).toEqual([]);
      expect(await walsenders()).toBe(3); // the standby, the stream, the temporary slot's holder

      await client.ok('stream.stop', { sessionId, streamId: one.streamId });
      const again = await client.ok<{ streamId: string }>('stream.start', { sessionId, source: tail });
      await client.ok('stream.stop', { sessionId, streamId: again.streamId });
      // Disconnecting frees the session and the temporary slot's allowance.
      await client.ok('session.disconnect', { sessionId });
      const next = await connect(client);
      await client.ok('stream.start', { sessionId: next, source: tail });
      await client.ok('slots.peek', { sessionId: next, name: 'backlog', limit: 10 });
    } finally {
      await client.close();
    }
    await eventually(async () => (await walsenders()) === 1);
  });

  it("refuses a stream, peek or temporary slot that would eat into the walsender reserve, naming the numbers (also for a role that cannot read other users' activity); standbys still connect", async () => {
    const client = contractClient({ limits: { maxStreams: 10 } });
    try {
      const sessionId = await connect(client);
      for (let i = 0; i < 3; i++) await client.ok('stream.start', { sessionId, source: tail });
      expect(await walsenders()).toBe(4); // 1 standby + 3 streams: 2 of 6 left, the reserve

      const refused = await client.error('stream.start', { sessionId, source: tail });
      expect(refused).toMatchObject({
        code: 'LIMIT',
        message:
          'starting this stream would leave 1 of 6 walsender slots (max_wal_senders) free (5 in use, counting it); WALscope keeps 2 free for standbys and other replication clients',
      });
      const peek = await client.error('slots.peek', { sessionId, name: 'backlog', limit: 10 });
      expect(peek.code).toBe('LIMIT');
      expect(peek.message).toMatch(/^starting this stream would leave 1 of 6 walsender slots/);
      const temp = await client.error('slots.create', {
        sessionId,
        name: 'reserve_temp',
        kind: 'logical',
        plugin: 'test_decoding',
        temporary: true,
      });
      expect(temp.code).toBe('LIMIT');
      expect(temp.message).toMatch(/^holding this temporary slot would leave 1 of 6 walsender slots/);
      expect(await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'reserve_temp'`)).toEqual([]);
      await eventually(async () => (await walsenders()) === 4); // the refused connections are gone

      // A role without pg_read_all_stats counts the other users' walsenders too.
      await server.query(`CREATE ROLE watcher LOGIN REPLICATION PASSWORD 'pw'`);
      const other = contractClient();
      try {
        const { sessionId: theirs } = await other.ok<{ sessionId: string }>('session.connect', {
          target: { kind: 'dsn', dsn: server.dsn({ user: 'watcher', password: 'pw' }) },
        });
        expect((await other.error('stream.start', { sessionId: theirs, source: tail })).message).toMatch(
          /^starting this stream would leave 1 of 6 walsender slots \(max_wal_senders\) free \(5 in use, counting it\)/,
        );
      } finally {
        await other.close();
      }
      await eventually(async () => (await walsenders()) === 4);

      // What the reserve is for: a second real standby still finds a walsender slot.
      standbyB = await startStandby(server, { slot: 'standby_b' });
      await eventually(async () => (await streamingStandbys()) === 2, 30_000);
    } finally {
      await client.close();
    }
  });
});
