import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLsn } from '../../shared/lsn';
import type { InsertMessage } from '../../shared/messages';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { clientProgram, startPostgres, type PgServer } from '../support/postgres';
import { capture, clientConfig, eventually } from '../support/streams';
import { col, row } from '../support/tuples';
import type { StreamStateEvent } from '../../main/stream/change-stream';

interface SlotPos {
  confirmed_flush_lsn: string;
  restart_lsn: string;
  catalog_xmin: string;
}

const ids = (ms: { type: string }[], table: string): number[] =>
  ms
    .filter((m): m is InsertMessage => m.type === 'insert' && (m as InsertMessage).table === table)
    .map((m) => Number(col(m.new, 'id')));

// Faults between WALscope and PostgreSQL. Invariants in every scenario: slots not opened in
// consume mode keep their positions, and every change arrives exactly once, in order.
describe('fault injection (PostgreSQL 18)', () => {
  let server: PgServer;
  let proxy: FaultProxy;
  const positions = async (slot: string): Promise<SlotPos> =>
    (
      await server.query<SlotPos>(
        `SELECT confirmed_flush_lsn::text, restart_lsn::text, catalog_xmin::text FROM pg_replication_slots WHERE slot_name = $1`,
        [slot],
      )
    )[0]!;
  const viaProxy = () => ({ ...clientConfig(server), port: proxy.port });

  beforeAll(async () => {
    server = await startPostgres({
      name: 'faults',
      settings: { wal_sender_timeout: '2s', max_wal_senders: 6, max_replication_slots: 30 },
    });
    await server.query(`CREATE TABLE f (id int PRIMARY KEY, v text); CREATE PUBLICATION fpub FOR TABLE f`);
    proxy = await startFaultProxy({ host: server.host, port: server.port });
  });

  afterAll(async () => {
    await proxy?.close();
    await server?.destroy();
  });

  it('network blackhole then recovery: detects the silence, retries "slot is active" with backoff, resumes exactly', async () => {
    await server.query(`SELECT pg_create_logical_replication_slot('bh', 'test_decoding')`);
    // wal_sender_timeout = 0 for this walsender: like a server with the default 60 s, it keeps the
    // dead walsender (and the slot) after we have noticed the silence, so the reconnect meets
    // "slot is active" until the test ends that walsender.
    const c = capture({
      connection: { ...viaProxy(), options: '-c wal_sender_timeout=0' },
      source: { kind: 'direct', slot: 'bh' },
      backoff: { initialMs: 200, maxMs: 1000, maxAttempts: Infinity },
    });
    await server.query(`INSERT INTO f SELECT g, 'a' FROM generate_series(1, 50) g`);
    await c.until((ms) => ids(ms, 'f').length === 50);
    const deadPid = c.stream.backendPid;
    const before = await positions('bh');
    proxy.setMode({ kind: 'blackhole' });
    await server.query(`INSERT INTO f SELECT g, 'b' FROM generate_series(51, 100) g`);
    const silence = (): StreamStateEvent | undefined =>
      c.states.find((s) => s.state === 'reconnecting' && /after a ping/.test(s.error?.message ?? ''));
    await c.until(() => silence() !== undefined, 40_000);
    proxy.setMode({ kind: 'pass' });
    const inUse = (): StreamStateEvent[] =>
      c.states.filter((s) => s.state === 'reconnecting' && s.error?.code === 'SLOT_IN_USE');
    await c.until(() => inUse().length >= 2, 20_000);
    expect(silence()!.error!.code).toBe('CONNECTION');
    // Retried with growing attempts, each after a backoff delay.
    const retries = inUse();
    expect(retries[1]!.attempt).toBeGreaterThan(retries[0]!.attempt!);
    expect(retries.every((s) => s.delayMs! > 0)).toBe(true);
    // The server notices its dead walsender (here: by hand); the next retry gets the slot.
    await server.query(`SELECT pg_terminate_backend($1)`, [deadPid]);
    await c.until((ms) => ids(ms, 'f').length === 100, 40_000);
    expect(ids(c.messages, 'f')).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(c.gaps).toEqual([]);
    await c.stop();
    expect(await positions('bh')).toEqual(before);
  }, 90_000);

  it('a reset storm: 100 resets with jittered backoff, no leaked handles, nothing lost or doubled', async () => {
    await server.query(`TRUNCATE f`);
    await server.query(`SELECT pg_create_logical_replication_slot('storm', 'pgoutput')`);
    const handlesBefore = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
    const c = capture({
      connection: viaProxy(),
      source: { kind: 'copy', slot: 'storm' },
      publications: ['fpub'],
      backoff: { initialMs: 20, maxMs: 300, maxAttempts: Infinity },
    });
    // Reconnecting is for a stream that was running: a first connection that fails is an error.
    await c.until(() => c.states.some((s) => s.state === 'streaming'));
    let next = 1;
    for (let i = 0; i < 100; i++) {
      await server.query(`INSERT INTO f SELECT g, 'storm' FROM generate_series($1::int, $2::int) g`, [next, next + 9]);
      next += 10;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 60));
      proxy.resetAll();
    }
    await c.until((ms) => ids(ms, 'f').length >= next - 1, 60_000);
    expect(ids(c.messages, 'f')).toEqual(Array.from({ length: next - 1 }, (_, i) => i + 1));
    expect(c.stream.progress.reconnects).toBeGreaterThan(5);
    await c.stop();
    await eventually(
      async () =>
        (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length <= handlesBefore + 2,
    );
    await eventually(
      async () =>
        (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'walscope_%'`)).length === 0,
      20_000,
    );
  }, 120_000);

  // CI idles for 12 s; WALSCOPE_IDLE_SECONDS=300 makes it the several-minute soak.
  const idleSeconds = Number(process.env['WALSCOPE_IDLE_SECONDS'] ?? 12);
  it(
    'wal_sender_timeout = 1s on an idle server: status updates keep the stream alive',
    async () => {
      await server.query(`ALTER SYSTEM SET wal_sender_timeout = '1s'`);
      await server.query(`SELECT pg_reload_conf()`);
      await server.query(`SELECT pg_create_logical_replication_slot('idle_t', 'test_decoding')`);
      const logStart = server.readLog().length;
      const c = capture({ connection: clientConfig(server), source: { kind: 'direct', slot: 'idle_t' } });
      await c.until(() => c.states.some((s) => s.state === 'streaming'));
      await new Promise((r) => setTimeout(r, idleSeconds * 1000));
      expect(c.stream.progress.reconnects).toBe(0);
      expect(server.readLog().slice(logStart)).not.toMatch(/terminating walsender process due to replication timeout/);
      expect(c.keepalives).toBeGreaterThan(0); // idle pings answered: the heartbeat is alive
      await c.stop();
      await server.query(`ALTER SYSTEM RESET wal_sender_timeout`);
      await server.query(`SELECT pg_reload_conf()`);
    },
    (idleSeconds + 30) * 1000,
  );

  it('many interleaved concurrent transactions: the capture equals the oracle slot, in commit order', async () => {
    await server.query(`CREATE TABLE inter (id int PRIMARY KEY, w int)`);
    await server.query(`ALTER PUBLICATION fpub ADD TABLE inter`);
    await server.query(`SELECT pg_create_logical_replication_slot('inter_src', 'pgoutput')`);
    await server.query(`SELECT pg_create_logical_replication_slot('inter_oracle', 'test_decoding')`);
    const c = capture({
      connection: viaProxy(),
      source: { kind: 'copy', slot: 'inter_src' },
      publications: ['fpub'],
      backoff: { initialMs: 50, maxMs: 300, maxAttempts: Infinity },
    });
    const pg = (await import('pg')).default;
    const workers = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const w = new pg.Client(clientConfig(server));
        await w.connect();
        return w;
      }),
    );
    // Eight sessions interleave statements inside open transactions; a reset midway for good measure.
    await Promise.all(
      workers.map(async (w, k) => {
        for (let t = 0; t < 10; t++) {
          await w.query('BEGIN');
          for (let i = 0; i < 5; i++) {
            await w.query(`INSERT INTO inter VALUES ($1, $2)`, [k * 1000 + t * 10 + i, k]);
            await new Promise((r) => setTimeout(r, Math.random() * 5));
          }
          await w.query('COMMIT');
          if (k === 0 && t === 5) proxy.resetAll();
        }
      }),
    );
    await Promise.all(workers.map((w) => w.end()));
    await c.until((ms) => ids(ms, 'inter').length >= 400, 40_000);
    await c.stop();
    const rows = await server.query<{ data: string }>(
      `SELECT data FROM pg_logical_slot_get_changes('inter_oracle', NULL, NULL)`,
    );
    const oracle = rows.flatMap((r) => {
      const m = /^table public\.inter: INSERT: id\[integer\]:(\d+)/.exec(r.data);
      return m ? [Number(m[1])] : [];
    });
    expect(oracle).toHaveLength(400);
    expect(ids(c.messages, 'inter')).toEqual(oracle);
  }, 90_000);

  it('the event loop stalled past wal_sender_timeout: the server drops us, we resume without gap or duplicate', async () => {
    await server.query(`TRUNCATE f`);
    await server.query(`SELECT pg_create_logical_replication_slot('stall', 'pgoutput')`);
    const c = capture({
      connection: clientConfig(server),
      source: { kind: 'copy', slot: 'stall' },
      publications: ['fpub'],
      backoff: { initialMs: 100, maxMs: 500, maxAttempts: Infinity },
    });
    await server.query(`INSERT INTO f SELECT g, 'x' FROM generate_series(1, 20) g`);
    await c.until((ms) => ids(ms, 'f').length === 20);
    const logStart = server.readLog().length;
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `
      const pg = require('pg');
      const c = new pg.Client(${JSON.stringify(clientConfig(server))});
      c.connect().then(async () => { await c.query("INSERT INTO f SELECT g, 'y' FROM generate_series(21, 40) g"); await c.end(); });
    `,
      ],
      { cwd: process.cwd() },
    );
    const until = Date.now() + 3500;
    while (Date.now() < until) {
      /* a blocked event loop: no timers, no replies */
    }
    await new Promise((r) => writer.on('close', r));
    // The server dropped us for the silence (rows it sent before may still arrive from the socket);
    // we reconnect, and what follows comes through the new connection, each row once.
    await c.until(() => c.states.filter((s) => s.state === 'streaming').length >= 2, 30_000);
    expect(server.readLog().slice(logStart)).toMatch(/terminating walsender process due to replication timeout/);
    expect(c.stream.progress.reconnects).toBeGreaterThanOrEqual(1);
    await server.query(`INSERT INTO f SELECT g, 'z' FROM generate_series(41, 60) g`);
    await c.until((ms) => ids(ms, 'f').length >= 60, 30_000);
    expect(ids(c.messages, 'f')).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(c.gaps).toEqual([]);
    await c.stop();
  }, 60_000);

  it('DDL while streaming and while disconnected: the relation cache follows', async () => {
    await server.query(`CREATE TABLE ddl (id int PRIMARY KEY); ALTER PUBLICATION fpub ADD TABLE ddl`);
    await server.query(`SELECT pg_create_logical_replication_slot('ddl_slot', 'pgoutput')`);
    const c = capture({
      connection: viaProxy(),
      source: { kind: 'copy', slot: 'ddl_slot' },
      publications: ['fpub'],
      backoff: { initialMs: 100, maxMs: 500, maxAttempts: Infinity },
    });
    await server.query(`INSERT INTO ddl VALUES (1)`);
    await c.until((ms) => ms.some((m) => m.type === 'insert' && (m as InsertMessage).table === 'ddl'));
    await server.query(`ALTER TABLE ddl ADD COLUMN note text`);
    await server.query(`INSERT INTO ddl VALUES (2, 'two')`);
    await c.until((ms) => ms.some((m) => m.type === 'insert' && col((m as InsertMessage).new, 'note') === 'two'));
    proxy.setMode({ kind: 'reset' });
    await server.query(`ALTER TABLE ddl RENAME COLUMN note TO remark`);
    await server.query(`INSERT INTO ddl VALUES (3, 'three')`);
    // Stay disconnected until a reconnect attempt has been refused after the DDL and the insert.
    const refused = c.states.filter((s) => s.state === 'reconnecting' && s.error).length;
    await c.until(() => c.states.filter((s) => s.state === 'reconnecting' && s.error).length > refused);
    proxy.setMode({ kind: 'pass' });
    await c.until(
      (ms) => ms.some((m) => m.type === 'insert' && col((m as InsertMessage).new, 'remark') === 'three'),
      30_000,
    );
    const inserts = c.messages.filter((m): m is InsertMessage => m.type === 'insert' && m.table === 'ddl');
    expect(inserts.map((m) => m.new)).toEqual([
      row({ id: '1' }),
      row({ id: '2', note: 'two' }),
      row({ id: '3', remark: 'three' }),
    ]);
    await c.stop();
  }, 60_000);

  it('a production consumer (pg_recvlogical in a loop) never sees "active for PID" because of WALscope and ends where it would alone', async (ctx) => {
    const recv = clientProgram('pg_recvlogical');
    if (!recv)
      return ctx.skip(
        'pg_recvlogical not found (no /usr/lib/postgresql/*/bin, not on PATH); Debian ships it in postgresql-client-15',
      );
    await server.query(`SELECT pg_create_logical_replication_slot('prod', 'test_decoding')`);
    const dsn = server.dsn();
    let stderr = '';
    const consumer = spawn(recv, ['-d', dsn, '-S', 'prod', '--start', '-f', '/dev/null', '-F', '1', '-s', '1'], {
      env: { ...process.env, PGPASSWORD: server.password },
    });
    consumer.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await eventually(
      async () =>
        (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'prod' AND active`)).length === 1,
    );
    // WALscope inspects the same slot three times while the consumer runs.
    for (let i = 0; i < 3; i++) {
      const c = capture({ connection: clientConfig(server), source: { kind: 'copy', slot: 'prod' } });
      await server.query(`INSERT INTO f VALUES ($1, 'prod')`, [100_000 + i]);
      await c.until((ms) => ids(ms, 'f').includes(100_000 + i));
      await c.stop();
    }
    const [{ lsn }] = (await server.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
      { lsn: string },
    ];
    await eventually(async () => {
      const [p] = await server.query<{ c: string }>(
        `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = 'prod'`,
      );
      return parseLsn(p!.c) >= parseLsn(lsn);
    }, 20_000);
    consumer.kill('SIGINT');
    await new Promise((r) => consumer.on('close', r));
    expect(stderr).not.toMatch(/is active for PID/);
  }, 60_000);

  it('max_wal_senders exhausted: a clear SLOT_LIMIT error, no retry storm', async () => {
    const holders = [] as ReturnType<typeof capture>[];
    // One more stream than max_wal_senders (6) allows.
    for (let i = 0; i < 7; i++) {
      await server.query(`SELECT pg_create_logical_replication_slot($1, 'test_decoding')`, [`hold_${i}`]);
    }
    for (let i = 0; i < 7; i++) {
      const h = capture({ connection: clientConfig(server), source: { kind: 'direct', slot: `hold_${i}` } });
      holders.push(h);
      try {
        await h.until(() => h.states.some((s) => s.state === 'streaming' || s.state === 'failed'), 10_000);
      } catch {
        /* the last one may not get a sender */
      }
    }
    const failed = holders.filter((h) => h.states.some((s) => s.state === 'failed'));
    expect(failed.length).toBeGreaterThan(0);
    const err = failed[0]!.states.find((s) => s.state === 'failed')!.error!;
    expect(err.code).toBe('SLOT_LIMIT');
    expect(err.hint).toMatch(/max_wal_senders/);
    // No retry storm: each refused stream tried once and stopped (no reconnect, one failure).
    for (const h of failed) {
      expect(h.stream.progress.reconnects).toBe(0);
      expect(h.states.map((s) => s.state)).toEqual(['connecting', 'failed']);
    }
    for (const h of holders) await h.stop();
  }, 60_000);
});
