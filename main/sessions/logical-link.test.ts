import { describe, expect, it } from 'vitest';
import type { SlotView } from '../../shared/contract/dto';
import type { LogicalSnapshot, SubscriptionView } from '../../shared/contract/logical';
import type { MonitorSnapshot } from '../monitor/server-monitor';
import { LinkRegistry, linkDirection, type EndSnapshot } from './logical-link';

const logical = (over: Partial<LogicalSnapshot> = {}): LogicalSnapshot => ({
  port: 5432,
  logicalDecodingWorkMem: '64MB',
  publications: [],
  decodingStats: [],
  subscriptions: [],
  copyProgress: [],
  walReceiver: null,
  slotConsumers: [],
  notes: [],
  ...over,
});

const slot = (name: string, over: Partial<SlotView> = {}): SlotView => ({
  name,
  columns: {},
  slotType: 'logical',
  plugin: 'pgoutput',
  database: 'app',
  active: false,
  activePid: null,
  consumer: null,
  temporary: false,
  restartLsn: '0/100',
  confirmedFlushLsn: '0/1000',
  retainedBytes: 0,
  pendingBytes: 0,
  safeWalSize: null,
  walStatus: 'reserved',
  status: 'inactive',
  inactiveSinceMs: null,
  ownedByWalscope: false,
  ...over,
});

const subscription = (name: string, over: Partial<SubscriptionView> = {}): SubscriptionView => ({
  oid: 16400,
  name,
  owner: 'postgres',
  enabled: true,
  slotName: name,
  publications: ['p'],
  conninfo: 'host=db1 port=5432 dbname=app',
  target: { host: 'db1', port: 5432, dbname: 'app' },
  options: {},
  workers: [
    {
      type: 'apply',
      pid: 1,
      leaderPid: null,
      table: null,
      receivedLsn: '0/1800',
      latestEndLsn: '0/1800',
      lastMsgSendTime: null,
      lastMsgReceiptTime: null,
      latestEndTime: null,
    },
  ],
  tables: [],
  stats: null,
  appliedLsn: '0/1000',
  ...over,
});

function end(id: string, host: string, slots: SlotView[], l: LogicalSnapshot, current = '0/2000'): EndSnapshot {
  const snapshot = {
    at: 1,
    overview: { systemId: `sys-${id}`, database: 'app', host, currentLsn: current },
    slots,
    standbys: [],
    alerts: [],
    orphans: [],
    logical: l,
  } as unknown as MonitorSnapshot;
  return { sessionId: id, label: id, host, snapshot };
}

describe('linking a subscriber to its publisher', () => {
  it('pairs a subscription with its slot and measures each stage behind the publisher, never behind confirmed_flush', () => {
    const pub = end('pub', 'db1', [slot('s1', { active: true })], logical());
    const sub = end('sub', 'db2', [], logical({ subscriptions: [subscription('s1', { appliedLsn: '0/1900' })] }));
    const link = linkDirection(pub, sub, 5)!;
    expect(link.pairs).toEqual([
      expect.objectContaining({
        subscription: 's1',
        slot: 's1',
        slotStatus: 'ok',
        publisherSystemId: 'sys-pub',
        target: 'db1:5432/app',
        lagBytes: { confirmedFlush: 0x1000, received: 0x800, applied: 0x700 },
      }),
    ]);
    expect(link.flags).toEqual([]);
    // An origin behind confirmed_flush: everything up to confirmed_flush is applied (or had nothing to apply).
    const idle = end('sub', 'db2', [], logical({ subscriptions: [subscription('s1', { appliedLsn: '0/800' })] }));
    expect(linkDirection(pub, idle, 5)!.pairs[0]!.positions.applied).toBe('0/1000');
    // A subscriber poll older than the publisher's: received is never shown behind confirmed_flush.
    const stale = subscription('s1');
    stale.workers[0]!.receivedLsn = '0/900';
    const staleEnd = end('sub', 'db2', [], logical({ subscriptions: [stale] }));
    expect(linkDirection(pub, staleEnd, 5)!.pairs[0]!.positions.received).toBe('0/1000');
  });

  it('flags a missing slot, an invalidated slot, and an inactive slot no subscription uses', () => {
    const pub = end(
      'pub',
      'db1',
      [slot('gone', { status: 'lost', walStatus: 'lost' }), slot('orphan'), slot('busy', { active: true })],
      logical(),
    );
    const sub = end(
      'sub',
      'db2',
      [],
      logical({ subscriptions: [subscription('missing'), subscription('s_gone', { slotName: 'gone', oid: 2 })] }),
    );
    const flags = linkDirection(pub, sub, 5)!.flags.map((f) => [f.kind, f.subject]);
    expect(flags).toEqual([
      ['missing-slot', 'missing'],
      ['invalidated-slot', 's_gone'],
      ['orphaned-slot', 'orphan'],
    ]);
  });

  it('ignores subscriptions that point at another server, and table-sync slots of live subscriptions', () => {
    const pub = end('pub', 'db1', [slot('pg_16400_sync_16384_7000000000000000001')], logical());
    const elsewhere = subscription('other', { target: { host: 'db9', port: 5433, dbname: 'app' }, slotName: 'x' });
    const sub = end('sub', 'db2', [], logical({ subscriptions: [elsewhere, subscription('s1', { slotName: null })] }));
    const link = linkDirection(pub, sub, 5)!;
    expect(link.pairs.map((p) => p.subscription)).toEqual(['s1']);
    expect(link.flags).toEqual([]);
  });

  it('the registry links a subscription to its publisher among all sessions, not a bystander; the orphan stays flagged after DROP SUBSCRIPTION; forget ends the link', () => {
    const reg = new LinkRegistry();
    const pub = end('pub', 'db1', [slot('s1')], logical());
    const bystander = end('other', 'db3', [], logical());
    const sub = end('sub', 'db2', [], logical({ subscriptions: [subscription('s1')] }));
    const direction = (l: { publisherSessionId: string; subscriberSessionId: string }) =>
      `${l.publisherSessionId}>${l.subscriberSessionId}`;
    expect(reg.observe(pub)).toBeNull();
    expect(reg.observe(bystander)).toBeNull();
    expect(reg.observe(sub)!.map(direction)).toEqual(['pub>sub']);
    expect(reg.observe(bystander)!.map(direction)).toEqual(['pub>sub']);
    const dropped = reg.observe(end('sub', 'db2', [], logical()))!;
    expect(dropped.map(direction)).toEqual(['pub>sub']);
    expect(dropped[0]!.flags.map((f) => `${f.kind}:${f.subject}`)).toEqual(['orphaned-slot:s1']);
    reg.forget('sub');
    expect(reg.observe(pub)).toEqual([]);
    expect(reg.observe(pub)).toBeNull();
  });
});
