import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullMajors, startPostgres, type PgServer } from '../support/postgres';
import { streamCli } from '../support/cli';
import { eventually } from '../support/streams';

type Line = Record<string, unknown>;

const insertedIds = (lines: Line[]): number[] =>
  lines.filter((l) => l['type'] === 'insert').map((l) => Number((l['new'] as Record<string, string>)['id']));

// Killing the walsender and restarting the server mid-stream: the NDJSON output resumes with no
// gap and no duplicate, and the inspected slot has not moved.
describe.each(fullMajors())('resume after failures on PostgreSQL %i', (major) => {
  let server: PgServer;

  beforeAll(async () => {
    server = await startPostgres({ major, settings: { logical_decoding_work_mem: '64kB' } });
    await server.query(`CREATE TABLE r (id int PRIMARY KEY, pad text); CREATE PUBLICATION pub FOR TABLE r`);
    await server.query(`SELECT pg_create_logical_replication_slot('resume_src', 'pgoutput')`);
  });

  afterAll(async () => {
    await server?.destroy();
  });

  const walsenderPids = async (): Promise<number[]> =>
    (
      await server.query<{ pid: number }>(`SELECT pid FROM pg_stat_replication WHERE application_name LIKE 'walscope%'`)
    ).map((r) => r.pid);

  it('a copied slot resumes exactly: every row once, in order', async () => {
    const [before] = await server.query(
      `SELECT confirmed_flush_lsn::text, restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'resume_src'`,
    );
    const cli = streamCli(['stream', '--slot', 'resume_src', '--publication', 'pub', '--dsn', server.dsn()]);
    let next = 1;
    const insertTx = async (rows: number): Promise<void> => {
      await server.query(`INSERT INTO r SELECT g, repeat('p', 50) FROM generate_series($1::int, $2::int) g`, [
        next,
        next + rows - 1,
      ]);
      next += rows;
    };
    // Rows arrive in commit order: once the last id written is out, every id must be there exactly
    // once, in order. Waiting for the last id (not for a count) makes a gap fail here with the
    // missing id, not as a timeout.
    const untilLastAndExact = async (): Promise<void> => {
      const last = next - 1;
      await cli.waitFor((ls) => insertedIds(ls).includes(last), 60_000);
      expect(insertedIds(cli.lines)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    };
    for (let i = 0; i < 20; i++) await insertTx(10);
    await cli.waitFor((ls) => insertedIds(ls).length >= 100);

    // Kill the walsender while a large (streamed) transaction is on the wire.
    await insertTx(20_000);
    await cli.waitFor((ls) => insertedIds(ls).length > 300);
    for (const pid of await walsenderPids()) await server.query(`SELECT pg_terminate_backend($1)`, [pid]);
    for (let i = 0; i < 20; i++) await insertTx(10);
    await untilLastAndExact();

    // Kill it again while idle, then restart the server under it.
    for (const pid of await walsenderPids()) await server.query(`SELECT pg_terminate_backend($1)`, [pid]);
    await insertTx(500);
    await server.restart('fast');
    for (let i = 0; i < 10; i++) await insertTx(10);
    await untilLastAndExact();
    expect(await cli.stop()).toBe(0);

    expect(insertedIds(cli.lines)).toEqual(Array.from({ length: next - 1 }, (_, i) => i + 1));
    expect(cli.lines.some((l) => l['type'] === 'gap')).toBe(false);
    // Every transaction that began was committed exactly once.
    const commits = cli.lines.filter((l) => l['type'] === 'commit' || l['type'] === 'stream_commit');
    expect(new Set(commits.map((c) => c['endLsn'])).size).toBe(commits.length);
    expect(cli.stderr()).toMatch(/reconnecting/);
    const [after] = await server.query(
      `SELECT confirmed_flush_lsn::text, restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'resume_src'`,
    );
    expect(after).toEqual(before);
  }, 150_000);

  it('a live tail on a temporary slot reports the gap it cannot fill', async () => {
    const cli = streamCli(['stream', '--temporary', '--dsn', server.dsn()]);
    // A walsender is listed from the moment it connects, before its slot exists, and the previous
    // test's walsender may still be exiting: wait until this temporary slot is being streamed, or
    // the first insert can land before the slot's consistent point and never be decoded.
    await eventually(
      async () =>
        (
          await server.query(
            `SELECT 1 FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid
              WHERE s.temporary AND r.state IN ('catchup', 'streaming')`,
          )
        ).length === 1,
    );
    await server.query(`INSERT INTO r VALUES (-1, 'before kill')`);
    await cli.waitFor((ls) => insertedIds(ls).includes(-1));
    for (const pid of await walsenderPids()) await server.query(`SELECT pg_terminate_backend($1)`, [pid]);
    await server.query(`INSERT INTO r VALUES (-2, 'maybe lost')`);
    await cli.waitFor((ls) => ls.some((l) => l['type'] === 'gap'));
    await server.query(`INSERT INTO r VALUES (-3, 'after reconnect')`);
    await cli.waitFor((ls) => insertedIds(ls).includes(-3));
    const gap = cli.lines.find((l) => l['type'] === 'gap')!;
    expect(gap['from']).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(cli.stderr()).toMatch(/gap from .* to /);
    expect(await cli.stop()).toBe(0);
    await eventually(
      async () => (await server.query(`SELECT 1 FROM pg_replication_slots WHERE temporary`)).length === 0,
    );
  });
});
