import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, streamCli } from '../support/cli';
import { startPostgres, type PgServer } from '../support/postgres';
import { eventually } from '../support/streams';

/**
 * A reader of the CLI's output that stops reading: the CLI must stop reading the server (and so
 * stop the walsender) instead of buffering the stream, and pick up where it stopped once the
 * reader drains, every row once, in order. The socket is also paced while the CLI is ahead
 * (decision 0015): pause, holds and resume must leave nothing stopped for good. (That a hold never
 * restarts a socket the sink paused is pinned by main/stream/read-pacer.test.ts: here Node's own
 * high-water mark would stop the reading soon after.)
 */
describe('CLI output backpressure reaches the walsender', () => {
  let server: PgServer;
  let start: string;
  let end: string;
  const TXNS = 400;
  const PER_TXN = 250;

  const sentLsn = async (): Promise<string | undefined> =>
    (
      await server.query<{ sent: string }>(
        `SELECT sent_lsn::text AS sent FROM pg_stat_replication WHERE application_name LIKE 'walscope%'`,
      )
    )[0]?.sent;

  beforeAll(async () => {
    server = await startPostgres({ name: 'backpressure' });
    await server.query(`CREATE TABLE bp (id int PRIMARY KEY, pad text); CREATE PUBLICATION bpp FOR TABLE bp`);
    [{ start }] = (await server.query<{ start: string }>(
      `SELECT lsn::text AS start FROM pg_create_logical_replication_slot('bp_slot', 'pgoutput')`,
    )) as [{ start: string }];
    await server.query(`DO $$ BEGIN
      FOR t IN 0..${TXNS - 1} LOOP
        INSERT INTO bp SELECT g, repeat('p', 200) FROM generate_series(t * ${PER_TXN} + 1, (t + 1) * ${PER_TXN}) g;
        COMMIT;
      END LOOP; END $$`);
    [{ end }] = (await server.query<{ end: string }>(`SELECT pg_current_wal_lsn()::text AS end`)) as [{ end: string }];
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('a reader that stops holds the walsender before the end; once it reads, every row arrives once, in order', async () => {
    const cli = streamCli(
      ['stream', '--slot', 'bp_slot', '--direct', '--publication', 'bpp', '--endpos', end, '--dsn', server.dsn()],
      cleanEnv({ PGPASSWORD: server.password }),
    );
    const closed = new Promise<number | null>((resolve) => cli.child.on('close', resolve));
    cli.child.stdout!.pause();
    // Paused: the walsender, once it has sent something, stops short of the end and stays there.
    let previous: string | undefined;
    const held = await eventually(
      async () => {
        const now = await sentLsn();
        const still = now !== undefined && now === previous && now !== start;
        previous = now;
        return still ? now : undefined;
      },
      30_000,
      500,
    );
    const [{ behind }] = (await server.query<{ behind: number }>(`SELECT pg_wal_lsn_diff($1, $2)::float8 AS behind`, [
      end,
      held,
    ])) as [{ behind: number }];
    expect(behind).toBeGreaterThan(1024 * 1024);
    expect(cli.lines.length).toBeLessThan(TXNS * PER_TXN);

    cli.child.stdout!.resume();
    // 'close' comes after stdout has ended, so every line has been read by then.
    expect(await closed).toBe(0);
    expect(cli.lines.filter((l) => l['type'] === 'commit')).toHaveLength(TXNS);
    const ids = cli.lines.filter((l) => l['type'] === 'insert').map((l) => Number((l['new'] as { id: string }).id));
    expect(ids).toHaveLength(TXNS * PER_TXN);
    expect(ids.every((id, i) => id === i + 1)).toBe(true);
  });
});
