import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerMonitor, type MonitorSnapshot } from '../../main/monitor/server-monitor';
import { linkSessions, type EndSnapshot } from '../../main/sessions/logical-link';
import type { DecodingStats, LinkedPair, LinkSnapshot, SubscriptionView } from '../../shared/contract/logical';
import { cleanEnv, runCli, streamCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { availableMajors, startPostgres, type PgServer } from '../support/postgres';
import { clientConfig } from '../support/streams';

/** eventually() for a value that is undefined until the condition holds. */
async function until<T>(fn: () => Promise<T | undefined>, timeoutMs: number, everyMs: number): Promise<T> {
  return (await eventually(fn, timeoutMs, everyMs)) as T;
}

/**
 * Issue 16, end to end: a real publisher and a real subscriber on loopback, each watched by its
 * own ServerMonitor, linked as the SessionManager links two sessions.
 */
describe.each(availableMajors())('logical replication from both ends on PostgreSQL %i', (major) => {
  let pub: PgServer;
  let sub: PgServer;
  let pubMon: ServerMonitor;
  let subMon: ServerMonitor;

  const end = (id: string, snapshot: MonitorSnapshot): EndSnapshot => ({
    sessionId: id,
    label: id,
    host: '127.0.0.1',
    snapshot,
  });
  const link = async (): Promise<{ links: LinkSnapshot[]; pubSnap: MonitorSnapshot; subSnap: MonitorSnapshot }> => {
    const subSnap = await subMon.poll();
    const pubSnap = await pubMon.poll();
    return { links: linkSessions(end('pub', pubSnap), end('sub', subSnap), Date.now()), pubSnap, subSnap };
  };
  const subscription = async (name = 'sub_main'): Promise<SubscriptionView | undefined> =>
    (await subMon.poll()).logical.subscriptions.find((s) => s.name === name);

  beforeAll(async () => {
    [pub, sub] = await Promise.all([
      startPostgres({ major, name: 'publisher', settings: { logical_decoding_work_mem: '64kB' } }),
      startPostgres({ major, name: 'subscriber', settings: { wal_receiver_status_interval: '1s' } }),
    ]);
    const ddl = `CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE nopk (a int, b text);
                 CREATE TABLE nothing_t (id int PRIMARY KEY); ALTER TABLE nothing_t REPLICA IDENTITY NOTHING;
                 CREATE SCHEMA extra; CREATE TABLE extra.e (id int PRIMARY KEY);`;
    await pub.query(ddl);
    await sub.query(ddl);
    await pub.query(`INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 20000) g`);
    await pub.query(`CREATE PUBLICATION pub_main FOR TABLE t, nopk WITH (publish = 'insert, update, delete')`);
    await pub.query(`CREATE PUBLICATION pub_nothing FOR TABLE nothing_t WITH (publish = 'delete')`);
    await pub.query(`CREATE PUBLICATION pub_filtered FOR TABLE t (id, v) WHERE (id > 10) WITH (publish = 'insert')`);
    await pub.query(`CREATE PUBLICATION pub_schema FOR TABLES IN SCHEMA extra`);
    pubMon = await ServerMonitor.open(clientConfig(pub));
    subMon = await ServerMonitor.open(clientConfig(sub));
  });

  afterAll(async () => {
    await pubMon?.close();
    await subMon?.close();
    await sub?.destroy();
    await pub?.destroy();
  });

  it('reads publications: options, schemas, column lists, row filters, replica identity problems', async () => {
    const { publications, notes } = (await pubMon.poll()).logical;
    const main = publications.find((p) => p.name === 'pub_main')!;
    expect(main).toMatchObject({
      insert: true,
      update: true,
      delete: true,
      truncate: false,
      allTables: false,
      viaRoot: false,
    });
    expect(main.tables.find((t) => t.table === 't')).toMatchObject({
      hasPrimaryKey: true,
      identityProblem: null,
      columns: null, // no column list: every column
      rowFilter: null,
    });
    expect(main.tables.find((t) => t.table === 'nopk')!.identityProblem).toMatch(
      /no primary key and REPLICA IDENTITY DEFAULT/,
    );
    expect(publications.find((p) => p.name === 'pub_nothing')!.tables[0]!.identityProblem).toMatch(
      /^DELETE published but REPLICA IDENTITY NOTHING/,
    );
    const filtered = publications.find((p) => p.name === 'pub_filtered')!.tables[0]!;
    expect(filtered.columns).toEqual(['id', 'v']);
    expect(filtered.rowFilter).toBe('(id > 10)');
    expect(filtered.identityProblem).toBeNull(); // publishes inserts only
    const schema = publications.find((p) => p.name === 'pub_schema')!;
    expect(schema.schemas).toEqual(['extra']);
    expect(schema.tables.map((t) => `${t.schema}.${t.table}`)).toEqual(['extra.e']);
    if (major >= 18) expect(main.generatedColumns).toBe('none');
    else {
      expect(main.generatedColumns).toBeNull();
      expect(notes).toContain('publish_generated_columns: not on this version (18+)');
    }
  });

  it('a subscription is created disabled (tables in init), then syncs its tables to ready', async () => {
    const conninfo = `host=127.0.0.1 port=${pub.port} user=postgres password='${pub.password}' dbname=postgres`;
    await sub.query(
      `CREATE SUBSCRIPTION sub_main CONNECTION $c$${conninfo}$c$ PUBLICATION pub_main
         WITH (enabled = false, disable_on_error = true, streaming = off)`,
    );
    const created = (await subscription())!;
    expect(created.enabled).toBe(false);
    expect(created.conninfo).toBe(`host=127.0.0.1 port=${pub.port} user=postgres password=******** dbname=postgres`);
    expect(created.conninfo).not.toContain(pub.password);
    expect(created.target).toEqual({ host: '127.0.0.1', port: pub.port, dbname: 'postgres' });
    expect(created.options).toMatchObject({ disable_on_error: true, binary: false, two_phase: 'disabled' });
    expect(created.options['streaming']).toBe(major >= 16 ? 'off' : false);
    expect(created.tables.map((t) => [t.table, t.state, t.code])).toEqual([
      ['nopk', 'init', 'i'],
      ['t', 'init', 'i'],
    ]);
    const seen = new Set<string>(created.tables.map((t) => t.state));
    await sub.query(`ALTER SUBSCRIPTION sub_main ENABLE`);
    await eventually(
      async () => {
        const s = (await subscription())!;
        for (const t of s.tables) seen.add(t.state);
        return s.tables.every((t) => t.state === 'ready') && s.workers.some((w) => w.type === 'apply');
      },
      60_000,
      50,
    );
    expect(seen.has('init')).toBe(true);
    const { notes } = (await subMon.poll()).logical;
    if (major < 17) expect(notes).toContain('subscription worker_type: not on this version (17+), derived from relid');
    else expect(notes.some((n) => n.startsWith('subscription worker_type'))).toBe(false);
    expect(seen.has('ready')).toBe(true);
    expect(await sub.query(`SELECT count(*)::int AS n FROM t`)).toEqual([{ n: 20000 }]);
  });

  it('changes flow and the linked lag returns to zero; the pair carries slot, target and system id', async () => {
    await pub.query(`INSERT INTO t SELECT g, 'more' FROM generate_series(20001, 20100) g`);
    const [{ lsn }] = (await pub.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
      { lsn: string },
    ];
    const caughtUp = await until<LinkedPair>(
      async () => {
        const { links } = await link();
        const pair = links.find((l) => l.publisherSessionId === 'pub')?.pairs[0];
        return pair && pair.lagBytes.confirmedFlush === 0 && pair.lagBytes.received === 0 ? pair : undefined;
      },
      30_000,
      200,
    );
    const { pubSnap } = await link();
    expect(caughtUp).toMatchObject({
      subscription: 'sub_main',
      slot: 'sub_main',
      slotStatus: 'ok',
      publisherSystemId: pubSnap.overview.systemId,
      target: `127.0.0.1:${pub.port}/postgres`,
    });
    const [{ behind }] = (await pub.query<{ behind: string }>(
      `SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text AS behind`,
      [caughtUp.positions.applied, lsn],
    )) as [{ behind: string }];
    expect(Number(behind)).toBeGreaterThanOrEqual(-200); // applied reaches the commit of the insert above
    expect(await sub.query(`SELECT count(*)::int AS n FROM t`)).toEqual([{ n: 20100 }]);
  });

  it('CLI: publications and subscriptions print JSON; lag on the subscriber includes its subscriptions', async () => {
    const pubs = await runCli(['publications', '--dsn', pub.dsn(), '--sample', '200ms'], cleanEnv());
    expect(pubs.stderr).toBe('');
    expect(pubs.code).toBe(0);
    const p = JSON.parse(pubs.stdout) as {
      publications: { name: string; tables: { table: string; identityProblem: string | null }[] }[];
      decodingStats: { slot: string; rates: { totalTxns: number | null } }[];
    };
    const main = p.publications.find((x) => x.name === 'pub_main')!;
    expect(main.tables.find((t) => t.table === 'nopk')!.identityProblem).toMatch(/no primary key/);
    expect(p.decodingStats.find((d) => d.slot === 'sub_main')!.rates.totalTxns).not.toBeNull();
    const subs = await runCli(['subscriptions', '--dsn', sub.dsn()], cleanEnv());
    expect(subs.code).toBe(0);
    const s = JSON.parse(subs.stdout) as { subscriptions: SubscriptionView[]; walReceiver: unknown };
    expect(subs.stdout).not.toContain(pub.password);
    expect(s.subscriptions[0]).toMatchObject({ name: 'sub_main', enabled: true, slotName: 'sub_main' });
    expect(s.subscriptions[0]!.tables.every((t) => t.state === 'ready')).toBe(true);
    expect(s.walReceiver).toBeNull();
    const lag = streamCli(['lag', '--dsn', sub.dsn(), '--count', '1'], cleanEnv());
    await lag.waitFor((lines) => lines.length === 1);
    expect(await lag.stop()).not.toBe(1);
    expect(lag.lines[0]!['subscriptions']).toEqual([
      expect.objectContaining({
        name: 'sub_main',
        enabled: true,
        tablesNotReady: 0,
        receivedLsn: expect.stringMatching(/\//),
      }),
    ]);
    expect(lag.lines[0]).not.toHaveProperty('walReceiver');
  });

  it('decoding statistics per slot as rates, with a spill hint when transactions spill', async () => {
    await pubMon.poll();
    await pub.query(`INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(30001, 35000) g`);
    const stats = await until<DecodingStats>(
      async () => {
        const s = (await pubMon.poll()).logical.decodingStats?.find((d) => d.slot === 'sub_main');
        return s && s.spillTxns > 0 && (s.rates.totalBytes ?? 0) > 0 ? s : undefined;
      },
      30_000,
      100,
    );
    expect(stats.totalTxns).toBeGreaterThan(0);
    expect(stats.spillBytes).toBeGreaterThan(0);
    expect(stats.spillHint).toMatch(/raise logical_decoding_work_mem \(now 64kB\)/);
  });

  it('a unique violation on the subscriber shows in the error counters (and their rate) and disables the subscription', async () => {
    await sub.query(`INSERT INTO t VALUES (50000, 'subscriber got here first')`);
    let sawRate = false;
    await subMon.poll();
    await pub.query(`INSERT INTO t VALUES (50000, 'publisher')`);
    const failed = await until<SubscriptionView>(
      async () => {
        const s = (await subscription())!;
        if ((s.stats?.applyErrorsPerSec ?? 0) > 0) sawRate = true;
        return !s.enabled && (s.stats?.applyErrors ?? 0) >= 1 ? s : undefined;
      },
      30_000,
      100,
    );
    expect(failed.enabled).toBe(false);
    expect(failed.workers.filter((w) => w.type === 'apply')).toEqual([]);
    expect(sawRate).toBe(true); // the error showed as a rate on the poll that first counted it
    if (major >= 18) expect(failed.stats!.conflicts!['insert_exists']).toBeGreaterThanOrEqual(1);
    else {
      expect(failed.stats!.conflicts).toBeNull();
      expect((await subMon.poll()).logical.notes).toContain(
        'subscription conflict counters: not on this version (18+)',
      );
    }
  });

  it('a subscription whose slot is missing, and a slot whose subscription was dropped, are flagged', async () => {
    await sub.query(
      `CREATE SUBSCRIPTION sub_lost CONNECTION 'host=127.0.0.1 port=${pub.port} user=postgres dbname=postgres'
         PUBLICATION pub_main WITH (connect = false, slot_name = 'no_such_slot')`,
    );
    let { links } = await link();
    expect(links.find((l) => l.publisherSessionId === 'pub')!.flags).toEqual([
      expect.objectContaining({ kind: 'missing-slot', subject: 'sub_lost' }),
    ]);
    await sub.query(`ALTER SUBSCRIPTION sub_lost SET (slot_name = NONE); DROP SUBSCRIPTION sub_lost`);
    // Keep the publisher's slot, as a DROP SUBSCRIPTION that could not reach the publisher does.
    await sub.query(`ALTER SUBSCRIPTION sub_main SET (slot_name = NONE)`);
    await sub.query(`DROP SUBSCRIPTION sub_main`);
    ({ links } = await link());
    const flags = links.find((l) => l.publisherSessionId === 'pub')!.flags;
    expect(flags).toEqual([expect.objectContaining({ kind: 'orphaned-slot', subject: 'sub_main' })]);
    expect(flags[0]!.message).toMatch(/no subscription on sub uses it/);
    expect(links.find((l) => l.publisherSessionId === 'sub')).toBeUndefined();
  });

  it('a role that may not read subconninfo gets a note, not an error', async () => {
    await sub.query(
      `CREATE SUBSCRIPTION sub_hidden CONNECTION 'host=127.0.0.1 port=${pub.port} user=postgres dbname=postgres'
         PUBLICATION pub_main WITH (connect = false)`,
    );
    await sub.query(`CREATE ROLE plain LOGIN PASSWORD 'pw'`);
    const plain = await ServerMonitor.open({ ...clientConfig(sub), user: 'plain', password: 'pw' });
    try {
      const { subscriptions, notes } = (await plain.poll()).logical;
      expect(subscriptions.find((s) => s.name === 'sub_hidden')).toMatchObject({
        conninfo: null,
        target: null,
        enabled: false,
      });
      expect(notes).toContain(
        'subscription connection strings: hidden (pg_subscription.subconninfo is readable only by superusers)',
      );
    } finally {
      await plain.close();
      await sub.query(`ALTER SUBSCRIPTION sub_hidden SET (slot_name = NONE); DROP SUBSCRIPTION sub_hidden`);
    }
  });
});
