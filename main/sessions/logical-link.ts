import type { LinkFlag, LinkedPair, LinkSnapshot, SubscriptionView } from '../../shared/contract/logical';
import type { SlotView } from '../../shared/contract/dto';
import { parseLsn } from '../../shared/lsn';
import type { MonitorSnapshot } from '../monitor/server-monitor';

/**
 * The link between a publisher and a subscriber lives above a single server: each subscription
 * names a slot and a connection target, and only a layer holding both sessions can find that slot
 * on the other server. Pure functions over two monitors' latest snapshots, plus the registry that
 * links the sessions of a window for the SessionManager.
 */
export interface EndSnapshot {
  sessionId: string;
  label: string;
  /** How WALscope reached this server (the configured host), to match a subscription's target host. */
  host: string;
  snapshot: MonitorSnapshot;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

function sameHost(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || (LOOPBACK.has(x) && LOOPBACK.has(y)) || (x.startsWith('/') && y.startsWith('/'));
}

/**
 * Does this subscription connect to `pub`? By its target (port, database, and host as WALscope
 * reaches the publisher); when the subscriber may not read the connection string, by slot name.
 */
export function targetsPublisher(sub: SubscriptionView, pub: EndSnapshot): boolean {
  const slots = pub.snapshot.slots;
  const hasSlot = sub.slotName !== null && slots.some((s) => s.name === sub.slotName && s.slotType === 'logical');
  const t = sub.target;
  if (!t) return hasSlot;
  const port = pub.snapshot.logical.port;
  if (t.port !== null && port !== null && t.port !== port) return false;
  if (t.dbname !== null && t.dbname !== pub.snapshot.overview.database && !hasSlot) return false;
  const hostKnown = t.host !== null;
  const hostMatches = !hostKnown || sameHost(t.host!, pub.host) || sameHost(t.host!, pub.snapshot.overview.host);
  return hostMatches || hasSlot;
}

function behind(current: string | null, lsn: string | null): number | null {
  if (current === null || lsn === null) return null;
  const d = parseLsn(current) - parseLsn(lsn);
  // The two servers are polled at different moments: a position read later may be ahead.
  return d > 0n ? Number(d) : 0;
}

function maxLsn(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return a ?? b;
  return parseLsn(a) >= parseLsn(b) ? a : b;
}

function invalidated(slot: SlotView): boolean {
  return (
    slot.status === 'lost' || slot.status === 'conflicting' || (slot.columns['invalidation_reason'] ?? null) !== null
  );
}

function pairOf(sub: SubscriptionView, pub: EndSnapshot, slot: SlotView | undefined): LinkedPair {
  const current = pub.snapshot.overview.currentLsn;
  const apply = sub.workers.find((w) => w.type === 'apply');
  // The subscriber's positions come from its own poll, up to one interval older than the
  // publisher's reading; it cannot have confirmed what it has not received, so neither stage is
  // shown behind confirmed_flush.
  const received = maxLsn(apply?.receivedLsn ?? null, slot?.confirmedFlushLsn ?? null);
  const consumer = pub.snapshot.logical.slotConsumers.find((c) => c.slot === sub.slotName);
  const t = sub.target;
  // The subscriber confirms a flush only once everything before it is applied (or had nothing to
  // apply for this subscription), so the applied position is at least confirmed_flush; the origin's
  // remote_lsn alone stays at the last applied commit while unrelated WAL passes by.
  const applied = maxLsn(sub.appliedLsn, slot?.confirmedFlushLsn ?? null);
  return {
    subscription: sub.name,
    slot: sub.slotName,
    publisherSystemId: pub.snapshot.overview.systemId,
    target: t ? `${t.host ?? '(default host)'}:${t.port ?? 5432}/${t.dbname ?? '(default db)'}` : pub.label,
    slotStatus: !slot ? 'missing' : invalidated(slot) ? 'invalidated' : 'ok',
    positions: {
      publisherCurrent: current,
      confirmedFlush: slot?.confirmedFlushLsn ?? null,
      received,
      applied,
    },
    lagBytes: {
      confirmedFlush: behind(current, slot?.confirmedFlushLsn ?? null),
      received: behind(current, received),
      applied: behind(current, applied),
    },
    lagMs: {
      write: consumer?.writeLagMs ?? null,
      flush: consumer?.flushLagMs ?? null,
      replay: consumer?.replayLagMs ?? null,
    },
  };
}

/** One direction: `pub`'s slots against `sub`'s subscriptions. Null when neither side has anything to link. */
export function linkDirection(pub: EndSnapshot, sub: EndSnapshot, at: number): LinkSnapshot | null {
  const subs = sub.snapshot.logical.subscriptions.filter((s) => targetsPublisher(s, pub));
  const candidates = pub.snapshot.slots.filter(
    (s) => s.slotType === 'logical' && s.plugin === 'pgoutput' && !s.temporary && !s.ownedByWalscope,
  );
  if (!subs.length && !candidates.length) return null;
  const pairs: LinkedPair[] = [];
  const flags: LinkFlag[] = [];
  for (const s of subs) {
    const slot = s.slotName === null ? undefined : pub.snapshot.slots.find((x) => x.name === s.slotName);
    const pair = pairOf(s, pub, slot);
    pairs.push(pair);
    if (s.slotName === null) continue; // slot_name = NONE: the subscription is detached on purpose
    if (pair.slotStatus === 'missing')
      flags.push({
        kind: 'missing-slot',
        subject: s.name,
        message: `subscription ${s.name} on ${sub.label} uses slot ${s.slotName}, which does not exist on ${pub.label}: recreate the slot or ALTER SUBSCRIPTION … SET (slot_name = …)`,
      });
    else if (pair.slotStatus === 'invalidated')
      flags.push({
        kind: 'invalidated-slot',
        subject: s.name,
        message: `subscription ${s.name} on ${sub.label} uses slot ${s.slotName}, which is invalidated on ${pub.label} (${String(slot?.columns['invalidation_reason'] ?? slot?.status)}): the subscription must be re-created`,
      });
  }
  const used = new Set(subs.map((s) => s.slotName).filter((n): n is string => n !== null));
  // Table synchronization slots are named pg_<subscription oid>_sync_<relid>_<subscriber system id>.
  const syncPrefixes = sub.snapshot.logical.subscriptions.map((s) => `pg_${s.oid}_sync_`);
  for (const slot of candidates) {
    if (slot.active || used.has(slot.name) || syncPrefixes.some((p) => slot.name.startsWith(p))) continue;
    flags.push({
      kind: 'orphaned-slot',
      subject: slot.name,
      message: `slot ${slot.name} on ${pub.label} is inactive and no subscription on ${sub.label} uses it: it retains WAL; drop it if no other subscriber will come back for it`,
    });
  }
  return {
    at,
    publisherSessionId: pub.sessionId,
    subscriberSessionId: sub.sessionId,
    polledAt: { publisher: pub.snapshot.at, subscriber: sub.snapshot.at },
    pairs,
    flags,
  };
}

/** Both directions (each server may publish to the other). */
export function linkSessions(a: EndSnapshot, b: EndSnapshot, at: number): LinkSnapshot[] {
  return [linkDirection(a, b, at), linkDirection(b, a, at)].filter((l): l is LinkSnapshot => l !== null);
}

/**
 * Every session's latest snapshot, and the directions between the window's sessions worth
 * showing: a direction is linked once a subscription on its subscriber targets its publisher, and
 * stays linked while both are connected (a dropped subscription's orphaned slot is still flagged,
 * while an unrelated server is never told about another's idle slots).
 */
export class LinkRegistry {
  private readonly latest = new Map<string, EndSnapshot>();
  private readonly linked = new Set<string>();
  private published = false;

  /** Records a session's snapshot; returns every linked direction of the window, or null while there is none. */
  observe(end: EndSnapshot): LinkSnapshot[] | null {
    this.latest.set(end.sessionId, end);
    const links: LinkSnapshot[] = [];
    for (const pub of this.latest.values())
      for (const sub of this.latest.values()) {
        if (pub === sub) continue;
        const d = linkDirection(pub, sub, end.snapshot.at);
        const key = directionKey(pub.sessionId, sub.sessionId);
        if (d?.pairs.length) this.linked.add(key);
        if (d && this.linked.has(key)) links.push(d);
      }
    // Once more after the last link goes, so the clients drop it.
    const publish = links.length > 0 || this.published;
    this.published = links.length > 0;
    return publish ? links : null;
  }

  forget(id: string): void {
    this.latest.delete(id);
    for (const other of this.latest.keys()) {
      this.linked.delete(directionKey(id, other));
      this.linked.delete(directionKey(other, id));
    }
  }
}

const directionKey = (publisher: string, subscriber: string): string => JSON.stringify([publisher, subscriber]);
