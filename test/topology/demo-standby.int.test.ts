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
import { contractClient } from '../support/session-client';
import type { TopologySnapshot } from '../../shared/contract/topology';

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

  it('shows the three-node topology: the standby seen with its connect target, then connected with a physical edge', async () => {
    await Promise.all([demo.standby(), demo.subscriber()]);
    const client = contractClient({ demo: async () => demo });
    try {
      const topology = () => client.ok<TopologySnapshot>('topology.get', {});
      await client.ok('session.connect', { target: { kind: 'demo' } });
      const seen = (await eventually(async () => {
        const t = await topology();
        return t.nodes.find((n) => n.label === DEMO_STANDBY && n.sessionId === null) ? t : undefined;
      }))!;
      expect(seen.nodes.find((n) => n.label === DEMO_STANDBY)!.connect).toEqual({ kind: 'demoStandby' });
      expect(seen.nodes.find((n) => n.label === 'demo_sub')!.connect).toEqual({ kind: 'demoSubscriber' });
      await client.ok('session.connect', { target: { kind: 'demoStandby' } });
      await client.ok('session.connect', { target: { kind: 'demoSubscriber' } });
      const t = (await eventually(
        async () => {
          const x = await topology();
          return x.edges.some((e) => e.kind === 'logical' && e.to.startsWith('session:')) &&
            x.edges.some((e) => e.kind === 'physical' && e.to.startsWith('session:'))
            ? x
            : undefined;
        },
        60_000,
        250,
      ))!;
      const connected = t.nodes.filter((n) => n.sessionId !== null);
      expect(connected.map((n) => [n.label, n.role, n.depth])).toEqual([
        ['demo', 'primary', 0],
        ['demo standby', 'standby', 1],
        ['demo subscriber', 'subscriber', 1],
      ]);
      const byLabel = (l: string) => connected.find((n) => n.label === l)!.id;
      const physical = t.edges.find((e) => e.kind === 'physical' && e.to === byLabel('demo standby'))!;
      expect(physical).toMatchObject({
        from: byLabel('demo'),
        label: DEMO_STANDBY,
        slot: DEMO_STANDBY,
        state: 'streaming',
      });
      expect(physical.lagBytes.replay).toEqual(expect.any(Number));
      const logical = t.edges.find((e) => e.kind === 'logical' && e.to === byLabel('demo subscriber'))!;
      expect(logical).toMatchObject({ from: byLabel('demo'), label: 'demo_sub', slot: 'demo_sub' });
      expect(logical.lagBytes.flush).toEqual(expect.any(Number));
      // Neither the standby nor the subscriber is also shown as a seen node.
      expect(t.nodes.filter((n) => n.label === DEMO_STANDBY || n.label === 'demo_sub')).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
