import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allMajors, startPostgres, startStandby, type PgServer } from './support/postgres';
import { eventually } from './support/eventually';

describe.each(allMajors())('test harness with PostgreSQL %i', (major) => {
  let server: PgServer;

  beforeAll(async () => {
    server = await startPostgres({ major });
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('starts a logical-level server of the right version on loopback', async () => {
    const [row] = await server.query<{ wal_level: string; v: string }>(
      `SELECT current_setting('wal_level') AS wal_level, current_setting('server_version_num') AS v`,
    );
    expect(row!.wal_level).toBe('logical');
    expect(Math.floor(Number(row!.v) / 10000)).toBe(major);
    expect(server.versionNum).toBe(Number(row!.v));
  });

  it('restarts on the same port and builds a streaming standby', async () => {
    await server.restart('fast');
    expect(await server.query(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    const standby = await startStandby(server);
    try {
      await eventually(
        async () => (await server.query(`SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'`)).length === 1,
      );
      await server.query(`CREATE TABLE h AS SELECT 1 AS x`);
      await eventually(
        async () => (await standby.query(`SELECT to_regclass('h') IS NOT NULL AS ok`))[0]?.['ok'] === true,
      );
      const [rec] = await standby.query<{ r: boolean }>(`SELECT pg_is_in_recovery() AS r`);
      expect(rec!.r).toBe(true);
    } finally {
      await standby.destroy();
    }
  });
});
