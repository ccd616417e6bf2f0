import { describe, expect, it } from 'vitest';
import { runCli, streamCli } from '../support/cli';
import { startPostgres, type PgServer } from '../support/postgres';

async function lsnNow(s: PgServer): Promise<string> {
  const [row] = await s.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  return row!.lsn;
}

describe('walscope wal against PostgreSQL 18: what it leaves and where it starts', () => {
  it('a start whose segment the server removed gives an explicit gap, then records from the current position', async () => {
    const s = await startPostgres({
      settings: { max_wal_size: '32MB', min_wal_size: '32MB', wal_keep_size: 0 },
      name: 'walgap',
    });
    try {
      const old = await lsnNow(s);
      // Several segments of WAL and checkpoints: the segment holding `old` is recycled.
      for (let i = 0; i < 4; i++) {
        await s.query(`CREATE TABLE IF NOT EXISTS g AS SELECT 1 AS x; SELECT pg_switch_wal(); CHECKPOINT`);
      }
      const [{ name }] = (await s.query<{ name: string }>(`SELECT pg_walfile_name($1::pg_lsn) AS name`, [old])) as [
        { name: string },
      ];
      const present = await s.query(`SELECT 1 FROM pg_ls_waldir() WHERE name = $1`, [name]);
      expect(present).toEqual([]);
      // Streaming resumes at the current position: a change made after the gap shows up.
      const wal = streamCli(['wal', '--dsn', s.dsn(), '--start', old]);
      try {
        await wal.waitFor((ls) => ls.some((l) => l['type'] === 'gap'));
        const gap = wal.lines.find((l) => l['type'] === 'gap')!;
        expect(gap).toMatchObject({ type: 'gap', from: old });
        expect(String(gap['reason'])).toMatch(/has already been removed/);
        expect(wal.stderr()).toContain(`gap from ${old} to `);
        await s.query(`INSERT INTO g VALUES (2)`);
        await wal.waitFor((ls) => ls.some((l) => l['rmgr'] === 'Heap' && l['relation'] === 'public.g'));
      } finally {
        await wal.stop();
      }
    } finally {
      await s.destroy();
    }
  });

  it('refuses (UNSAFE) when synchronous_standby_names could pick its walsender, and keeps nothing on the server', async () => {
    const s = await startPostgres({ settings: { synchronous_standby_names: '*' }, name: 'walsync' });
    try {
      const res = await runCli(['wal', '--dsn', s.dsn(), '--endpos', await lsnNow(s)]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/error \[UNSAFE\]: synchronous_standby_names/);
      expect(await s.query(`SELECT slot_name FROM pg_replication_slots`)).toEqual([]);
    } finally {
      await s.destroy();
    }
  });

  it('uses no slot and reports flush 0 while streaming: pg_stat_replication shows a write but no flush position', async () => {
    const s = await startPostgres({ name: 'walslot' });
    try {
      const wal = streamCli(['wal', '--dsn', s.dsn()]);
      try {
        await expect
          .poll(
            async () => {
              await s.query(`SELECT pg_logical_emit_message(false, 'tick', 'x')`);
              return s.query(
                `SELECT write_lsn IS NOT NULL AS w, flush_lsn IS NULL AS f FROM pg_stat_replication WHERE application_name LIKE 'walscope%'`,
              );
            },
            { timeout: 30_000 },
          )
          .toEqual([{ w: true, f: true }]);
        expect(await s.query(`SELECT slot_name FROM pg_replication_slots`)).toEqual([]);
      } finally {
        await wal.stop();
      }
    } finally {
      await s.destroy();
    }
  });

  it('--stats prints aggregates as pg_waldump --stats=record counts them, and how far behind the server it is', async () => {
    const s = await startPostgres({ name: 'walstats' });
    try {
      const start = await lsnNow(s);
      await s.query(`CREATE TABLE st AS SELECT g FROM generate_series(1, 2000) g`);
      const end = await lsnNow(s);
      const res = await runCli(['wal', '--dsn', s.dsn(), '--start', start, '--endpos', end, '--stats']);
      expect(res.code, res.stderr).toBe(0);
      const stats = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, unknown> & {
        byRecordType: { rmgr: string; recordType: string; count: number; combinedBytes: number }[];
        topRelations: { key: string }[];
        records: number;
        bytes: number;
      };
      expect(stats['type']).toBe('stats');
      expect(stats.records).toBeGreaterThan(0);
      expect(stats.byRecordType.reduce((n, t) => n + t.count, 0)).toBe(stats.records);
      expect(stats.byRecordType.reduce((n, t) => n + t.combinedBytes, 0)).toBe(stats.bytes);
      expect(stats.topRelations[0]!.key).toBe('public.st');
      expect(typeof stats['serverLsn']).toBe('string');
      expect(typeof stats['behindBytes']).toBe('number');
    } finally {
      await s.destroy();
    }
  });

  it('refuses (LIMIT) to start when its walsender would eat into the reserve, naming the numbers', async () => {
    const s = await startPostgres({ settings: { max_wal_senders: 4 }, name: 'walreserve' });
    try {
      const res = await runCli(['wal', '--dsn', s.dsn(), '--walsender-reserve', '4', '--endpos', await lsnNow(s)]);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr).toMatch(/error \[LIMIT\]: starting the live WAL would leave 3 of 4 walsender slots/);
      expect(res.stdout).toBe('');
    } finally {
      await s.destroy();
    }
  });
});
