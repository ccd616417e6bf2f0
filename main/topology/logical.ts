import type { LinkedPair, SlotConsumer, SubscriptionView } from '../../shared/contract/logical';
import type { Health, TopologyEdge } from '../../shared/contract/topology';
import { DEMO_STANDBY, DEMO_SUBSCRIPTION } from '../demo/demo-names';
import { linkDirection } from '../sessions/logical-link';
import { addressText, isWalscope, type Graph, type Placed } from './graph';
import { demoTargetSeenOnPrimary, suggestFields } from './suggest';

/**
 * Logical replication: each subscription of a connected server paired with its publisher's slot
 * (main/sessions/logical-link.ts does the pairing and the stage lags); a subscription whose
 * publisher is not connected shows its publisher as a seen node, and a publisher's slot consumer
 * that no connected subscription explains shows its consumer as one.
 */

/** pg_<subscription oid>_sync_<relid>_<system id>: the slot of a table synchronization worker. */
const TABLE_SYNC_SLOT = /^pg_\d+_sync_/;

const end = (m: Placed) => ({ sessionId: m.sessionId, label: m.label, host: m.via.host, snapshot: m.snapshot });

/** logical-link matches hosts loosely (every socket directory alike); a known port must agree too. */
function portAgrees(pub: Placed, sub: SubscriptionView): boolean {
  const t = sub.target;
  return !t || t.port === null || pub.via.port === null || t.port === pub.via.port;
}

function pairHealth(pub: Placed, pair: LinkedPair, sub: SubscriptionView | undefined): Health {
  if (pair.slotStatus !== 'ok') return 'bad';
  const slotAlerts = pub.snapshot.alerts.filter((a) => a.key.startsWith(`slot:${pair.slot}:`));
  if (slotAlerts.some((a) => a.severity === 'critical')) return 'bad';
  return slotAlerts.length || sub?.enabled === false ? 'warn' : 'ok';
}

function pairEdge(pub: Placed, sub: Placed, pair: LinkedPair): TopologyEdge {
  const view = sub.snapshot.logical.subscriptions.find((s) => s.name === pair.subscription);
  return {
    id: `logical:${pub.nodeId}:${sub.nodeId}:${pair.subscription}`,
    from: pub.nodeId,
    to: sub.nodeId,
    kind: 'logical',
    label: pair.slot && pair.slot !== pair.subscription ? `${pair.subscription} / ${pair.slot}` : pair.subscription,
    slot: pair.slot,
    lagBytes: { write: pair.lagBytes.received, flush: pair.lagBytes.confirmedFlush, replay: pair.lagBytes.applied },
    lagMs: pair.lagMs,
    health: pairHealth(pub, pair, view),
    state: view && !view.enabled ? 'disabled' : null,
  };
}

/** Every subscription's best publisher among the connected servers (a slot that exists beats one that is missing). */
function pairsOf(members: Placed[], at: number): Map<string, { pub: Placed; sub: Placed; pair: LinkedPair }> {
  const best = new Map<string, { pub: Placed; sub: Placed; pair: LinkedPair }>();
  for (const pub of members)
    for (const sub of members) {
      if (pub.nodeId === sub.nodeId) continue;
      for (const pair of linkDirection(end(pub), end(sub), at)?.pairs ?? []) {
        const view = sub.snapshot.logical.subscriptions.find((s) => s.name === pair.subscription);
        if (!view || !portAgrees(pub, view)) continue;
        const key = `${sub.nodeId}:${pair.subscription}`;
        const old = best.get(key);
        if (!old || (old.pair.slotStatus !== 'ok' && pair.slotStatus === 'ok')) best.set(key, { pub, sub, pair });
      }
    }
  return best;
}

function seenPublisher(g: Graph, sub: Placed, s: SubscriptionView): string {
  const t = s.target;
  const addr = addressText(t?.host ?? null, t?.port ?? null);
  return g.addNode({
    id: `seen:address:${t?.host ?? '?'}:${t?.port ?? '?'}`,
    sessionId: null,
    label: t ? addr : `publisher of ${s.name}`,
    role: 'primary',
    health: 'unknown',
    currentLsn: null,
    systemId: null,
    address: addr,
    seenFrom: `subscription ${s.name} on ${sub.label}`,
    connect:
      sub.demo === 'subscriber' && s.name === DEMO_SUBSCRIPTION
        ? { kind: 'demo' }
        : suggestFields(sub, t?.host ?? null, t?.port ?? null, t?.dbname),
  });
}

function seenConsumer(g: Graph, pub: Placed, c: SlotConsumer): string {
  const name = c.applicationName || `walsender ${c.pid}`;
  const demo = demoTargetSeenOnPrimary(pub, c.applicationName, {
    standby: DEMO_STANDBY,
    subscription: DEMO_SUBSCRIPTION,
  });
  return g.addNode({
    id: `seen:consumer:${pub.nodeId}:${name}`,
    sessionId: null,
    label: name,
    role: demo ? 'subscriber' : 'consumer',
    health: 'unknown',
    currentLsn: null,
    systemId: null,
    address: c.clientAddr ?? 'local socket',
    seenFrom: `consumer of slot ${c.slot} on ${pub.label}`,
    connect: demo ?? suggestFields(pub, c.clientAddr ?? null, null),
  });
}

function consumerEdge(pub: Placed, c: SlotConsumer, to: string): TopologyEdge {
  const slot = pub.snapshot.slots.find((s) => s.name === c.slot);
  const bad = slot && (slot.status === 'lost' || slot.status === 'conflicting');
  return {
    id: `logical:consumer:${pub.nodeId}:${c.slot}`,
    from: pub.nodeId,
    to,
    kind: 'logical',
    label: c.applicationName && c.applicationName !== c.slot ? `${c.applicationName} / ${c.slot}` : c.slot,
    slot: c.slot,
    lagBytes: { write: null, flush: slot?.pendingBytes ?? null, replay: null },
    lagMs: { write: c.writeLagMs, flush: c.flushLagMs, replay: c.replayLagMs },
    health: bad ? 'bad' : 'ok',
    state: 'streaming',
  };
}

/** Logical edges between connected servers, then the seen publishers and consumers. */
export function addLogical(g: Graph, members: Placed[], at: number): void {
  const pairs = pairsOf(members, at);
  const usedSlots = new Set<string>();
  for (const { pub, sub, pair } of pairs.values()) {
    g.addEdge(pairEdge(pub, sub, pair));
    if (pair.slot) usedSlots.add(`${pub.nodeId}:${pair.slot}`);
  }
  for (const sub of members)
    for (const s of sub.snapshot.logical.subscriptions) {
      if (pairs.has(`${sub.nodeId}:${s.name}`) || s.slotName === null) continue;
      const from = seenPublisher(g, sub, s);
      g.addEdge({
        id: `logical:${from}:${sub.nodeId}:${s.name}`,
        from,
        to: sub.nodeId,
        kind: 'logical',
        label: s.slotName !== s.name ? `${s.name} / ${s.slotName}` : s.name,
        slot: s.slotName,
        lagBytes: { write: null, flush: null, replay: null },
        lagMs: { write: null, flush: null, replay: null },
        health: s.enabled ? 'ok' : 'warn',
        state: s.enabled ? null : 'disabled',
      });
    }
  for (const pub of members) {
    const own = new Set(pub.snapshot.slots.filter((s) => s.temporary || s.ownedByWalscope).map((s) => s.name));
    for (const c of pub.snapshot.logical.slotConsumers) {
      if (usedSlots.has(`${pub.nodeId}:${c.slot}`) || own.has(c.slot) || isWalscope(c.applicationName)) continue;
      if (TABLE_SYNC_SLOT.test(c.slot)) continue; // a subscription's table copy, over when the table is ready
      g.addEdge(consumerEdge(pub, c, seenConsumer(g, pub, c)));
    }
  }
}
