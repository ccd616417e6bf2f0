import { describe, expect, it } from 'vitest';
import { buildTopology, withDepths } from './topology';
import { member, receiver, slot, subscription, walsender } from './topology-fixtures';

const node = (t: ReturnType<typeof buildTopology>, label: string) => t.nodes.find((n) => n.label === label);

/** A primary on port 5432 streaming to a standby (port 5433) through slot sb1. */
const primary = (over: Parameters<typeof member>[2] = {}) =>
  member('primary', 5432, {
    standbys: [walsender('sb1_app', { slotName: 'sb1' })],
    slots: [slot('sb1')],
    ...over,
  });
const standby = (over: Parameters<typeof receiver>[0] = {}) =>
  member('standby', 5433, {
    overview: { inRecovery: true },
    logical: { walReceiver: receiver({ slotName: 'sb1', senderHost: '10.0.0.1', ...over }) },
  });

describe('buildTopology: physical replication', () => {
  it('pairs a walsender with the connected standby streaming its slot: one edge with its lags, no seen duplicate', () => {
    const t = buildTopology([primary(), standby()], 1000);
    expect(t.nodes.map((n) => [n.label, n.role, n.sessionId, n.depth])).toEqual([
      ['primary', 'primary', 'primary', 0],
      ['standby', 'standby', 'standby', 1],
    ]);
    expect(t.edges).toEqual([
      expect.objectContaining({
        from: 'session:primary',
        to: 'session:standby',
        kind: 'physical',
        label: 'sb1_app',
        slot: 'sb1',
        lagBytes: { write: 256, flush: 512, replay: 768 },
        lagMs: { write: 1, flush: 2, replay: 3 },
        health: 'ok',
        state: 'streaming',
      }),
    ]);
  });

  it('pairs by cluster_name or primary_conninfo application_name when the standby uses no slot', () => {
    const p = primary({ standbys: [walsender('east'), walsender('west', { pid: 101 })] });
    const west = member('west', 5434, {
      overview: { inRecovery: true },
      logical: { walReceiver: receiver({ conninfo: "user=dba host=/run/pg application_name='west'" }) },
    });
    const east = member('east', 5433, {
      overview: { inRecovery: true, clusterName: 'east' },
      logical: { walReceiver: receiver() },
    });
    const t = buildTopology([p, west, east], 1000);
    expect(t.edges.map((e) => [e.label, e.to])).toEqual([
      ['east', 'session:east'],
      ['west', 'session:west'],
    ]);
    expect(t.nodes).toHaveLength(3);
  });

  it("pairs by the receiver's sender address when that server has a single walsender left", () => {
    const p = primary({ standbys: [walsender('walreceiver')] });
    const t = buildTopology([p, standby({ slotName: null, senderHost: '/run/pg', senderPort: 5432 })], 1000);
    expect(t.edges).toEqual([
      expect.objectContaining({ from: 'session:primary', to: 'session:standby', label: 'walreceiver' }),
    ]);
    expect(t.nodes).toHaveLength(2);
  });

  it('shows a cascade: a standby with a walsender of its own feeds a third column', () => {
    const mid = member('mid', 5433, {
      overview: { inRecovery: true },
      standbys: [walsender('leaf', { clientAddr: '10.0.0.9/32', pid: 300 })],
      logical: { walReceiver: receiver({ slotName: 'sb1' }) },
    });
    const t = buildTopology([primary(), mid], 1000);
    expect(node(t, 'leaf')).toMatchObject({
      sessionId: null,
      role: 'standby',
      depth: 2,
      address: '10.0.0.9',
      seenFrom: 'walsender on mid',
      connect: { kind: 'fields', fields: { host: '10.0.0.9', database: 'app', user: 'dba' } },
    });
  });

  it("shows an unconnected primary as a seen sender, with the standby's user and database and no password", () => {
    const t = buildTopology([standby({ senderHost: 'db1.example', senderPort: 6543 })], 1000);
    const sender = node(t, 'db1.example:6543')!;
    expect(sender).toMatchObject({ sessionId: null, depth: 0, seenFrom: 'WAL receiver of standby' });
    expect(sender.connect).toEqual({
      kind: 'fields',
      fields: { host: 'db1.example', port: 6543, database: 'app', user: 'dba' },
    });
    expect(t.edges).toEqual([
      expect.objectContaining({
        from: sender.id,
        to: 'session:standby',
        lagBytes: { write: null, flush: null, replay: 768 },
      }),
    ]);
  });

  it("suggests the demo's targets for the demo's standby and primary, and nothing for an unknown local-socket standby", () => {
    const demoPrimary = member('Demo database', 5432, {
      demo: 'primary',
      standbys: [walsender('walscope_demo_standby'), walsender('other', { pid: 101 })],
    });
    const t1 = buildTopology([demoPrimary], 1000);
    expect(node(t1, 'walscope_demo_standby')!.connect).toEqual({ kind: 'demoStandby' });
    expect(node(t1, 'other')!.connect).toBeNull();
    const demoStandby = member('Demo standby', 5433, {
      demo: 'standby',
      overview: { inRecovery: true },
      logical: { walReceiver: receiver() },
    });
    expect(buildTopology([demoStandby], 1000).nodes.find((n) => n.sessionId === null)!.connect).toEqual({
      kind: 'demo',
    });
  });

  it("leaves out WALscope's own walsenders (its live WAL stream is not a standby)", () => {
    const t = buildTopology([primary({ standbys: [walsender('walscope/0.9.0')] })], 1000);
    expect(t.nodes).toHaveLength(1);
    expect(t.edges).toEqual([]);
  });

  it('colours an edge by its alerts and its slot, and a node by its alerts', () => {
    const p = primary({
      slots: [slot('sb1', { status: 'lost' })],
      alerts: [{ key: 'standby:100:bytes', severity: 'warning', subject: 's', message: 'm' }],
    });
    const t = buildTopology([p, standby()], 1000);
    expect(t.edges[0]!.health).toBe('bad');
    expect(node(t, 'primary')!.health).toBe('warn');
    const lagging = buildTopology(
      [primary({ alerts: [{ key: 'standby:100:time', severity: 'warning', subject: 's', message: 'm' }] }), standby()],
      1000,
    );
    expect(lagging.edges[0]!.health).toBe('warn');
  });

  it('shows a standby whose WAL receiver is not streaming as warn, and a server whose last poll is old as bad', () => {
    const t = buildTopology([primary(), standby({ status: 'waiting' })], 1000);
    expect(node(t, 'standby')!.health).toBe('warn');
    expect(node(t, 'primary')!.health).toBe('ok');
    const later = buildTopology([primary(), standby()], 1000 + 10_001);
    expect(later.nodes.map((n) => n.health)).toEqual(['bad', 'bad']);
  });

  it('shows two sessions on the same server as one node', () => {
    const t = buildTopology([primary(), member('again', 5432), standby()], 1000);
    expect(t.nodes.map((n) => n.label)).toEqual(['primary', 'standby']);
  });
});

describe('buildTopology: logical replication', () => {
  const publisher = (over: Parameters<typeof member>[2] = {}) =>
    member('pub', 5432, {
      slots: [
        slot('sub1', { slotType: 'logical', plugin: 'pgoutput', confirmedFlushLsn: '0/4E00', pendingBytes: 512 }),
      ],
      logical: {
        slotConsumers: [
          {
            slot: 'sub1',
            pid: 400,
            applicationName: 'sub1',
            clientAddr: null,
            writeLagMs: 5,
            flushLagMs: 6,
            replayLagMs: 7,
            replyTime: null,
          },
        ],
      },
      ...over,
    });
  const subscriber = member('sub', 5440, { logical: { subscriptions: [subscription('sub1')] } });

  it("links a subscription to its publisher's slot with the stage lags, not to a standby on the same socket directory", () => {
    const sameSystemStandby = member('standby', 5433, { overview: { inRecovery: true } });
    const t = buildTopology([publisher(), subscriber, sameSystemStandby], 1000);
    expect(t.edges).toEqual([
      expect.objectContaining({
        from: 'session:pub',
        to: 'session:sub',
        kind: 'logical',
        label: 'sub1',
        slot: 'sub1',
        lagBytes: { write: 512, flush: 512, replay: 512 },
        lagMs: { write: 5, flush: 6, replay: 7 },
        health: 'ok',
      }),
    ]);
    expect(node(t, 'sub')).toMatchObject({ role: 'subscriber', depth: 1 });
    // Without the publisher, the standby (another port) is not taken for it.
    const alone = buildTopology([subscriber, sameSystemStandby], 1000);
    expect(alone.edges.map((e) => [e.from, e.to])).toEqual([['seen:address:/run/pg:5432', 'session:sub']]);
  });

  it("shows a subscription's unconnected publisher as a seen node (the demo's as the demo)", () => {
    const t = buildTopology([subscriber], 1000);
    expect(t.nodes.find((n) => n.sessionId === null)).toMatchObject({
      label: 'local socket :5432',
      seenFrom: 'subscription sub1 on sub',
      connect: { kind: 'fields', fields: { host: '/run/pg', port: 5432, database: 'app', user: 'dba' } },
    });
    const demoSub = member('Demo subscriber', 5440, {
      demo: 'subscriber',
      logical: { subscriptions: [subscription('demo_sub')] },
    });
    expect(buildTopology([demoSub], 1000).nodes.find((n) => n.sessionId === null)!.connect).toEqual({ kind: 'demo' });
  });

  it("shows a slot's unconnected consumer as a seen node, the demo's subscriber with its connect target", () => {
    const t = buildTopology([publisher({ demo: 'primary' })], 1000);
    expect(t.nodes.find((n) => n.sessionId === null)).toMatchObject({ label: 'sub1', role: 'consumer', connect: null });
    const demo = publisher({
      demo: 'primary',
      logical: {
        slotConsumers: [
          {
            slot: 'demo_sub',
            pid: 401,
            applicationName: 'demo_sub',
            clientAddr: null,
            writeLagMs: 1,
            flushLagMs: 1,
            replayLagMs: 1,
            replyTime: null,
          },
        ],
      },
    });
    expect(buildTopology([demo], 1000).nodes[1]).toMatchObject({
      label: 'demo_sub',
      role: 'subscriber',
      connect: { kind: 'demoSubscriber' },
    });
  });

  it("leaves out consumers of WALscope's temporary slots and of table synchronization slots", () => {
    const c = (s: string, app: string) => ({
      slot: s,
      pid: 1,
      applicationName: app,
      clientAddr: null,
      writeLagMs: null,
      flushLagMs: null,
      replayLagMs: null,
      replyTime: null,
    });
    const t = buildTopology(
      [
        publisher({
          slots: [slot('walscope_tmp_1', { temporary: true, slotType: 'logical' })],
          logical: {
            slotConsumers: [c('walscope_tmp_1', 'someone'), c('pg_16400_sync_16384_7000', 'pg_16400_sync_16384_7000')],
          },
        }),
      ],
      1000,
    );
    expect(t.nodes).toHaveLength(1);
  });

  it('marks a link whose slot is missing on the publisher as bad', () => {
    const t = buildTopology([publisher({ slots: [] }), subscriber], 1000);
    expect(t.edges[0]).toMatchObject({ from: 'session:pub', to: 'session:sub', health: 'bad' });
  });
});

describe('withDepths', () => {
  it('bounds a cycle (two servers publishing to each other) instead of looping', () => {
    const n = (id: string) => ({
      id,
      sessionId: id,
      label: id,
      role: 'primary' as const,
      health: 'ok' as const,
      currentLsn: null,
      systemId: null,
      address: null,
      seenFrom: null,
      connect: null,
      depth: 0,
    });
    const e = (from: string, to: string) => ({
      id: `${from}>${to}`,
      from,
      to,
      kind: 'logical' as const,
      label: '',
      slot: null,
      lagBytes: { write: null, flush: null, replay: null },
      lagMs: { write: null, flush: null, replay: null },
      health: 'ok' as const,
      state: null,
    });
    const out = withDepths([n('a'), n('b')], [e('a', 'b'), e('b', 'a')]);
    expect(out.map((x) => x.depth).every((d) => d < 2)).toBe(true);
  });
});
