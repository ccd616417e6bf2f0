import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullMajors, startPostgres, type PgServer } from './support/postgres';
import { runCli } from './support/cli';
import { capture, clientConfig, eventually } from './support/streams';

/**
 * The CLI's slot commands go through the monitor's SlotOperations: the same refusals as the UI,
 * and the same confirmation — drop and advance change nothing without --yes.
 */
describe.each(fullMajors())('walscope CLI slot operations against PostgreSQL %i', (major) => {
  let server: PgServer;

  beforeAll(async () => {
    server = await startPostgres({ major });
    await server.query(`CREATE TABLE c (id int PRIMARY KEY, v text)`);
  });

  afterAll(async () => {
    await server?.destroy();
  });

  const slotRow = async (name: string): Promise<Record<string, string> | undefined> =>
    (
      await server.query<Record<string, string>>(
        `SELECT confirmed_flush_lsn::text AS confirmed, restart_lsn::text AS restart FROM pg_replication_slots WHERE slot_name = $1`,
        [name],
      )
    )[0];

  it('drop-slot without --yes prints what would be lost and drops nothing; with --yes it drops', async () => {
    await server.query(`SELECT pg_create_logical_replication_slot('cli_drop', 'test_decoding')`);
    const dry = await runCli(['drop-slot', 'cli_drop', '--dsn', server.dsn()]);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toMatch(
      /error \[INVALID_ARGUMENT\]: dropping slot "cli_drop" needs confirmation: it retains .* WAL and has no consumer; nothing was changed/,
    );
    expect(dry.stderr).toMatch(/hint: Run again with --yes/);
    expect(JSON.parse(dry.stdout)).toMatchObject({ wouldDrop: 'cli_drop', slotType: 'logical', active: false });
    expect(await slotRow('cli_drop')).toBeDefined();

    const done = await runCli(['drop-slot', 'cli_drop', '--yes', '--dsn', server.dsn()]);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ dropped: 'cli_drop', terminatedPid: null });
    expect(await slotRow('cli_drop')).toBeUndefined();
  });

  it('create-slot refuses a physical slot with a plugin, as the UI does, and creates nothing', async () => {
    const r = await runCli(['create-slot', 'cli_bad', '--physical', '--plugin', 'pgoutput', '--dsn', server.dsn()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /error \[INVALID_ARGUMENT\]: a physical slot takes no output plugin, two-phase or failover option/,
    );
    expect(await slotRow('cli_bad')).toBeUndefined();
  });

  it('advance without --yes previews the skipped bytes and moves nothing; with --yes it moves', async () => {
    await server.query(`SELECT pg_create_logical_replication_slot('cli_adv', 'test_decoding')`);
    await server.query(`INSERT INTO c SELECT g, 'x' FROM generate_series(1, 200) g`);
    const before = (await slotRow('cli_adv'))!;
    const dry = await runCli(['advance', 'cli_adv', '--dsn', server.dsn()]);
    expect(dry.code).toBe(2);
    const preview = JSON.parse(dry.stdout) as Record<string, string | number | boolean>;
    expect(preview).toMatchObject({ wouldAdvance: 'cli_adv', from: before['confirmed'], clamped: false });
    const [diff] = await server.query<{ bytes: string }>(
      `SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text AS bytes`,
      [preview['target'], preview['from']],
    );
    expect(preview['skippedBytes']).toBe(Number(diff!.bytes));
    expect(Number(diff!.bytes)).toBeGreaterThan(0);
    expect(dry.stderr).toMatch(/advancing slot "cli_adv" needs confirmation: it would skip .* of WAL/);
    expect((await slotRow('cli_adv'))!['confirmed']).toBe(before['confirmed']);

    const done = await runCli([
      'advance',
      'cli_adv',
      '--to',
      String(preview['target']),
      '--yes',
      '--dsn',
      server.dsn(),
    ]);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ advanced: 'cli_adv', endLsn: preview['target'] });
    expect((await slotRow('cli_adv'))!['confirmed']).toBe(preview['target']);

    const back = await runCli([
      'advance',
      'cli_adv',
      '--to',
      String(before['confirmed']),
      '--yes',
      '--dsn',
      server.dsn(),
    ]);
    expect(back.code).toBe(2);
    expect(back.stderr).toMatch(/a slot never moves backwards/);
  });

  it('stream refuses to start when it would eat into the walsender reserve, naming the numbers', async () => {
    const r = await runCli(['stream', '--temporary', '--walsender-reserve', '20', '--dsn', server.dsn()]);
    expect(r.code).toBe(1);
    const m =
      /error \[LIMIT\]: starting this stream would leave (\d+) of 20 walsender slots \(max_wal_senders\) free \((\d+) in use, counting it\); WALscope keeps 20 free/.exec(
        r.stderr,
      );
    expect(m).not.toBeNull();
    expect(Number(m![1]) + Number(m![2])).toBe(20);
    expect(r.stdout).toBe('');
    expect(await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'walscope%'`)).toEqual([]);
    const bad = await runCli(['stream', '--temporary', '--walsender-reserve', 'some', '--dsn', server.dsn()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--walsender-reserve must be a number/);
  });

  it('drop-slot --wait drops an active slot once its consumer lets go, and after --timeout its DROP is cancelled on the server, so the slot survives its consumer letting go', async () => {
    const waitingDrops = async (): Promise<number> =>
      (
        await server.query(
          `SELECT 1 FROM pg_stat_activity WHERE backend_type = 'walsender' AND state = 'active' AND query LIKE 'DROP_REPLICATION_SLOT%'`,
        )
      ).length;
    const isActive = async (slot: string): Promise<boolean> =>
      (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active`, [slot])).length === 1;

    await server.query(`SELECT pg_create_logical_replication_slot('cli_held', 'test_decoding')`);
    let consumer = capture({ connection: clientConfig(server), source: { kind: 'direct', slot: 'cli_held' } });
    await eventually(() => isActive('cli_held'));
    const gaveUp = await runCli(['drop-slot', 'cli_held', '--yes', '--wait', '--timeout', '1', '--dsn', server.dsn()]);
    expect(gaveUp.code).toBe(1);
    expect(gaveUp.stderr).toMatch(/error \[TIMEOUT\]: slot "cli_held" was still in use after 1 s; nothing was dropped/);
    // The waiting DROP was cancelled on the server, so the consumer letting go later drops nothing.
    await eventually(async () => (await waitingDrops()) === 0);
    await consumer.stop();
    await eventually(async () => !(await isActive('cli_held')));
    expect(await slotRow('cli_held')).toBeDefined();

    consumer = capture({ connection: clientConfig(server), source: { kind: 'direct', slot: 'cli_held' } });
    await eventually(() => isActive('cli_held'));
    const dropping = runCli(['drop-slot', 'cli_held', '--yes', '--wait', '--timeout', '30', '--dsn', server.dsn()]);
    await eventually(async () => (await waitingDrops()) === 1); // the DROP … WAIT is really waiting
    expect(await slotRow('cli_held')).toBeDefined();
    await consumer.stop();
    const dropped = await dropping;
    expect(dropped.code).toBe(0);
    expect(JSON.parse(dropped.stdout)).toMatchObject({ dropped: 'cli_held', active: true, terminatedPid: null });
    expect(await slotRow('cli_held')).toBeUndefined();
  });
});
