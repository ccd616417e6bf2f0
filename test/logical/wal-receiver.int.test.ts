import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerMonitor } from '../../main/monitor/server-monitor';
import type { WalReceiver } from '../../shared/contract/logical';
import { cleanEnv, runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { availableMajors, startPostgres, startStandby, type PgServer } from '../support/postgres';
import { clientConfig } from '../support/streams';

describe.each(availableMajors())('WAL receiver of a physical standby on PostgreSQL %i', (major) => {
  let primary: PgServer;
  let standby: PgServer;
  let monitor: ServerMonitor;

  beforeAll(async () => {
    primary = await startPostgres({ major, name: 'wr-primary' });
    standby = await startStandby(primary, { slot: 'wr_slot' });
    monitor = await ServerMonitor.open(clientConfig(standby));
  });

  afterAll(async () => {
    await monitor?.close();
    await standby?.destroy();
    await primary?.destroy();
  });

  it('reads status, sender, slot, received/flushed LSN and replay lag; the password never shows', async () => {
    await primary.query(`CREATE TABLE w (id int); INSERT INTO w SELECT generate_series(1, 1000)`);
    const [{ lsn }] = (await primary.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
      { lsn: string },
    ];
    const wr = (await eventually(async () => {
      const r = (await monitor.poll()).logical.walReceiver;
      if (!r?.flushedLsn || r.status !== 'streaming') return undefined;
      const [{ d }] = (await primary.query<{ d: string }>(`SELECT pg_wal_lsn_diff($1, $2)::text AS d`, [
        r.flushedLsn,
        lsn,
      ])) as [{ d: string }];
      return Number(d) >= 0 && r.replayLagBytes === 0 ? r : undefined;
    }, 30_000)) as WalReceiver;
    expect(wr).toMatchObject({
      status: 'streaming',
      senderHost: '127.0.0.1',
      senderPort: primary.port,
      slotName: 'wr_slot',
    });
    expect(wr.receivedLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(wr.replayLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(wr.latestEndTime).not.toBeNull();
    expect(wr.conninfo).toContain('password=********');
    expect(wr.conninfo).not.toContain(primary.password);
    const snap = await monitor.poll();
    expect(snap.overview.inRecovery).toBe(true);
    expect(snap.logical.subscriptions).toEqual([]);
  });

  it('walscope lag on the standby includes the WAL receiver', async () => {
    const r = await runCli(['lag', '--dsn', standby.dsn(), '--count', '1'], cleanEnv());
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout.trim()) as { walReceiver: WalReceiver; subscriptions?: unknown };
    expect(line.walReceiver).toMatchObject({ status: 'streaming', slotName: 'wr_slot' });
    expect(line).not.toHaveProperty('subscriptions');
  });
});
