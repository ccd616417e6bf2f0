import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerMonitor } from '../../main/monitor/server-monitor';
import { buildTopology, type TopologyMember } from '../../main/topology/topology';
import { viaOf } from '../../main/topology/topology-registry';
import { eventually } from '../support/eventually';
import { fullMajors, startPostgres, startStandby, type PgServer } from '../support/postgres';
import { clientConfig } from '../support/streams';

/** A primary, a standby streaming through a slot, and a cascading standby fed by the standby. */
describe.each(fullMajors())('topology of real servers on PostgreSQL %i', (major) => {
  const servers: PgServer[] = [];
  const monitors: ServerMonitor[] = [];

  beforeAll(async () => {
    // A base backup taken on a standby needs full-page writes (the harness turns them off for speed)
    // and a restartpoint after the last WAL written without them.
    const primary = await startPostgres({ major, name: 'topo-primary', settings: { full_page_writes: 'on' } });
    servers.push(primary);
    const standby = await startStandby(primary, { slot: 'topo_standby' });
    servers.push(standby);
    await primary.query('CHECKPOINT');
    const [{ lsn }] = (await primary.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
      { lsn: string },
    ];
    await eventually(
      async () =>
        (await standby.query<{ ok: boolean }>(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok`, [lsn]))[0]?.ok,
    );
    await standby.query('CHECKPOINT');
    servers.push(await startStandby(standby, { slot: 'topo_cascade' }));
    for (const s of servers) monitors.push(await ServerMonitor.open(clientConfig(s)));
  });

  afterAll(async () => {
    for (const m of monitors) await m.close();
    for (const s of servers.reverse()) await s.destroy();
  });

  async function members(): Promise<TopologyMember[]> {
    const labels = ['primary', 'standby', 'cascade'];
    return Promise.all(
      monitors.map(async (m, i) => ({
        sessionId: labels[i]!,
        label: labels[i]!,
        via: viaOf(clientConfig(servers[i]!)),
        demo: null,
        snapshot: await m.poll(),
      })),
    );
  }

  it('pairs each walsender with the standby streaming its slot, primary → standby → cascade, with no seen duplicates', async () => {
    const t = (await eventually(
      async () => {
        const x = buildTopology(await members(), Date.now());
        return x.edges.length === 2 && x.edges.every((e) => e.state === 'streaming') ? x : undefined;
      },
      30_000,
      250,
    ))!;
    expect(t.nodes.map((n) => [n.label, n.role, n.depth, n.sessionId !== null])).toEqual([
      ['primary', 'primary', 0, true],
      ['standby', 'standby', 1, true],
      ['cascade', 'standby', 2, true],
    ]);
    expect(t.edges.map((e) => [e.from, e.to, e.kind, e.slot])).toEqual([
      ['session:primary', 'session:standby', 'physical', 'topo_standby'],
      ['session:standby', 'session:cascade', 'physical', 'topo_cascade'],
    ]);
    expect(t.edges.every((e) => typeof e.lagBytes.replay === 'number')).toBe(true);
  });

  it("shows the cascade as seen from the standby's walsender when it is not connected, with a fields suggestion", async () => {
    const [primary, standby] = await members();
    const t = buildTopology([primary!, standby!], Date.now());
    const seen = t.nodes.find((n) => n.sessionId === null)!;
    expect(seen).toMatchObject({
      label: 'walscope_test_standby',
      depth: 2,
      address: '127.0.0.1',
      seenFrom: 'walsender on standby',
    });
    expect(seen.connect).toEqual({
      kind: 'fields',
      fields: { host: '127.0.0.1', database: 'postgres', user: servers[0]!.user },
    });
  });
});
