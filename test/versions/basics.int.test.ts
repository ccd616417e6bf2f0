import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLsn } from '../../shared/lsn';
import type { DecodedMessage } from '../../shared/messages';
import { ServerMonitor } from '../../main/monitor/server-monitor';
import { ReplicationConnection } from '../../main/stream/replication-connection';
import { runCli } from '../support/cli';
import {
  allMajors,
  binDirFor,
  hasMajor,
  majorsFromEnv,
  startPostgres,
  SUPPORTED_MAJORS,
  type PgServer,
} from '../support/postgres';
import { col, row } from '../support/tuples';
import { capture, clientConfig, eventually, rows } from '../support/streams';
import { FACTS, STATS_COLUMNS } from './facts';

/**
 * The fast per-version subset: the basic paths on every supported major (12–18), each feature a
 * version lacks asserted as the clear UNSUPPORTED error rather than skipped. The whole suite runs
 * on 18 and 15 (fullMajors()); README "Tests" says which runs where.
 */
describe('server binaries', () => {
  it('every supported major 12–18 has server binaries here (unless WALSCOPE_PG_MAJORS narrows the run)', () => {
    const wanted = majorsFromEnv('WALSCOPE_PG_MAJORS') ?? SUPPORTED_MAJORS;
    const missing = wanted.filter((m) => !hasMajor(m)).map((m) => `${m}: ${binDirFor(m)}`);
    // npm ci installs 12–14 and 16–18 (package.json); 15 is Debian's postgresql-15 (.ci/run).
    expect(missing, 'PostgreSQL server binaries missing').toEqual([]);
  });
});

describe.each(allMajors())('PostgreSQL %i: basic paths', (major) => {
  const facts = FACTS[major]!;
  let server: PgServer;
  let conn: ReplicationConnection;

  /** Replication commands as the server received them (log_replication_commands is on). */
  const commandsLogged = (): string[] =>
    server
      .readLog()
      .split('\n')
      .flatMap((l) => /received replication command: (.*)$/.exec(l)?.[1] ?? []);
  const slotRow = async (name: string): Promise<Record<string, unknown> | undefined> =>
    (await server.query(`SELECT * FROM pg_replication_slots WHERE slot_name = $1`, [name]))[0];

  beforeAll(async () => {
    server = await startPostgres({
      major,
      name: 'versions',
      settings: {
        max_prepared_transactions: 5,
        ...(facts.logicalDecodingWorkMem ? { logical_decoding_work_mem: '64kB' } : {}),
      },
    });
    await server.query(`CREATE TABLE v (id int PRIMARY KEY, note text); CREATE PUBLICATION pub FOR TABLE v`);
    await server.query(`SELECT pg_create_logical_replication_slot('theirs', 'pgoutput')`);
    await server.query(`INSERT INTO v SELECT g, 'backlog' FROM generate_series(1, 5) g`);
    conn = await ReplicationConnection.open(clientConfig(server), 'database');
  });

  afterAll(async () => {
    await conn?.close();
    await server?.destroy();
  });

  it('identify (CLI) reports this server and its version', async () => {
    const r = await runCli(['identify', '--dsn', server.dsn()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(id).toMatchObject({ timeline: 1, dbname: server.database, serverVersionNum: server.versionNum });
    expect(Math.floor(Number(id['serverVersionNum']) / 10000)).toBe(major);
  });

  it(`the monitor reads exactly the slot columns ${major} has${facts.slotStats ? ', with pg_stat_replication_slots' : ''}`, async () => {
    const monitor = await ServerMonitor.open(clientConfig(server));
    try {
      const snap = await monitor.poll();
      expect(snap.overview.serverVersionNum).toBe(server.versionNum);
      const slot = snap.slots.find((s) => s.name === 'theirs')!;
      const expected = [...facts.slotColumns, ...(facts.slotStats ? STATS_COLUMNS : [])];
      expect(Object.keys(slot.columns).sort()).toEqual(expected.sort());
      // wal_status came in 13; without it the monitor reports none rather than guessing.
      expect(slot.walStatus).toBe(facts.slotColumns.includes('wal_status') ? 'reserved' : null);
      expect(slot).toMatchObject({ slotType: 'logical', plugin: 'pgoutput', active: false, status: 'inactive' });
    } finally {
      await monitor.close();
    }
  });

  it(`creates and drops logical, physical and temporary slots with ${major}'s CREATE_REPLICATION_SLOT syntax`, async () => {
    const logical = await conn.createReplicationSlot({
      name: 'v_logical',
      kind: 'logical',
      plugin: 'pgoutput',
      snapshot: 'nothing',
    });
    expect(logical).toMatchObject({ slotName: 'v_logical', outputPlugin: 'pgoutput', snapshotName: null });
    expect(parseLsn(String((await slotRow('v_logical'))!['confirmed_flush_lsn']))).toBe(logical.consistentPoint);
    const physical = await ReplicationConnection.open(clientConfig(server), 'physical');
    try {
      await physical.createReplicationSlot({ name: 'v_physical', kind: 'physical', reserveWal: true });
      expect((await slotRow('v_physical'))!['restart_lsn']).not.toBeNull();
      await physical.createReplicationSlot({ name: 'v_temp', kind: 'physical', temporary: true });
      expect((await slotRow('v_temp'))!['temporary']).toBe(true);
    } finally {
      await physical.close();
    }
    await eventually(async () => (await slotRow('v_temp')) === undefined); // gone with its connection
    expect(commandsLogged()).toEqual(
      expect.arrayContaining(
        facts.optionList
          ? [
              `CREATE_REPLICATION_SLOT "v_logical" LOGICAL "pgoutput" (SNAPSHOT 'nothing')`,
              `CREATE_REPLICATION_SLOT "v_physical" PHYSICAL (RESERVE_WAL true)`,
            ]
          : [
              `CREATE_REPLICATION_SLOT "v_logical" LOGICAL "pgoutput" NOEXPORT_SNAPSHOT`,
              `CREATE_REPLICATION_SLOT "v_physical" PHYSICAL RESERVE_WAL`,
            ],
      ),
    );
    await conn.dropReplicationSlot('v_logical', false);
    await conn.dropReplicationSlot('v_physical', true);
    expect(await slotRow('v_logical')).toBeUndefined();
    expect(await slotRow('v_physical')).toBeUndefined();
  });

  if (facts.twoPhase === 'none') {
    it('refuses a two-phase slot: "two-phase slots need PostgreSQL 14 or later"', async () => {
      const err = await conn
        .createReplicationSlot({ name: 'v_2pc', kind: 'logical', plugin: 'test_decoding', twoPhase: true })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'UNSUPPORTED', message: 'two-phase slots need PostgreSQL 14 or later' });
      expect(await slotRow('v_2pc')).toBeUndefined();
    });
  } else {
    it(`creates a two-phase slot (${facts.twoPhase === 'function' ? 'through the SQL function' : 'TWO_PHASE'}) that decodes PREPARE TRANSACTION when it happens`, async () => {
      await conn.createReplicationSlot({
        name: 'v_2pc',
        kind: 'logical',
        plugin: 'test_decoding',
        twoPhase: true,
        snapshot: 'nothing',
      });
      expect((await slotRow('v_2pc'))!['two_phase']).toBe(true);
      await conn.dropReplicationSlot('v_2pc', false);
      const c = capture({
        connection: clientConfig(server),
        source: { kind: 'temporary', plugin: 'test_decoding', twoPhase: true },
      });
      try {
        await c.until(() => c.states.some((s) => s.state === 'streaming'));
        expect((await slotRow(c.stream.currentSlot!))!['two_phase']).toBe(true);
        await server.query(`BEGIN; INSERT INTO v VALUES (100, 'prepared'); PREPARE TRANSACTION 'v_gid'`);
        await c.until((ms) => ms.some((m) => m.type === 'prepare' && m.gid === 'v_gid'));
        expect(c.messages.some((m) => m.type === 'commit_prepared')).toBe(false); // decoded before the commit
        await server.query(`COMMIT PREPARED 'v_gid'`);
        await c.until((ms) => ms.some((m) => m.type === 'commit_prepared' && m.gid === 'v_gid'));
      } finally {
        await c.stop();
      }
      const via = commandsLogged().filter((l) => l.includes('TWO_PHASE'));
      expect(via.length > 0).toBe(facts.twoPhase === 'command'); // 14 has no TWO_PHASE keyword
    });
  }

  it(
    facts.failover ? 'creates a failover slot' : 'refuses a failover slot: "failover slots need PostgreSQL 17"',
    async () => {
      const made = conn.createReplicationSlot({
        name: 'v_failover',
        kind: 'logical',
        plugin: 'pgoutput',
        failover: true,
        snapshot: 'nothing',
      });
      if (facts.failover) {
        await made;
        expect((await slotRow('v_failover'))!['failover']).toBe(true);
        await conn.dropReplicationSlot('v_failover', false);
      } else {
        expect(await made.catch((e: unknown) => e)).toMatchObject({
          code: 'UNSUPPORTED',
          message: 'failover slots need PostgreSQL 17 or later',
        });
        expect(await slotRow('v_failover')).toBeUndefined();
      }
    },
  );

  it(
    facts.readReplicationSlot
      ? 'READ_REPLICATION_SLOT reads a physical slot'
      : 'refuses READ_REPLICATION_SLOT: "needs PostgreSQL 15"',
    async () => {
      const physical = await ReplicationConnection.open(clientConfig(server), 'physical');
      try {
        await physical.createReplicationSlot({ name: 'v_read', kind: 'physical', temporary: true, reserveWal: true });
        const read = physical.readReplicationSlot('v_read');
        if (facts.readReplicationSlot) {
          expect(await read).toMatchObject({ slotType: 'physical', restartTimeline: 1 });
        } else {
          expect(await read.catch((e: unknown) => e)).toMatchObject({
            code: 'UNSUPPORTED',
            message: 'READ_REPLICATION_SLOT needs PostgreSQL 15 or later',
          });
        }
      } finally {
        await physical.close();
      }
    },
  );

  it(`streams pgoutput at proto_version ${facts.pgoutputProto}${facts.pgoutputStreamsAndMessages ? ', a big transaction in stream chunks, and logical messages' : ', a big transaction at its commit'}`, async () => {
    const c = capture({
      connection: clientConfig(server),
      source: { kind: 'temporary', plugin: 'pgoutput' },
      publications: ['pub'],
    });
    try {
      await c.until(() => c.states.some((s) => s.state === 'streaming'));
      await server.query(
        `INSERT INTO v VALUES (200, 'a'); UPDATE v SET note = 'b' WHERE id = 200; DELETE FROM v WHERE id = 200`,
      );
      await server.query(`INSERT INTO v SELECT g, repeat('x', 200) FROM generate_series(1000, 2999) g`); // > 64kB
      await server.query(`SELECT pg_logical_emit_message(true, 'v_prefix', 'hello')`);
      await server.query(`INSERT INTO v VALUES (300, 'last')`);
      await c.until((ms) => rows(ms).some((m) => m.type === 'insert' && col(m.new, 'id') === '300'));
      const changes = rows(c.messages);
      expect(changes.slice(0, 3).map((m) => m.type)).toEqual(['insert', 'update', 'delete']);
      expect(changes[1]).toMatchObject({ type: 'update', table: 'v', new: row({ id: '200', note: 'b' }) });
      expect(changes.filter((m) => m.type === 'insert' && Number(col(m.new, 'id')) >= 1000)).toHaveLength(2000);
      const types = new Set<DecodedMessage['type']>(c.messages.map((m) => m.type));
      expect(types.has('stream_start') && types.has('stream_commit')).toBe(facts.pgoutputStreamsAndMessages);
      const messages = c.messages.filter((m) => m.type === 'message');
      expect(messages.map((m) => m.prefix)).toEqual(facts.pgoutputStreamsAndMessages ? ['v_prefix'] : []);
      const start = commandsLogged().find((l) => l.startsWith(`START_REPLICATION SLOT "${c.stream.currentSlot}"`));
      expect(start).toContain(`"proto_version" '${facts.pgoutputProto}'`);
    } finally {
      await c.stop();
    }
  });

  it('streams test_decoding from a temporary slot', async () => {
    const c = capture({ connection: clientConfig(server), source: { kind: 'temporary', plugin: 'test_decoding' } });
    try {
      await c.until(() => c.states.some((s) => s.state === 'streaming'));
      await server.query(`INSERT INTO v VALUES (400, 'td ''quoted''')`);
      await c.until((ms) => rows(ms).length > 0);
      expect(rows(c.messages)[0]).toMatchObject({
        type: 'insert',
        table: 'v',
        new: row({ id: '400', note: "td 'quoted'" }),
      });
    } finally {
      await c.stop();
    }
  });

  it('inspects a slot through a temporary copy: its backlog arrives, the original does not move, the copy is gone after', async () => {
    const before = await slotRow('theirs');
    const c = capture({
      connection: clientConfig(server),
      source: { kind: 'copy', slot: 'theirs' },
      publications: ['pub'],
    });
    try {
      await c.until(
        (ms) => rows(ms).filter((m) => m.type === 'insert' && col(m.new, 'note') === 'backlog').length === 5,
      );
    } finally {
      await c.stop();
    }
    expect(await slotRow('theirs')).toEqual(before);
    await eventually(
      async () =>
        (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'walscope_%'`)).length === 0,
    );
  });
});
