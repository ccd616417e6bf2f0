import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { codeOf } from '../support/errors';
import { ServerMonitor } from '../../main/monitor/server-monitor';
import { fullMajors, startPostgres, startStandby, type PgServer } from '../support/postgres';
import { capture, clientConfig, eventually } from '../support/streams';

const COLUMNS_BY_MAJOR: Record<number, string[]> = {
  15: [
    'slot_name',
    'plugin',
    'slot_type',
    'datoid',
    'database',
    'temporary',
    'active',
    'active_pid',
    'xmin',
    'catalog_xmin',
    'restart_lsn',
    'confirmed_flush_lsn',
    'wal_status',
    'safe_wal_size',
    'two_phase',
    'stats_spill_txns',
    'stats_total_bytes',
  ],
  18: [
    'wal_status',
    'safe_wal_size',
    'two_phase',
    'conflicting',
    'invalidation_reason',
    'inactive_since',
    'failover',
    'synced',
    'stats_stream_bytes',
  ],
};

describe.each(fullMajors())('monitor against PostgreSQL %i', (major) => {
  let server: PgServer;
  let monitor: ServerMonitor;
  const log: string[] = [];

  beforeAll(async () => {
    server = await startPostgres({ major, settings: { max_replication_slots: 8 } });
    await server.query(`CREATE TABLE m (id int PRIMARY KEY, v text); CREATE PUBLICATION pub FOR TABLE m`);
    await server.query(`SELECT pg_create_logical_replication_slot('idle_logical', 'pgoutput')`);
    await server.query(`INSERT INTO m SELECT g, repeat('x', 100) FROM generate_series(1, 5000) g`);
    monitor = await ServerMonitor.open(clientConfig(server), {
      log: (l) => log.push(l),
      thresholds: { retainedWalBytes: 1024 },
    });
  });

  afterAll(async () => {
    await monitor?.close();
    await server?.destroy();
  });

  it('reads every slot column the version has and derives figures that match SQL', async () => {
    const snap = await monitor.poll();
    const slot = snap.slots.find((s) => s.name === 'idle_logical')!;
    for (const c of COLUMNS_BY_MAJOR[major]!) expect(Object.keys(slot.columns), c).toContain(c);
    if (major < 16) expect(Object.keys(slot.columns)).not.toContain('conflicting');
    // Recompute independently against the same current position the poll used.
    const [sql] = await server.query<{ retained: string; pending: string }>(
      `SELECT pg_wal_lsn_diff($1::pg_lsn, restart_lsn)::text AS retained, pg_wal_lsn_diff($1::pg_lsn, confirmed_flush_lsn)::text AS pending
         FROM pg_replication_slots WHERE slot_name = 'idle_logical'`,
      [snap.overview.currentLsn],
    );
    expect(slot.retainedBytes).toBe(Number(sql!.retained));
    expect(slot.pendingBytes).toBe(Number(sql!.pending));
    expect(slot.pendingBytes! > 500_000).toBe(true);
    expect(slot.status).toBe('inactive');
    expect(slot.walStatus).toBe('reserved');
    expect(slot.ownedByWalscope).toBe(false);
    expect(snap.alerts.some((a) => a.key === 'slot:idle_logical:retained')).toBe(true);
    expect(snap.overview).toMatchObject({
      walLevel: 'logical',
      inRecovery: false,
      timeline: 1,
      serverVersionNum: server.versionNum,
    });
    expect(snap.overview.publications).toEqual(['pub']);
    expect(snap.overview.plugins).toEqual(expect.arrayContaining(['pgoutput', 'test_decoding']));
  });

  it('shows a real standby with lag figures, and which slot it uses', async () => {
    const standby = await startStandby(server, { slot: 'standby_slot' });
    try {
      await eventually(async () => (await monitor.poll()).standbys.some((s) => s.state === 'streaming'));
      await server.query(`INSERT INTO m SELECT g, 'more' FROM generate_series(5001, 6000) g`);
      const snap = await monitor.poll();
      const sb = snap.standbys[0]!;
      expect(sb.applicationName).toBe('walscope_test_standby');
      expect(sb.slotName).toBe('standby_slot');
      expect(sb.replayLagBytes).not.toBeNull();
      expect(sb.sentLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      const physical = snap.slots.find((s) => s.name === 'standby_slot')!;
      expect(physical).toMatchObject({ slotType: 'physical', active: true, status: 'active' });
      const d = await monitor.describeDrop('standby_slot');
      expect(d.usedByStandby).toBe('walscope_test_standby');
      expect(monitor.history.since(`standby:walscope_test_standby:${sb.pid}`, 0).length).toBeGreaterThan(0);
    } finally {
      await standby.destroy();
    }
    await eventually(async () => !(await monitor.poll()).slots.find((s) => s.name === 'standby_slot')!.active);
    const d = await monitor.describeDrop('standby_slot');
    await monitor.drop('standby_slot', d.token, false);
  });

  it('creates slots with clear errors, and warns about retained WAL', async () => {
    const created = await monitor.createSlot({ name: 'walscope_made', kind: 'logical', plugin: 'test_decoding' });
    expect(created.warning).toMatch(/retains WAL .* until it is consumed or dropped.*unlimited/);
    expect((await monitor.poll()).slots.find((s) => s.name === 'walscope_made')).toMatchObject({
      ownedByWalscope: true,
    });
    expect((await monitor.poll()).orphans).toContain('walscope_made');
    const temp = await monitor.createSlot({ name: 'temp_made', kind: 'logical', plugin: 'pgoutput', temporary: true });
    expect(temp.warning).toMatch(/dropped when you disconnect/);
    expect((await monitor.poll()).slots.find((s) => s.name === 'temp_made')).toMatchObject({ temporary: true });
    await monitor.createSlot({ name: 'phys_made', kind: 'physical' });
    expect(await codeOf(monitor.createSlot({ name: 'walscope_made', kind: 'logical', plugin: 'pgoutput' }))).toBe(
      'SLOT_EXISTS',
    );
    expect(await codeOf(monitor.createSlot({ name: 'Bad', kind: 'logical' }))).toBe('INVALID_ARGUMENT');
    expect(
      await codeOf(monitor.createSlot({ name: 'nope_plugin', kind: 'logical', plugin: 'no_such_plugin' })),
    ).not.toBe('INTERNAL');

    await server.query(`CREATE ROLE plain LOGIN PASSWORD 'pw'`);
    const plain = await ServerMonitor.open({ ...clientConfig(server), user: 'plain', password: 'pw' });
    try {
      expect((await plain.poll()).overview.canReplicate).toBe(false);
      expect((await monitor.poll()).overview.canReplicate).toBe(true);
      expect(await codeOf(plain.createSlot({ name: 'denied', kind: 'logical', plugin: 'pgoutput' }))).toBe('PRIVILEGE');
    } finally {
      await plain.close();
    }
    // max_replication_slots = 8: fill the rest.
    const existing = (await monitor.poll()).slots.length;
    for (let i = existing; i < 8; i++) await monitor.createSlot({ name: `fill_${i}`, kind: 'physical' });
    expect(await codeOf(monitor.createSlot({ name: 'one_too_many', kind: 'physical' }))).toBe('SLOT_LIMIT');
    for (let i = existing; i < 8; i++) {
      const d = await monitor.describeDrop(`fill_${i}`);
      await monitor.drop(`fill_${i}`, d.token, false);
    }
    expect(log.some((l) => l.startsWith('created logical slot walscope_made'))).toBe(true);
  });

  it('drops in two steps; an active slot only with "terminate consumer"', async () => {
    const d = await monitor.describeDrop('phys_made');
    expect(d.slot.name).toBe('phys_made');
    expect(await codeOf(monitor.drop('phys_made', 'forged', false))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(monitor.drop('walscope_made', d.token, false))).toBe('INVALID_ARGUMENT'); // token is per slot
    const d2 = await monitor.describeDrop('phys_made');
    const res = await monitor.drop('phys_made', d2.token, false);
    expect(res).toMatchObject({ dropped: 'phys_made', terminatedPid: null });
    expect(await codeOf(monitor.drop('phys_made', d2.token, false))).toBe('INVALID_ARGUMENT'); // one use

    const consumer = capture({ connection: clientConfig(server), source: { kind: 'direct', slot: 'walscope_made' } });
    await eventually(async () => (await monitor.poll()).slots.find((s) => s.name === 'walscope_made')!.active);
    const busy = await monitor.describeDrop('walscope_made');
    const consumerPid = consumer.stream.backendPid;
    expect(busy.slot.activePid).toBe(consumerPid);
    expect(await codeOf(monitor.drop('walscope_made', busy.token, false))).toBe('SLOT_IN_USE');
    expect((await monitor.poll()).slots.some((s) => s.name === 'walscope_made')).toBe(true);
    const again = await monitor.describeDrop('walscope_made');
    const killed = await monitor.drop('walscope_made', again.token, true);
    expect(killed.terminatedPid).toBe(consumerPid);
    await consumer.stop();
    expect((await monitor.poll()).slots.some((s) => s.name === 'walscope_made')).toBe(false);
  });

  it('peeks a backlog without consuming it, and advances only on request', async () => {
    const before = (await monitor.poll()).slots.find((s) => s.name === 'idle_logical')!;
    const peek = await monitor.peek('idle_logical', 50, ['pub']);
    expect(peek.messages).toHaveLength(50);
    expect(peek.truncated).toBe(true);
    expect(peek.messages[0]).toMatchObject({ type: 'begin' });
    expect(peek.messages.find((m) => m.type === 'insert')).toMatchObject({ table: 'm' });
    const after = (await monitor.poll()).slots.find((s) => s.name === 'idle_logical')!;
    expect(after.confirmedFlushLsn).toBe(before.confirmedFlushLsn);
    expect(after.restartLsn).toBe(before.restartLsn);

    const [{ lsn }] = (await server.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
      { lsn: string },
    ];
    const preview = await monitor.describeAdvance('idle_logical', lsn);
    expect((await monitor.poll()).slots.find((s) => s.name === 'idle_logical')!.confirmedFlushLsn).toBe(
      before.confirmedFlushLsn,
    ); // a preview moves nothing
    const adv = await monitor.advance('idle_logical', preview.token);
    expect(adv.slot).toBe('idle_logical');
    const moved = (await monitor.poll()).slots.find((s) => s.name === 'idle_logical')!;
    expect(moved.confirmedFlushLsn).toBe(adv.endLsn);
    expect(await codeOf(monitor.describeAdvance('idle_logical', 'not-an-lsn'))).toBe('INVALID_ARGUMENT');
  });

  it('reports wal_level too low when creating a logical slot', async () => {
    const replica = await startPostgres({ major, settings: { wal_level: 'replica' }, name: 'monitor-replica' });
    const m = await ServerMonitor.open(clientConfig(replica));
    try {
      expect(await codeOf(m.createSlot({ name: 'x', kind: 'logical', plugin: 'pgoutput' }))).toBe('WAL_LEVEL');
    } finally {
      await m.close();
      await replica.destroy();
    }
  });

  it('polls never overlap, however slow a poll is', async () => {
    let running = 0;
    let maxRunning = 0;
    let polls = 0;
    const real = monitor.poll.bind(monitor);
    const spy = vi.spyOn(monitor, 'poll').mockImplementation(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      polls++;
      await new Promise((r) => setTimeout(r, 150)); // a slow catalog under load
      try {
        return await real();
      } finally {
        running--;
      }
    });
    monitor.start(() => undefined, undefined, 20);
    await eventually(async () => polls > 3);
    monitor.stop();
    spy.mockRestore();
    expect(polls).toBeGreaterThan(2);
    expect(maxRunning).toBe(1);
  });
});
