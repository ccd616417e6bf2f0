import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../support/errors';
import { parseLsn } from '../../shared/lsn';
import { ReplicationConnection } from '../../main/stream/replication-connection';
import { PhysicalStream } from '../../main/stream/physical-stream';
import { fullMajors, startPostgres, startStandby, type PgServer } from '../support/postgres';
import { clientConfig, eventually } from '../support/streams';

describe.each(fullMajors())('replication commands against PostgreSQL %i', (major) => {
  let server: PgServer;
  let logical: ReplicationConnection;
  let physical: ReplicationConnection;

  beforeAll(async () => {
    server = await startPostgres({ major, settings: { max_prepared_transactions: 5 } });
    logical = await ReplicationConnection.open(clientConfig(server), 'database');
    physical = await ReplicationConnection.open(clientConfig(server), 'physical');
  });

  afterAll(async () => {
    await logical?.close();
    await physical?.close();
    await server?.destroy();
  });

  it('IDENTIFY_SYSTEM matches the server', async () => {
    const id = await logical.identifySystem();
    const [sys] = await server.query<{ system_identifier: string; lsn: string }>(
      `SELECT system_identifier::text, pg_current_wal_lsn()::text AS lsn FROM pg_control_system()`,
    );
    expect(id.systemId).toBe(sys!.system_identifier);
    expect(id.timeline).toBe(1);
    expect(id.dbname).toBe(server.database);
    expect(id.xlogpos <= parseLsn(sys!.lsn)).toBe(true);
    const phys = await physical.identifySystem();
    expect(phys.dbname).toBeNull();
    expect(logical.serverVersionNum).toBe(server.versionNum);
  });

  it('creates, reads and drops logical, physical, temporary and two-phase slots', async () => {
    const created = await logical.createReplicationSlot({
      name: 'cmd_logical',
      kind: 'logical',
      plugin: 'pgoutput',
      snapshot: 'nothing',
    });
    expect(created.slotName).toBe('cmd_logical');
    expect(created.outputPlugin).toBe('pgoutput');
    expect(created.snapshotName).toBeNull();
    const [row] = await server.query<{ confirmed_flush_lsn: string; temporary: boolean; plugin: string }>(
      `SELECT confirmed_flush_lsn::text, temporary, plugin FROM pg_replication_slots WHERE slot_name = 'cmd_logical'`,
    );
    expect(parseLsn(row!.confirmed_flush_lsn)).toBe(created.consistentPoint);
    expect(row!.temporary).toBe(false);

    const exported = await logical.createReplicationSlot({
      name: 'cmd_export',
      kind: 'logical',
      plugin: 'test_decoding',
      snapshot: 'export',
    });
    expect(exported.snapshotName).toMatch(/^[0-9A-F-]+$/);
    await logical.run('SELECT 1'); // the exported snapshot ends with the next command
    await logical.dropReplicationSlot('cmd_export', false);

    const phys = await physical.createReplicationSlot({ name: 'cmd_physical', kind: 'physical', reserveWal: true });
    expect(phys.slotName).toBe('cmd_physical'); // a physical slot reports consistent_point 0/0
    const [reserved] = await server.query<{ restart_lsn: string | null }>(
      `SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'cmd_physical'`,
    );
    expect(reserved!.restart_lsn).not.toBeNull();
    if (major >= 15) {
      const read = await physical.readReplicationSlot('cmd_physical');
      expect(read.slotType).toBe('physical');
      expect(read.restartLsn).not.toBeNull();
      expect(read.restartTimeline).toBe(1);
      const missing = await physical.readReplicationSlot('no_such_slot');
      expect(missing.slotType).toBeNull();
    } else {
      expect(await codeOf(physical.readReplicationSlot('cmd_physical'))).toBe('UNSUPPORTED');
    }

    await logical.createReplicationSlot({
      name: 'cmd_twophase',
      kind: 'logical',
      plugin: 'pgoutput',
      twoPhase: true,
      snapshot: 'nothing',
    });
    const [tp] = await server.query<{ two_phase: boolean }>(
      `SELECT two_phase FROM pg_replication_slots WHERE slot_name = 'cmd_twophase'`,
    );
    expect(tp!.two_phase).toBe(true);

    if (major >= 17) {
      await logical.createReplicationSlot({
        name: 'cmd_failover',
        kind: 'logical',
        plugin: 'pgoutput',
        failover: true,
        snapshot: 'nothing',
      });
      const [fo] = await server.query<{ failover: boolean }>(
        `SELECT failover FROM pg_replication_slots WHERE slot_name = 'cmd_failover'`,
      );
      expect(fo!.failover).toBe(true);
      await logical.dropReplicationSlot('cmd_failover', false);
    } else {
      expect(
        await codeOf(
          logical.createReplicationSlot({ name: 'cmd_failover', kind: 'logical', plugin: 'pgoutput', failover: true }),
        ),
      ).toBe('UNSUPPORTED');
    }

    // A temporary slot lives as long as its connection.
    const tmpConn = await ReplicationConnection.open(clientConfig(server), 'database');
    await tmpConn.createReplicationSlot({
      name: 'cmd_temp',
      kind: 'logical',
      plugin: 'test_decoding',
      temporary: true,
      snapshot: 'nothing',
    });
    const [t] = await server.query<{ temporary: boolean }>(
      `SELECT temporary FROM pg_replication_slots WHERE slot_name = 'cmd_temp'`,
    );
    expect(t!.temporary).toBe(true);
    await tmpConn.close();
    await eventually(
      async () => (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'cmd_temp'`)).length === 0,
    );

    expect(
      await codeOf(logical.createReplicationSlot({ name: 'cmd_logical', kind: 'logical', plugin: 'pgoutput' })),
    ).toBe('SLOT_EXISTS');
    expect(await codeOf(logical.dropReplicationSlot('no_such_slot', false))).toBe('SLOT_NOT_FOUND');
    expect(await codeOf(logical.createReplicationSlot({ name: 'Bad-Name', kind: 'logical', plugin: 'pgoutput' }))).toBe(
      'INVALID_ARGUMENT',
    );

    for (const s of ['cmd_logical', 'cmd_twophase']) await logical.dropReplicationSlot(s, false);
    await physical.dropReplicationSlot('cmd_physical', true);
    const left = await server.query(`SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'cmd_%'`);
    expect(left).toEqual([]);
  });

  it('refuses to drop a slot in use, and DROP … WAIT waits for its consumer', async () => {
    await logical.createReplicationSlot({
      name: 'busy',
      kind: 'logical',
      plugin: 'test_decoding',
      snapshot: 'nothing',
    });
    const consumer = await ReplicationConnection.open(clientConfig(server), 'database');
    const channel = consumer.startCopyBoth(`START_REPLICATION SLOT "busy" LOGICAL 0/0`);
    await eventually(
      async () =>
        (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name='busy' AND active`)).length === 1,
    );
    expect(await codeOf(logical.dropReplicationSlot('busy', false))).toBe('SLOT_IN_USE');
    const waiting = logical.dropReplicationSlot('busy', true);
    let settled = false;
    void waiting.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The drop is waiting on the server (its wait event says so) while the slot is still in use.
    await eventually(
      async () =>
        (await server.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event = 'ReplicationSlotDrop'`)).length === 1,
    );
    expect(settled).toBe(false);
    expect(await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'busy' AND active`)).toHaveLength(
      1,
    );
    channel.end();
    await channel.done.catch(() => undefined);
    await consumer.close();
    await waiting;
    expect(await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'busy'`)).toEqual([]);
  });

  it('streams physical WAL from a physical slot without moving it, and reads timeline history', async () => {
    await physical.createReplicationSlot({ name: 'phys_stream', kind: 'physical', reserveWal: true });
    const [before] = await server.query<{ restart_lsn: string }>(
      `SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'phys_stream'`,
    );
    let bytes = 0;
    let streaming!: () => void;
    const started = new Promise<void>((resolve) => (streaming = resolve));
    const stream = new PhysicalStream(
      { connection: clientConfig(server), slot: 'phys_stream' },
      { record: (r) => void (bytes += r.totalLength), info: () => streaming() },
    );
    const done = stream.run();
    // It starts at the current position: write only once it is there.
    await started;
    await server.query(`CREATE TABLE phys_t AS SELECT g FROM generate_series(1, 1000) g`);
    await eventually(async () => bytes > 10_000);
    await stream.stop();
    await done;
    const [after] = await server.query<{ restart_lsn: string }>(
      `SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'phys_stream'`,
    );
    expect(after!.restart_lsn).toBe(before!.restart_lsn);
    await physical.dropReplicationSlot('phys_stream', false);

    // A promoted standby is on timeline 2 and has the history file for it.
    const standby = await startStandby(server);
    try {
      await standby.query(`SELECT pg_promote(true, 30)`);
      const conn = await ReplicationConnection.open(clientConfig(standby), 'physical');
      try {
        const id = await conn.identifySystem();
        expect(id.timeline).toBe(2);
        const history = await conn.timelineHistory(2);
        expect(history.filename).toBe('00000002.history');
        expect(history.content).toMatch(/^1\t[0-9A-F]+\/[0-9A-F]+\t/);
      } finally {
        await conn.close();
      }
    } finally {
      await standby.destroy();
    }
  });
});
