import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLsn } from '../../shared/lsn';
import { fullMajors, startPostgres, type PgServer } from '../support/postgres';
import { capture, clientConfig, eventually } from '../support/streams';

interface SlotRow {
  restart_lsn: string;
  confirmed_flush_lsn: string;
  two_phase: boolean;
}

// Inspecting a slot changes nothing about it: no option that alters its properties reaches the
// server, and the temporary copy of a two-phase slot shows what the original's consumer sees.
describe.each(fullMajors())('inspection leaves the slot as it was on PostgreSQL %i', (major) => {
  let server: PgServer;

  const slot = async (name: string): Promise<SlotRow> => {
    const [row] = await server.query<SlotRow>(
      `SELECT restart_lsn::text, confirmed_flush_lsn::text, two_phase FROM pg_replication_slots WHERE slot_name = $1`,
      [name],
    );
    return row!;
  };

  const session = async (): Promise<pg.Client> => {
    const c = new pg.Client(clientConfig(server));
    await c.connect();
    return c;
  };

  beforeAll(async () => {
    server = await startPostgres({ major, settings: { max_prepared_transactions: 5 } });
    await server.query(`CREATE TABLE t (id int PRIMARY KEY, v text); CREATE PUBLICATION tpub FOR TABLE t`);
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('--direct in inspect mode refuses two_phase, and the slot stays two_phase = false', async () => {
    await server.query(`SELECT pg_create_logical_replication_slot('plain', 'pgoutput')`);
    await server.query(`INSERT INTO t VALUES (1, 'a')`);
    let refused: unknown;
    try {
      const c = capture({
        connection: clientConfig(server),
        source: { kind: 'direct', slot: 'plain' },
        publications: ['tpub'],
        pluginOptions: { two_phase: 'on' },
      });
      await c.until((ms) => ms.some((m) => m.type === 'commit'));
      await c.stop();
    } catch (e) {
      refused = e;
    }
    expect((await slot('plain')).two_phase).toBe(false);
    expect(refused).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/two_phase/) });
  });

  it('--direct in inspect mode may move restart_lsn up to confirmed_flush_lsn, never confirmed_flush_lsn', async () => {
    await server.query(`SELECT pg_create_logical_replication_slot('lagging', 'test_decoding')`);
    // An open transaction holds restart_lsn back while the slot is advanced past it.
    const open = await session();
    await open.query(`BEGIN; INSERT INTO t VALUES (100, 'open')`);
    await server.query(`INSERT INTO t VALUES (101, 'x')`);
    await server.query(`CHECKPOINT`);
    await open.query(`COMMIT`);
    await open.end();
    await server.query(`INSERT INTO t VALUES (102, 'y')`);
    await server.query(`CHECKPOINT`);
    await server.query(`INSERT INTO t VALUES (103, 'z')`);
    await server.query(`CHECKPOINT`);
    await server.query(`SELECT pg_replication_slot_advance('lagging', pg_current_wal_lsn())`);
    const before = await slot('lagging');
    await server.query(`SELECT pg_logical_emit_message(false, 'mark', 'x')`);
    const c = capture({ connection: clientConfig(server), source: { kind: 'direct', slot: 'lagging' } });
    await c.until((ms) => ms.some((m) => m.type === 'message' && m.prefix === 'mark'));
    await c.stop();
    const after = await slot('lagging');
    expect(after.confirmed_flush_lsn).toBe(before.confirmed_flush_lsn);
    expect(parseLsn(after.restart_lsn) > parseLsn(before.restart_lsn)).toBe(true);
    expect(parseLsn(after.restart_lsn) <= parseLsn(after.confirmed_flush_lsn)).toBe(true);
  });

  it.runIf(major >= 15)(
    'a two-phase slot read through its copy shows begin_prepare … prepare; the original is unchanged',
    async () => {
      await server.query(`SELECT pg_create_logical_replication_slot('tp', 'pgoutput', false, true)`);
      const before = await slot('tp');
      const tx = await session();
      await tx.query(`BEGIN; INSERT INTO t VALUES (200, 'prepared'); PREPARE TRANSACTION 'g1'`);
      await tx.end();
      await server.query(`SELECT pg_logical_emit_message(false, 'mark2', 'x')`);
      try {
        const c = capture({
          connection: clientConfig(server),
          source: { kind: 'copy', slot: 'tp' },
          publications: ['tpub'],
        });
        await c.until((ms) => ms.some((m) => m.type === 'message' && m.prefix === 'mark2'));
        await server.query(`COMMIT PREPARED 'g1'`);
        await c.until((ms) => ms.some((m) => m.type === 'commit_prepared'));
        await c.stop();
        const types = c.messages.filter((m) => m.type !== 'relation').map((m) => m.type);
        expect(types).toEqual(['begin_prepare', 'insert', 'prepare', 'message', 'commit_prepared']);
      } finally {
        await server.query(`SELECT 1 FROM pg_prepared_xacts WHERE gid = 'g1'`).then(async (r) => {
          if (r.length) await server.query(`ROLLBACK PREPARED 'g1'`);
        });
      }
      expect(await slot('tp')).toEqual(before);
      await eventually(
        async () =>
          (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'walscope_%'`)).length === 0,
      );
    },
  );
});
