import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedMessage, InsertMessage, UpdateMessage, DeleteMessage } from '../../shared/messages';
import { UNCHANGED_TOAST } from '../../shared/messages';
import { fullMajors, startPostgres, type PgServer } from '../support/postgres';
import { capture, clientConfig, rows } from '../support/streams';
import { col, row } from '../support/tuples';

// Every pgoutput message type against a real server: a temporary two-phase slot, streaming forced
// by a tiny logical_decoding_work_mem, and a workload touching each case the issue lists.
describe.each(fullMajors())('pgoutput against PostgreSQL %i', (major) => {
  let server: PgServer;

  beforeAll(async () => {
    server = await startPostgres({
      major,
      settings: { logical_decoding_work_mem: '64kB', max_prepared_transactions: 10 },
    });
    await server.query(`
      CREATE TYPE mood AS ENUM ('ok', 'sad');
      CREATE TABLE t_default (id int PRIMARY KEY, name text, tags text[], n numeric, big text, m mood);
      ALTER TABLE t_default ALTER COLUMN big SET STORAGE EXTERNAL;
      CREATE TABLE t_full (id int, v text);
      ALTER TABLE t_full REPLICA IDENTITY FULL;
      CREATE TABLE t_nothing (id int, v text);
      ALTER TABLE t_nothing REPLICA IDENTITY NOTHING;
      CREATE TABLE t_trunc_a (id serial PRIMARY KEY);
      CREATE TABLE t_trunc_b (id int PRIMARY KEY);
      CREATE TABLE t_bulk (id int PRIMARY KEY, pad text);
      CREATE PUBLICATION pub FOR TABLE t_default, t_full, t_trunc_a, t_trunc_b, t_bulk;
      CREATE PUBLICATION pub_ins FOR TABLE t_nothing WITH (publish = 'insert');
      SELECT pg_replication_origin_create('upstream');
    `);
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('decodes every message type with exact values', async () => {
    const c = capture({
      connection: clientConfig(server),
      source: { kind: 'temporary', plugin: 'pgoutput', twoPhase: true },
      publications: ['pub', 'pub_ins'],
      pluginOptions: { two_phase: 'on' },
    });
    await c.until((ms) => c.states.some((s) => s.state === 'streaming') || ms.length > 0);

    const big = 'x'.repeat(5000);
    await server.query(`INSERT INTO t_default VALUES (1, 'héllo ☃ "q" ''s''', '{a,"b c",NULL}', 1.50, $1, 'ok')`, [
      big,
    ]);
    await server.query(`INSERT INTO t_default VALUES (2, '', NULL, NULL, NULL, NULL)`);
    await server.query(`UPDATE t_default SET name = 'renamed' WHERE id = 1`); // big stays TOASTed
    await server.query(`UPDATE t_default SET id = 20 WHERE id = 2`); // key change: old key sent
    await server.query(`DELETE FROM t_default WHERE id = 20`);
    await server.query(`INSERT INTO t_full VALUES (1, 'a'); UPDATE t_full SET v = 'b'; DELETE FROM t_full`);
    await server.query(`INSERT INTO t_nothing VALUES (1, 'n')`);
    await server.query(`INSERT INTO t_trunc_b VALUES (1); TRUNCATE t_trunc_a, t_trunc_b RESTART IDENTITY CASCADE`);
    await server.query(`SELECT pg_logical_emit_message(true, 'tx-prefix', 'in a transaction')`);
    await server.query(`SELECT pg_logical_emit_message(false, 'nontx', '\\xdeadbeef'::bytea)`);
    // Origin: a session replaying changes from "upstream".
    await server.query(`
      SELECT pg_replication_origin_session_setup('upstream');
      BEGIN;
      SELECT pg_replication_origin_xact_setup('0/AB', now());
      INSERT INTO t_full VALUES (99, 'from upstream');
      COMMIT;
      SELECT pg_replication_origin_session_reset();`);
    // Two-phase: prepare then commit, prepare then roll back.
    await server.query(`BEGIN; INSERT INTO t_full VALUES (100, 'p'); PREPARE TRANSACTION 'gid_commit'`);
    await server.query(`COMMIT PREPARED 'gid_commit'`);
    await server.query(`BEGIN; INSERT INTO t_full VALUES (101, 'r'); PREPARE TRANSACTION 'gid_rollback'`);
    await server.query(`ROLLBACK PREPARED 'gid_rollback'`);
    // Streaming: a transaction bigger than logical_decoding_work_mem with an aborted subtransaction.
    await server.query(`
      BEGIN;
      INSERT INTO t_bulk SELECT g, repeat('p', 200) FROM generate_series(1, 3000) g;
      SAVEPOINT s1;
      INSERT INTO t_bulk SELECT g, repeat('q', 200) FROM generate_series(3001, 6000) g;
      ROLLBACK TO s1;
      INSERT INTO t_bulk VALUES (6001, 'last');
      COMMIT;`);
    // Stream Prepare: a big prepared transaction.
    await server.query(`
      BEGIN;
      INSERT INTO t_bulk SELECT g, repeat('z', 200) FROM generate_series(10001, 13000) g;
      PREPARE TRANSACTION 'gid_big';`);
    await server.query(`COMMIT PREPARED 'gid_big'`);
    await server.query(`SELECT pg_logical_emit_message(false, 'done', 'end')`);

    await c.until((ms) => ms.some((m) => m.type === 'message' && m.prefix === 'done'), 30_000);
    await c.stop();
    const ms = c.messages;
    const types = new Set(ms.map((m) => m.type));
    for (const t of [
      'begin',
      'commit',
      'relation',
      'type',
      'insert',
      'update',
      'delete',
      'truncate',
      'message',
      'origin',
      'begin_prepare',
      'prepare',
      'commit_prepared',
      'rollback_prepared',
      'stream_start',
      'stream_stop',
      'stream_commit',
      'stream_abort',
      'stream_prepare',
    ]) {
      expect(types, `missing ${t}`).toContain(t);
    }

    const ins1 = ms.find(
      (m): m is InsertMessage => m.type === 'insert' && m.table === 't_default' && col(m.new, 'id') === '1',
    )!;
    expect(ins1.schema).toBe('public');
    expect(ins1.new).toEqual(
      row({
        id: '1',
        name: `héllo ☃ "q" 's'`,
        tags: '{a,"b c",NULL}',
        n: '1.50',
        big,
        m: 'ok',
      }),
    );
    const ins2 = ms.find(
      (m): m is InsertMessage => m.type === 'insert' && m.table === 't_default' && col(m.new, 'id') === '2',
    )!;
    expect(ins2.new).toEqual(row({ id: '2', name: '', tags: null, n: null, big: null, m: null }));

    const upd = ms.filter((m): m is UpdateMessage => m.type === 'update' && m.table === 't_default');
    expect(upd[0]!.new).toEqual(
      row({
        id: '1',
        name: 'renamed',
        tags: '{a,"b c",NULL}',
        n: '1.50',
        big: UNCHANGED_TOAST,
        m: 'ok',
      }),
    );
    expect(upd[0]!.key).toBeUndefined();
    expect(upd[1]!.key).toEqual(row({ id: '2', name: null, tags: null, n: null, big: null, m: null }));
    expect(col(upd[1]!.new, 'id')).toBe('20');
    const del = ms.find((m): m is DeleteMessage => m.type === 'delete' && m.table === 't_default')!;
    expect(col(del.key!, 'id')).toBe('20');

    const fullUpd = ms.find((m): m is UpdateMessage => m.type === 'update' && m.table === 't_full')!;
    expect(fullUpd.old).toEqual(row({ id: '1', v: 'a' }));
    expect(fullUpd.new).toEqual(row({ id: '1', v: 'b' }));
    const fullDel = ms.find((m): m is DeleteMessage => m.type === 'delete' && m.table === 't_full')!;
    expect(fullDel.old).toEqual(row({ id: '1', v: 'b' }));

    expect(ms.some((m) => m.type === 'insert' && m.table === 't_nothing' && col(m.new, 'v') === 'n')).toBe(true);
    const tr = ms.find((m) => m.type === 'truncate') as Extract<DecodedMessage, { type: 'truncate' }>;
    expect(tr.cascade).toBe(true);
    expect(tr.restartIdentity).toBe(true);
    expect([...tr.relations].sort()).toEqual(['public.t_trunc_a', 'public.t_trunc_b']);

    const txMsg = ms.find((m) => m.type === 'message' && m.prefix === 'tx-prefix') as Extract<
      DecodedMessage,
      { type: 'message' }
    >;
    expect(txMsg.transactional).toBe(true);
    expect(txMsg.content).toBe('in a transaction');
    const ntx = ms.find((m) => m.type === 'message' && m.prefix === 'nontx') as Extract<
      DecodedMessage,
      { type: 'message' }
    >;
    expect(ntx.transactional).toBe(false);
    expect(ntx.contentHex).toBe('deadbeef');
    expect(ntx.content).toBeNull();

    const origin = ms.find((m) => m.type === 'origin') as Extract<DecodedMessage, { type: 'origin' }>;
    expect(origin.name).toBe('upstream');
    const type = ms.find((m) => m.type === 'type') as Extract<DecodedMessage, { type: 'type' }>;
    expect(type.name).toBe('mood');

    const gids = ms.flatMap((m) => ('gid' in m ? [`${m.type}:${m.gid}`] : []));
    expect(gids).toEqual(
      expect.arrayContaining([
        'begin_prepare:gid_commit',
        'prepare:gid_commit',
        'commit_prepared:gid_commit',
        'begin_prepare:gid_rollback',
        'prepare:gid_rollback',
        'rollback_prepared:gid_rollback',
        'stream_prepare:gid_big',
        'commit_prepared:gid_big',
      ]),
    );

    // The streamed transaction: 3000 + 1 rows survive, the aborted subtransaction's rows are
    // streamed and then aborted.
    const streamed = rows(ms).filter(
      (m) => (m as InsertMessage).table === 't_bulk' && Number(col((m as InsertMessage).new, 'id')) <= 6001,
    );
    const aborted = ms.filter((m) => m.type === 'stream_abort');
    expect(aborted.length).toBeGreaterThan(0);
    const kept = streamed.filter(
      (m) => Number(col((m as InsertMessage).new, 'id')) <= 3000 || col((m as InsertMessage).new, 'id') === '6001',
    );
    expect(kept).toHaveLength(3001);
    // LSNs never go backwards within what was handed on for ordinary transactions.
    const commits = ms.filter((m) => m.type === 'commit');
    for (let i = 1; i < commits.length; i++) expect(commits[i]!.lsn > commits[i - 1]!.lsn).toBe(true);
  });
});
