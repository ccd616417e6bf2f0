import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullMajors, startPostgres, type PgServer } from '../support/postgres';
import { contractClient, type ContractClient } from '../support/session-client';
import { capture, clientConfig, eventually } from '../support/streams';

/** Slot operations through the contract (the dispatcher a window or socket talks to), against a real server. */
describe.each(fullMajors())('slot operations through the contract, PostgreSQL %i', (major) => {
  let server: PgServer;
  let client: ContractClient;
  let sessionId: string;

  beforeAll(async () => {
    server = await startPostgres({ major, name: 'slot-contract' });
    await server.query(`CREATE TABLE t (id int PRIMARY KEY, v text)`);
    client = contractClient();
    ({ sessionId } = await client.ok<{ sessionId: string }>('session.connect', {
      target: { kind: 'dsn', dsn: server.dsn() },
    }));
  });

  afterAll(async () => {
    await client?.close();
    await server?.destroy();
  });

  const position = async (slot: string): Promise<string | undefined> =>
    (
      await server.query<{ c: string }>(
        `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = $1`,
        [slot],
      )
    )[0]?.c;
  const exists = async (slot: string): Promise<boolean> =>
    (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [slot])).length === 1;
  const bytesBetween = async (to: string, from: string): Promise<number> =>
    Number(
      (await server.query<{ b: string }>(`SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text AS b`, [to, from]))[0]!
        .b,
    );

  it('refuses a physical slot with a plugin (or two-phase) and creates nothing', async () => {
    for (const extra of [{ plugin: 'pgoutput' }, { twoPhase: true }]) {
      const e = await client.error('slots.create', { sessionId, name: 'phys_plugin', kind: 'physical', ...extra });
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toBe(
        'a physical slot takes no output plugin, two-phase or failover option: those apply to logical slots',
      );
    }
    expect(await exists('phys_plugin')).toBe(false);
  });

  it('drops nothing without a valid token: forged, for another slot, from an advance preview, or used', async () => {
    await server.query(`SELECT pg_create_logical_replication_slot('keep_me', 'test_decoding')`);
    await server.query(`SELECT pg_create_logical_replication_slot('other', 'test_decoding')`);
    const forged = await client.error('slots.drop', { sessionId, name: 'keep_me', token: 'f'.repeat(32) });
    expect(forged).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'no valid confirmation for dropping slot "keep_me"',
    });
    const otherToken = (await client.ok<{ token: string }>('slots.describeDrop', { sessionId, name: 'other' })).token;
    expect((await client.error('slots.drop', { sessionId, name: 'keep_me', token: otherToken })).code).toBe(
      'INVALID_ARGUMENT',
    );
    const advanceToken = (await client.ok<{ token: string }>('slots.describeAdvance', { sessionId, name: 'keep_me' }))
      .token;
    expect((await client.error('slots.drop', { sessionId, name: 'keep_me', token: advanceToken })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await exists('keep_me')).toBe(true);
    const { token } = await client.ok<{ token: string }>('slots.describeDrop', { sessionId, name: 'keep_me' });
    await client.ok('slots.drop', { sessionId, name: 'keep_me', token });
    expect(await exists('keep_me')).toBe(false);
    await server.query(`SELECT pg_create_logical_replication_slot('keep_me', 'test_decoding')`);
    expect((await client.error('slots.drop', { sessionId, name: 'keep_me', token })).code).toBe('INVALID_ARGUMENT');
    expect(await exists('keep_me')).toBe(true);
  });

  it('advance: the preview states the bytes skipped and moves nothing; only its token moves the slot, once', async () => {
    await server.query(`SELECT pg_create_logical_replication_slot('adv', 'test_decoding')`);
    await server.query(`INSERT INTO t SELECT g, 'x' FROM generate_series(1, 500) g`);
    const before = (await position('adv'))!;
    const [{ lsn }] = (await server.query<{ lsn: string }>(`SELECT pg_current_wal_flush_lsn()::text AS lsn`)) as [
      { lsn: string },
    ];
    const p = await client.ok<{ from: string; target: string; skippedBytes: number; clamped: boolean; token: string }>(
      'slots.describeAdvance',
      { sessionId, name: 'adv', lsn },
    );
    expect(p).toMatchObject({ from: before, target: lsn, clamped: false });
    expect(p.skippedBytes).toBe(await bytesBetween(lsn, before));
    expect(p.skippedBytes).toBeGreaterThan(10_000);
    expect(await position('adv')).toBe(before);

    expect((await client.error('slots.advance', { sessionId, name: 'adv', token: 'forged' })).code).toBe(
      'INVALID_ARGUMENT',
    );
    const dropToken = (await client.ok<{ token: string }>('slots.describeDrop', { sessionId, name: 'adv' })).token;
    expect((await client.error('slots.advance', { sessionId, name: 'adv', token: dropToken })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await position('adv')).toBe(before);

    const done = await client.ok<{ endLsn: string; skippedBytes: number }>('slots.advance', {
      sessionId,
      name: 'adv',
      token: p.token,
    });
    expect(done).toEqual({ slot: 'adv', endLsn: lsn, skippedBytes: p.skippedBytes });
    expect(await position('adv')).toBe(lsn);
    expect((await client.error('slots.advance', { sessionId, name: 'adv', token: p.token })).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('advance is clamped to the flushed WAL as the server clamps it, and never goes backwards', async () => {
    await server.query(`INSERT INTO t SELECT g, 'y' FROM generate_series(1001, 1100) g`);
    const from = (await position('adv'))!;
    const p = await client.ok<{ requested: string; target: string; ceiling: string; clamped: boolean; token: string }>(
      'slots.describeAdvance',
      { sessionId, name: 'adv', lsn: 'FFFFFFFF/0' },
    );
    expect(p).toMatchObject({ requested: 'FFFFFFFF/0', clamped: true });
    expect(p.target).toBe(p.ceiling);
    const [{ flush }] = (await server.query<{ flush: string }>(`SELECT pg_current_wal_flush_lsn()::text AS flush`)) as [
      { flush: string },
    ];
    expect(await bytesBetween(flush, p.target)).toBeGreaterThanOrEqual(0);
    expect(await bytesBetween(p.target, from)).toBeGreaterThan(0);
    const done = await client.ok<{ endLsn: string }>('slots.advance', { sessionId, name: 'adv', token: p.token });
    expect(done.endLsn).toBe(p.target);

    const back = await client.error('slots.describeAdvance', { sessionId, name: 'adv', lsn: from });
    expect(back.code).toBe('INVALID_ARGUMENT');
    expect(back.message).toBe(`a slot never moves backwards: "adv" is at ${p.target}, and ${from} is before it`);
    expect(await position('adv')).toBe(p.target);
  });

  it('advance refuses an active slot, also when its consumer attached after the preview', async () => {
    await server.query(`INSERT INTO t SELECT g, 'z' FROM generate_series(2001, 2100) g`);
    const before = (await position('adv'))!;
    const p = await client.ok<{ token: string }>('slots.describeAdvance', { sessionId, name: 'adv' });
    const consumer = capture({ connection: clientConfig(server), source: { kind: 'direct', slot: 'adv' } });
    try {
      await eventually(
        async () =>
          (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'adv' AND active`)).length,
      );
      const late = await client.error('slots.advance', { sessionId, name: 'adv', token: p.token });
      expect(late.code).toBe('SLOT_IN_USE');
      expect(late.message).toMatch(/"adv" is active for PID \d+/);
      expect(await position('adv')).toBe(before); // inspect mode confirms nothing, so only an advance could move it
      const now = await client.error('slots.describeAdvance', { sessionId, name: 'adv' });
      expect(now.code).toBe('SLOT_IN_USE');
    } finally {
      await consumer.stop();
    }
  });
});
