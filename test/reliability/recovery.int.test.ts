import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InsertMessage } from '../../shared/messages';
import { ServerMonitor } from '../../main/monitor/server-monitor';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { codeOf } from '../support/errors';
import { clientProgram, startPostgres, type PgServer } from '../support/postgres';
import { capture, clientConfig, eventually } from '../support/streams';
import { runCli } from '../support/cli';
import { col } from '../support/tuples';

const ids = (ms: { type: string }[], table: string): number[] =>
  ms
    .filter((m): m is InsertMessage => m.type === 'insert' && (m as InsertMessage).table === table)
    .map((m) => Number(col(m.new, 'id')));

/** The oracle: what a second slot, created at the same point, says was committed. */
async function oracleIds(server: PgServer, slot: string, table: string): Promise<number[]> {
  const rows = await server.query<{ data: string }>(`SELECT data FROM pg_logical_slot_get_changes($1, NULL, NULL)`, [
    slot,
  ]);
  const re = new RegExp(`^table public\\.${table}: INSERT: id\\[integer\\]:(\\d+)`);
  return rows.flatMap((r) => {
    const m = re.exec(r.data);
    return m ? [Number(m[1])] : [];
  });
}

describe('crash recovery, invalidated slots, throttling, cancelled slot creation (PostgreSQL 18)', () => {
  let server: PgServer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    server = await startPostgres({
      name: 'recovery',
      settings: { max_slot_wal_keep_size: '1MB', wal_sender_timeout: '5s', max_replication_slots: 20 },
    });
    await server.query(`CREATE TABLE r (id int PRIMARY KEY, v text); CREATE PUBLICATION rpub FOR ALL TABLES`);
    proxy = await startFaultProxy({ host: server.host, port: server.port });
  });

  afterAll(async () => {
    await proxy?.close();
    await server?.destroy();
  });

  it('immediate stop (crash) and recovery mid-stream: every committed row exactly once, as the oracle slot says', async () => {
    await server.query(`SELECT pg_create_logical_replication_slot('crash_src', 'pgoutput')`);
    await server.query(`SELECT pg_create_logical_replication_slot('crash_oracle', 'test_decoding')`);
    const c = capture({
      connection: clientConfig(server),
      source: { kind: 'copy', slot: 'crash_src' },
      publications: ['rpub'],
      backoff: { initialMs: 200, maxMs: 1000, maxAttempts: Infinity },
    });
    for (let i = 1; i <= 30; i++) await server.query(`INSERT INTO r VALUES ($1, 'before')`, [i]);
    await c.until((ms) => ids(ms, 'r').length === 30);
    await server.stop('immediate');
    await server.start();
    for (let i = 31; i <= 60; i++) await server.query(`INSERT INTO r VALUES ($1, 'after')`, [i]);
    await c.until((ms) => ids(ms, 'r').length >= 60, 40_000);
    await c.stop();
    const oracle = await oracleIds(server, 'crash_oracle', 'r');
    expect(ids(c.messages, 'r')).toEqual(oracle);
    expect(oracle).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(c.gaps).toEqual([]);
  }, 90_000);

  it('a slot invalidated by max_slot_wal_keep_size shows as lost, and streaming it fails once, without a retry storm', async () => {
    await server.query(`SELECT pg_create_logical_replication_slot('doomed', 'test_decoding')`);
    for (let i = 0; i < 4; i++) {
      await server.query(
        `INSERT INTO r SELECT g, repeat('w', 200) FROM generate_series(${1000 + i * 5000}, ${4999 + i * 5000}) g`,
      );
      await server.query(`SELECT pg_switch_wal()`);
    }
    await server.query(`CHECKPOINT`);
    const monitor = await ServerMonitor.open(clientConfig(server));
    try {
      const snap = await eventually(async () => {
        const s = await monitor.poll();
        return s.slots.find((x) => x.name === 'doomed')?.status === 'lost' ? s : undefined;
      }, 20_000);
      expect(snap!.alerts.some((a) => a.key === 'slot:doomed:lost' && a.severity === 'critical')).toBe(true);
    } finally {
      await monitor.close();
    }
    const c = capture({ connection: clientConfig(server), source: { kind: 'copy', slot: 'doomed' } });
    await c.done.catch(() => undefined);
    expect(c.states.filter((s) => s.state === 'failed')).toHaveLength(1);
    expect(c.states.filter((s) => s.state === 'reconnecting' && s.attempt! > 0)).toHaveLength(0);
    await server.query(`SELECT pg_drop_replication_slot('doomed')`);
  }, 60_000);

  it('a throttled link under pgbench: the stream keeps reading, memory stays bounded, no replication timeout or reconnect', async (ctx) => {
    const pgbench = clientProgram('pgbench');
    if (!pgbench)
      return ctx.skip(
        'pgbench not found (no /usr/lib/postgresql/*/bin, not on PATH); Debian ships it in postgresql-15',
      );
    const env = { ...process.env, PGPASSWORD: server.password };
    const common = ['-h', server.host, '-p', String(server.port), '-U', server.user, 'postgres'];
    await new Promise((r) => spawn(pgbench, ['-i', '-s', '1', '-q', ...common], { env }).on('close', r));
    await server.query(`SELECT pg_create_logical_replication_slot('throttled', 'pgoutput')`);
    const logStart = server.readLog().length;
    proxy.setMode({ kind: 'throttle', bytesPerSec: 256 * 1024 });
    const rssBefore = process.memoryUsage().rss;
    const c = capture({
      connection: { ...clientConfig(server), port: proxy.port },
      source: { kind: 'copy', slot: 'throttled' },
      publications: ['rpub'],
    });
    await new Promise((r) => spawn(pgbench, ['-T', '12', '-c', '2', ...common], { env }).on('close', r));
    const rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    expect(c.stream.progress.messages).toBeGreaterThan(100);
    expect(rssGrowthMb).toBeLessThan(150);
    expect(server.readLog().slice(logStart)).not.toMatch(/replication timeout/);
    expect(c.stream.progress.reconnects).toBe(0);
    proxy.setMode({ kind: 'pass' });
    await c.stop();
  }, 90_000);

  it('slot creation blocked by an open transaction is cancelled within 2 s and leaves no slot (monitor and CLI)', async () => {
    const blocker = await import('pg').then((m) => new m.default.Client(clientConfig(server)));
    await blocker.connect();
    await blocker.query(`BEGIN; INSERT INTO r VALUES (-1, 'open')`);
    const monitor = await ServerMonitor.open(clientConfig(server));
    try {
      const abort = new AbortController();
      const creating = monitor.createSlot({ name: 'blocked_slot', kind: 'logical', plugin: 'pgoutput' }, abort.signal);
      // Cancel only once the creation is waiting on the open transaction's lock.
      await eventually(
        async () =>
          (
            await server.query(
              `SELECT 1 FROM pg_stat_activity WHERE query LIKE '%blocked_slot%' AND wait_event_type = 'Lock'`,
            )
          ).length === 1,
      );
      const t0 = Date.now();
      abort.abort();
      expect(await codeOf(creating)).toBe('CANCELLED');
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'blocked_slot'`)).toEqual([]);

      const cli = await runCli(['create-slot', 'blocked_cli', '--timeout', '1', '--dsn', server.dsn()]);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(/error \[CANCELLED\].*no slot was created/);
      expect(await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'blocked_cli'`)).toEqual([]);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
      await monitor.close();
    }
  }, 60_000);

  // With '*' and no standby, the server itself makes commits wait; the point is that WALscope's
  // connection never becomes the standby they wait for.
  it("synchronous_standby_names = '*': WALscope refuses to stream and raises a critical alert", async () => {
    await server.query(`ALTER SYSTEM SET synchronous_standby_names = '*'`);
    await server.query(`SELECT pg_reload_conf()`);
    try {
      const config = { ...clientConfig(server), application_name: 'walscope/test' };
      const c = capture({ connection: config, source: { kind: 'temporary', plugin: 'test_decoding' } });
      await c.done.catch(() => undefined);
      const failed = c.states.find((s) => s.state === 'failed');
      expect(failed?.error?.code).toBe('UNSAFE');
      expect(failed?.error?.message).toMatch(/synchronous standby/);
      expect(await server.query(`SELECT 1 FROM pg_stat_replication WHERE application_name = 'walscope/test'`)).toEqual(
        [],
      );
      const monitor = await ServerMonitor.open(config);
      try {
        expect((await monitor.poll()).alerts[0]).toMatchObject({
          key: 'server:synchronous_standby_names',
          severity: 'critical',
        });
      } finally {
        await monitor.close();
      }
    } finally {
      await server.query(`ALTER SYSTEM RESET synchronous_standby_names`);
      await server.query(`SELECT pg_reload_conf()`);
    }
  }, 30_000);

  it('a huge transaction with subtransaction aborts: spilled (proto 1) and streamed (proto 4) decode the same committed rows', async () => {
    await server.query(`ALTER SYSTEM SET logical_decoding_work_mem = '64kB'`);
    await server.query(`SELECT pg_reload_conf()`);
    await server.query(`CREATE TABLE huge (id int PRIMARY KEY, pad text)`);
    await server.query(`SELECT pg_create_logical_replication_slot('huge_src', 'pgoutput')`);
    await server.query(`
      BEGIN;
      INSERT INTO huge SELECT g, repeat('h', 100) FROM generate_series(1, 20000) g;
      SAVEPOINT a;
      INSERT INTO huge SELECT g, 'aborted' FROM generate_series(20001, 30000) g;
      ROLLBACK TO a;
      SAVEPOINT b;
      INSERT INTO huge SELECT g, 'kept' FROM generate_series(30001, 35000) g;
      RELEASE b;
      COMMIT;`);
    await server.query(`SELECT pg_logical_emit_message(false, 'huge-done', '')`);
    const run = async (options: Record<string, string>): Promise<{ rows: number[]; streamed: boolean }> => {
      const c = capture({
        connection: clientConfig(server),
        source: { kind: 'copy', slot: 'huge_src' },
        publications: ['rpub'],
        pluginOptions: options,
      });
      await c.until(
        (ms) => ms.some((m) => m.type === 'message' && (m as { prefix: string }).prefix === 'huge-done'),
        60_000,
      );
      await c.stop();
      const aborted = new Set<number>();
      // In streaming mode the aborted subtransaction's rows arrive before their Stream Abort.
      let current: number[] = [];
      const kept: number[] = [];
      for (const m of c.messages) {
        if (m.type === 'insert' && (m as InsertMessage).table === 'huge')
          current.push(Number(col((m as InsertMessage).new, 'id')));
        if (m.type === 'stream_abort' && m.subXid !== m.xid) {
          for (const id of current.filter((x) => x > 20000 && x <= 30000)) aborted.add(id);
        }
        if (m.type === 'commit' || m.type === 'stream_commit') {
          kept.push(...current.filter((x) => !aborted.has(x)));
          current = [];
        }
      }
      return { rows: kept, streamed: c.messages.some((m) => m.type === 'stream_start') };
    };
    const spilled = await run({ proto_version: '1', streaming: 'false' });
    const streamed = await run({});
    expect(spilled.streamed).toBe(false);
    expect(streamed.streamed).toBe(true);
    const expected = [
      ...Array.from({ length: 20000 }, (_, i) => i + 1),
      ...Array.from({ length: 5000 }, (_, i) => 30001 + i),
    ];
    expect(spilled.rows).toEqual(expected);
    expect(streamed.rows).toEqual(expected);
    await server.query(`ALTER SYSTEM RESET logical_decoding_work_mem`);
    await server.query(`SELECT pg_reload_conf()`);
  }, 120_000);
});
