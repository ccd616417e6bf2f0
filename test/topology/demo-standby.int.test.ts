import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoDatabase, type DemoHandle } from '../../main/demo/demo-database';
import { DEMO_STANDBY } from '../../main/demo/demo-standby';
import { resolveConnectionSettings, toPgClientConfig } from '../../main/connection';
import { eventually } from '../support/eventually';

const config = (dsn: string) => toPgClientConfig(resolveConnectionSettings({ dsn }, {}));

async function withClient<T>(dsn: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(config(dsn));
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

function tcpRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('the demo database has a physical standby', () => {
  let demo: DemoHandle;
  let userDataDir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-demo-standby-test-'));
    demo = await startDemoDatabase({ userDataDir, log: (l) => logs.push(l) });
  });

  afterAll(async () => {
    await demo?.stop();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  it('streams from the primary through its slot, and a row written on the primary is visible on the standby', async () => {
    const standbyDsn = await demo.standby();
    const sender = await eventually(
      () =>
        withClient(demo.dsn, async (c) => {
          const { rows } = await c.query<{ state: string; slot: string | null }>(
            `SELECT r.state, s.slot_name::text AS slot FROM pg_stat_replication r
               LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid WHERE r.application_name = $1`,
            [DEMO_STANDBY],
          );
          return rows[0]?.state === 'streaming' ? rows[0] : undefined;
        }),
      60_000,
      250,
    );
    expect(sender).toEqual({ state: 'streaming', slot: DEMO_STANDBY });
    const receiver = await withClient(standbyDsn, async (c) => {
      const { rows } = await c.query<{ status: string; slot_name: string; in_recovery: boolean }>(
        `SELECT status, slot_name, pg_is_in_recovery() AS in_recovery FROM pg_stat_wal_receiver`,
      );
      return rows[0];
    });
    expect(receiver).toEqual({ status: 'streaming', slot_name: DEMO_STANDBY, in_recovery: true });

    const marker = `standby-check-${Date.now()}`;
    await withClient(demo.dsn, async (c) => {
      await c.query(`CREATE TABLE IF NOT EXISTS standby_probe (v text)`);
      await c.query(`INSERT INTO standby_probe VALUES ($1)`, [marker]);
    });
    const seen = await eventually(
      () =>
        withClient(standbyDsn, async (c) => {
          const { rows } = await c
            .query(`SELECT 1 FROM standby_probe WHERE v = $1`, [marker])
            .catch(() => ({ rows: [] }));
          return rows.length === 1;
        }),
      30_000,
      200,
    );
    expect(seen).toBe(true);
  });

  it('listens only on a socket in the private 0700 directory, with no TCP listener, and never logs the password', async () => {
    const standbyDsn = await demo.standby();
    const c = config(standbyDsn);
    const socketDir = String(c.host);
    expect(socketDir).toBe(demo.socketDir);
    expect(fs.statSync(socketDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(socketDir, `.s.PGSQL.${c.port}`)).mode & 0o777).toBe(0o700);
    const listen = await withClient(
      standbyDsn,
      async (x) => (await x.query<{ v: string }>(`SELECT current_setting('listen_addresses') AS v`)).rows[0]!.v,
    );
    expect(listen).toBe('');
    expect(await tcpRefused(Number(c.port))).toBe(true);
    const password = String(c.password);
    expect(password.length).toBeGreaterThan(10);
    expect(logs.some((l) => l.includes('standby:'))).toBe(true);
    expect(logs.filter((l) => l.includes(password))).toEqual([]);
  });
});
