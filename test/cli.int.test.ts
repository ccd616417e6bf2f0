import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullMajors, startPostgres, type PgServer } from './support/postgres';
import { cleanEnv, runCli, streamCli } from './support/cli';
import { eventually } from './support/streams';

/** A user error as the CLI prints it: the error line with its code, a hint line, no stack trace. */
function expectExplained(r: { stderr: string }, code: string): void {
  expect(r.stderr).toMatch(new RegExp(`^walscope: error \\[${code}\\]: \\S`, 'm'));
  expect(r.stderr).toMatch(/\n {2}hint: \S/);
  expect(r.stderr).not.toMatch(/\bat .*\.[jt]s:\d+/);
}

describe.each(fullMajors())('walscope CLI against PostgreSQL %i', (major) => {
  let server: PgServer;

  beforeAll(async () => {
    server = await startPostgres({ major });
    await server.query(`
      CREATE TABLE c (id int PRIMARY KEY, v text);
      CREATE PUBLICATION pub FOR TABLE c;`);
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('identify prints the system as JSON, from --dsn or PG* variables', async () => {
    const r = await runCli(['identify', '--dsn', server.dsn()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(id['timeline']).toBe(1);
    expect(id['dbname']).toBe(server.database);
    expect(id['xlogpos']).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(id['serverVersionNum']).toBe(server.versionNum);
    const viaEnv = await runCli(
      ['identify'],
      cleanEnv({
        PGHOST: server.host,
        PGPORT: String(server.port),
        PGUSER: server.user,
        PGPASSWORD: server.password,
        PGDATABASE: server.database,
      }),
    );
    expect(viaEnv.code).toBe(0);
    expect((JSON.parse(viaEnv.stdout) as Record<string, unknown>)['systemId']).toBe(id['systemId']);
  });

  it('create-slot, slots and drop-slot', async () => {
    const created = await runCli(['create-slot', 'cli_slot', '--plugin', 'test_decoding', '--dsn', server.dsn()]);
    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(/retains WAL/);
    expect(JSON.parse(created.stdout)).toMatchObject({ slotName: 'cli_slot', outputPlugin: 'test_decoding' });
    await server.query(`INSERT INTO c VALUES (1, 'a')`);

    const list = await runCli(['slots', '--dsn', server.dsn()]);
    expect(list.code).toBe(0);
    const slots = JSON.parse(list.stdout) as Record<string, unknown>[];
    const mine = slots.find((s) => s['name'] === 'cli_slot')!;
    expect(mine).toMatchObject({ plugin: 'test_decoding', slotType: 'logical', active: false, status: 'inactive' });
    const [sql] = await server.query<{ retained: string }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text AS retained FROM pg_replication_slots WHERE slot_name = 'cli_slot'`,
    );
    expect(mine['retainedBytes']).toBe(Number(sql!.retained));

    const lag = await runCli(['lag', '--count', '2', '--interval', '200ms', '--dsn', server.dsn()]);
    expect(lag.code).toBe(0);
    const polls = lag.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { slots: { name: string }[] });
    expect(polls).toHaveLength(2);
    expect(polls[1]!.slots.map((s) => s.name)).toContain('cli_slot');

    const dup = await runCli(['create-slot', 'cli_slot', '--dsn', server.dsn()]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/error \[SLOT_EXISTS\].*already exists/);
    expectExplained(dup, 'SLOT_EXISTS');

    const phys = await runCli(['create-slot', 'cli_phys', '--physical', '--dsn', server.dsn()]);
    expect(phys.code).toBe(0);
    const dropped = await runCli(['drop-slot', 'cli_slot', '--yes', '--dsn', server.dsn()]);
    expect(dropped.code).toBe(0);
    expect(JSON.parse(dropped.stdout)).toMatchObject({ dropped: 'cli_slot' });
    expect((await runCli(['drop-slot', 'cli_phys', '--yes', '--wait', '--dsn', server.dsn()])).code).toBe(0);
    expect(await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'cli_%'`)).toEqual([]);
  });

  it('explains user errors with a code and a hint, never a stack trace', async () => {
    const badPassword = await runCli(['identify', '--dsn', server.dsn({ password: 'wrong' })]);
    expect(badPassword.code).toBe(1);
    expect(badPassword.stderr).toMatch(/error \[AUTH\]: password authentication failed/);
    expectExplained(badPassword, 'AUTH');
    expect(badPassword.stderr).not.toContain('wrong'); // the secret is not echoed

    const unreachable = await runCli(['identify', '--dsn', 'postgres://x@127.0.0.1:1/db']);
    expect(unreachable.code).toBe(1);
    expectExplained(unreachable, 'CONNECTION');

    const badDsn = await runCli(['identify', '--dsn', 'postgres://[::1']);
    expect(badDsn.code).not.toBe(0);
    expectExplained(badDsn, 'INVALID_ARGUMENT');

    const badName = await runCli(['create-slot', 'Bad Name', '--dsn', server.dsn()]);
    expect(badName.code).toBe(2);
    expectExplained(badName, 'INVALID_ARGUMENT');

    const missing = await runCli(['stream', '--slot', 'nope', '--dsn', server.dsn()]);
    expect(missing.code).toBe(1);
    expectExplained(missing, 'SLOT_NOT_FOUND');

    const noPub = await runCli(['stream', '--temporary', '--plugin', 'pgoutput', '--dsn', server.dsn()]);
    expect(noPub.stderr).toMatch(/publication.*this database has: "pub"/i);

    await server.query(`SELECT pg_create_logical_replication_slot('inuse', 'test_decoding')`);
    const holder = streamCli(['stream', '--slot', 'inuse', '--direct', '--dsn', server.dsn()]);
    await eventually(
      async () =>
        (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'inuse' AND active`)).length === 1,
    );
    const inUse = await runCli(['stream', '--slot', 'inuse', '--direct', '--dsn', server.dsn()]);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/SLOT_IN_USE.*active for PID \d+/);
    expectExplained(inUse, 'SLOT_IN_USE');
    const dropActive = await runCli(['drop-slot', 'inuse', '--yes', '--dsn', server.dsn()]);
    expectExplained(dropActive, 'SLOT_IN_USE');
    expect(await holder.stop()).toBe(0);
  });

  it('stream --stats reports its own figures on stderr, keeping stdout pure NDJSON', async () => {
    const cli = streamCli(['stream', '--temporary', '--stats', '--heartbeats', '--dsn', server.dsn()]);
    await server.query(`INSERT INTO c VALUES (500, 'stats')`);
    await cli.waitFor(() => /"messagesPerSec"/.test(cli.stderr()), 15_000);
    await server.query(`INSERT INTO c VALUES (501, 'stats')`);
    await cli.waitFor((ls) =>
      ls.some((l) => l['type'] === 'insert' && (l['new'] as Record<string, string>)['id'] === '501'),
    );
    expect(await cli.stop()).toBe(0);
    const stats = JSON.parse(cli.stderr().trim().split('\n').pop()!) as { stats: Record<string, unknown> };
    expect(stats.stats['receivedLsn']).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(stats.stats['confirmedLsn']).toBe('0/0');
  });

  it('reports wal_level too low clearly', async () => {
    const replica = await startPostgres({ major, settings: { wal_level: 'replica' }, name: 'replica-level' });
    try {
      const r = await runCli(['stream', '--temporary', '--dsn', replica.dsn()]);
      expect(r.code).toBe(1);
      expectExplained(r, 'WAL_LEVEL');
      expect(r.stderr).toMatch(/wal_level = logical/);
    } finally {
      await replica.destroy();
    }
  });

  it('stream writes one NDJSON object per decoded message and stops at --endpos', async () => {
    await server.query(`SELECT pg_create_logical_replication_slot('endpos_slot', 'pgoutput')`);
    await server.query(
      `INSERT INTO c VALUES (10, 'x'), (11, NULL); UPDATE c SET v = 'y' WHERE id = 10; DELETE FROM c WHERE id = 11`,
    );
    const [{ lsn }] = (await server.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
      { lsn: string },
    ];
    await server.query(`INSERT INTO c VALUES (12, 'after endpos')`);
    const r = await runCli([
      'stream',
      '--slot',
      'endpos_slot',
      '--publication',
      'pub',
      '--endpos',
      lsn,
      '--dsn',
      server.dsn(),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['type'])).toEqual([
      'begin',
      'relation',
      'insert',
      'insert',
      'update',
      'delete',
      'commit',
    ]);
    for (const l of lines) expect(l['lsn']).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const inserts = lines.filter((l) => l['type'] === 'insert');
    expect(inserts[0]).toMatchObject({ schema: 'public', table: 'c', new: { id: '10', v: 'x' } });
    expect(inserts[1]).toMatchObject({ new: { id: '11', v: null } });
    expect(lines.find((l) => l['type'] === 'delete')).toMatchObject({ key: { id: '11' } });
    expect(typeof lines[0]!['xid']).toBe('number');
    expect(inserts[0]!['xid']).toBe(lines[0]!['xid']);
  });
});
