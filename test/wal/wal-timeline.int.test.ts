import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLsn } from '../../shared/lsn';
import { PhysicalStream } from '../../main/stream/physical-stream';
import type { WalRecord } from '../../main/wal/wal-record';
import { startPostgres, startStandby, type PgServer } from '../support/postgres';
import { clientConfig, eventually } from '../support/streams';

/**
 * A DBA watching the live WAL of a standby that gets promoted: the standby's walsender ends the
 * old timeline at the switch point (CopyDone); the stream goes on from there on the new one.
 */
describe('live WAL across a timeline switch on PostgreSQL 18', () => {
  let primary: PgServer;
  let standby: PgServer;

  beforeAll(async () => {
    primary = await startPostgres({ name: 'tli-primary' });
    await primary.query(`CREATE TABLE before_promote (id int)`);
    standby = await startStandby(primary);
  });

  afterAll(async () => {
    await standby?.destroy();
    await primary?.destroy();
  });

  it('streaming from a standby that is promoted continues on timeline 2, each record once, in order', async () => {
    const timelines: number[] = [];
    const records: WalRecord[] = [];
    let streaming!: () => void;
    const started = new Promise<void>((resolve) => (streaming = resolve));
    const stream = new PhysicalStream(
      { connection: clientConfig(standby) },
      {
        record: (r) => void records.push(r),
        info: (i) => {
          timelines.push(i.timeline);
          streaming();
        },
      },
    );
    const done = stream.run();
    await started;
    await primary.query(`INSERT INTO before_promote SELECT generate_series(1, 100)`);
    const [{ lsn: written }] = (await primary.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
      { lsn: string },
    ];
    await eventually(async () => records.some((r) => r.endLsn >= parseLsn(written)));

    await standby.query(`SELECT pg_promote(true, 30)`);
    await standby.query(`CREATE TABLE after_promote AS SELECT generate_series(1, 1000) AS g`);
    const [{ lsn: after }] = (await standby.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
      { lsn: string },
    ];
    await eventually(async () => records.some((r) => r.endLsn >= parseLsn(after)), 30_000);
    await stream.stop();
    expect(await done).toBe('stopped');

    expect(timelines).toEqual([1, 2]);
    const lsns = records.map((r) => r.lsn);
    expect(lsns.every((l, i) => i === 0 || l > lsns[i - 1]!)).toBe(true);
  });
});
