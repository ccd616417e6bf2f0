import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeStream } from '../../main/stream/change-stream';
import type { WaitReport } from '../../main/stream/wait-report';
import { streamCli } from '../support/cli';
import { fullMajors, startPostgres, type PgServer } from '../support/postgres';
import { clientConfig, eventually } from '../support/streams';

// CREATE_REPLICATION_SLOT waits for every transaction open when it starts, prepared ones included.
// Such a wait is reported (which transaction, whose) and can be cancelled within 2 s, leaving no
// half-made slot and no connection behind.
describe.each(fullMajors())('slot creation blocked by an open transaction on PostgreSQL %i', (major) => {
  let server: PgServer;
  let preparedXid: string;

  const leftovers = async (): Promise<number> =>
    (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'walscope_%'`)).length +
    (await server.query(`SELECT 1 FROM pg_stat_activity WHERE backend_type = 'walsender'`)).length;

  beforeAll(async () => {
    server = await startPostgres({ major, settings: { max_prepared_transactions: 5 } });
    await server.query(`CREATE TABLE b (id int PRIMARY KEY)`);
    const c = new pg.Client(clientConfig(server));
    await c.connect();
    await c.query(`BEGIN; INSERT INTO b VALUES (1); PREPARE TRANSACTION 'blocker'`);
    await c.end();
    const [row] = await server.query<{ xid: string }>(
      `SELECT transaction::text AS xid FROM pg_prepared_xacts WHERE gid = 'blocker'`,
    );
    preparedXid = row!.xid;
  });

  afterAll(async () => {
    await server?.query(`ROLLBACK PREPARED 'blocker'`).catch(() => undefined);
    await server?.destroy();
  });

  it('the CLI reports the prepared transaction it waits for, and SIGINT ends it within 2 s leaving no slot', async () => {
    const cli = streamCli(['stream', '--temporary', '--dsn', server.dsn()]);
    await eventually(async () => cli.stderr().includes('walscope: waiting:'), 20_000);
    expect(cli.stderr()).toMatch(
      new RegExp(`CREATE_REPLICATION_SLOT has waited \\d+ s for prepared transaction 'blocker' \\(xid ${preparedXid}`),
    );
    const t0 = Date.now();
    cli.child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => cli.child.on('close', resolve));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(code).toBe(0);
    expect(cli.stderr()).not.toMatch(/\bat .*\.[jt]s:\d+/);
    await eventually(async () => (await leftovers()) === 0, 5000);
  });

  it('through the engine API an AbortSignal stops it within 2 s; the report names the blocking session and xid', async () => {
    await server.query(`COMMIT PREPARED 'blocker'`); // the CLI test covered it; now a plain open transaction
    const open = new pg.Client(clientConfig(server));
    await open.connect();
    await open.query(`BEGIN; INSERT INTO b VALUES (2)`);
    const info = await open.query<{ pid: number; xid: string }>(
      `SELECT pg_backend_pid() AS pid, pg_current_xact_id()::text AS xid`,
    );
    const { pid, xid } = info.rows[0]!;
    try {
      const abort = new AbortController();
      const reports: WaitReport[] = [];
      const stream = new ChangeStream(
        {
          connection: clientConfig(server),
          source: { kind: 'temporary', plugin: 'test_decoding' },
          signal: abort.signal,
        },
        { message: () => undefined, waiting: (w) => reports.push(w) },
      );
      const done = stream.run();
      await eventually(async () => reports.length > 0, 20_000);
      expect(reports[0]).toMatchObject({ command: 'CREATE_REPLICATION_SLOT', waitEvent: 'Lock/transactionid' });
      expect(reports[0]!.blockers).toEqual([
        { xid, pid, gid: null, ageSeconds: expect.any(Number), state: 'idle in transaction' },
      ]);
      const t0 = Date.now();
      abort.abort();
      await expect(done).resolves.toBe('stopped');
      expect(Date.now() - t0).toBeLessThan(2000);
      await eventually(async () => (await leftovers()) === 0, 5000);
    } finally {
      await open.end();
    }
  });
});
