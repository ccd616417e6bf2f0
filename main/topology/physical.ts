import type { StandbyView } from '../../shared/contract/dto';
import type { WalReceiver } from '../../shared/contract/logical';
import type { Health, TopologyEdge } from '../../shared/contract/topology';
import { DEMO_STANDBY, DEMO_SUBSCRIPTION } from '../demo/demo-names';
import { addressText, alertHealth, hostOfInet, isWalscope, sameHost, worst, type Graph, type Placed } from './graph';
import { demoTargetSeenOnPrimary, suggestFields } from './suggest';

/**
 * Physical replication: each walsender of every connected server (pg_stat_replication, the slot it
 * streams) paired with the connected standby whose WAL receiver it feeds; what cannot be paired
 * becomes a seen node (a walsender's standby, a receiver's sender). A standby with walsenders of
 * its own is a cascade and is handled the same way.
 */

/** The names a standby's walsender may carry: cluster_name, or application_name from primary_conninfo. */
function receiverNames(s: Placed): Set<string> {
  const names = new Set<string>();
  const cluster = s.snapshot.overview.clusterName;
  if (cluster) names.add(cluster);
  const m = /(?:^|\s)application_name=('(?:[^'\\]|\\.)*'|\S+)/.exec(s.snapshot.logical.walReceiver?.conninfo ?? '');
  if (m) names.add(m[1]!.replace(/^'|'$/g, '').replace(/\\(.)/g, '$1'));
  return names;
}

function receiverOf(s: Placed): WalReceiver | null {
  return s.snapshot.overview.inRecovery ? s.snapshot.logical.walReceiver : null;
}

/** Does this walsender on `up` stream to the connected standby `s`? Same system, and its slot or its name. */
export function feeds(up: Placed, w: StandbyView, s: Placed): boolean {
  const r = receiverOf(s);
  if (!r || s.nodeId === up.nodeId || s.snapshot.overview.systemId !== up.snapshot.overview.systemId) return false;
  if (r.slotName !== null && r.slotName === w.slotName) return true;
  return w.applicationName !== '' && receiverNames(s).has(w.applicationName);
}

/** The receiver's sender is the server WALscope reached `up` through. */
function sendsFromAddress(up: Placed, r: WalReceiver): boolean {
  if (r.senderHost === null) return false;
  const portOk = r.senderPort === null || up.via.port === null || r.senderPort === up.via.port;
  return portOk && sameHost(r.senderHost, up.via.host);
}

function walsenderHealth(up: Placed, w: StandbyView): Health {
  const slot = up.snapshot.slots.find((s) => s.name === w.slotName);
  const slotBad = slot && (slot.status === 'lost' || slot.status === 'conflicting') ? 'bad' : 'ok';
  const alerts = up.snapshot.alerts.filter((a) => a.key.startsWith(`standby:${w.pid}:`));
  return worst(slotBad, alertHealth(alerts), w.state === 'streaming' ? 'ok' : 'warn');
}

function walsenderEdge(up: Placed, w: StandbyView, to: string): TopologyEdge {
  return {
    id: `physical:${up.nodeId}:${w.pid}`,
    from: up.nodeId,
    to,
    kind: 'physical',
    label: w.applicationName || `walsender ${w.pid}`,
    slot: w.slotName,
    lagBytes: { write: w.writeLagBytes, flush: w.flushLagBytes, replay: w.replayLagBytes },
    lagMs: { write: w.writeLagMs, flush: w.flushLagMs, replay: w.replayLagMs },
    health: walsenderHealth(up, w),
    state: w.state,
  };
}

/** A walsender no connected standby claims: its standby, seen from the upstream. */
function seenStandby(g: Graph, up: Placed, w: StandbyView): string {
  const name = w.applicationName || `walsender ${w.pid}`;
  const client = hostOfInet(w.clientAddr);
  const demo = demoTargetSeenOnPrimary(up, w.applicationName, {
    standby: DEMO_STANDBY,
    subscription: DEMO_SUBSCRIPTION,
  });
  return g.addNode({
    id: `seen:walsender:${up.nodeId}:${name}`,
    sessionId: null,
    label: name,
    role: 'standby',
    health: 'unknown',
    currentLsn: w.replayLsn,
    systemId: up.snapshot.overview.systemId,
    address: client ?? 'local socket',
    seenFrom: `walsender on ${up.label}`,
    // Over a local socket nothing says where the standby listens.
    connect: demo ?? suggestFields(up, client, null),
  });
}

/** A receiver whose sender is not connected: the sender, seen from the standby. */
export function seenSender(g: Graph, s: Placed, host: string | null, port: number | null): string {
  return g.addNode({
    id: `seen:address:${host ?? '?'}:${port ?? '?'}`,
    sessionId: null,
    label: addressText(host, port),
    role: 'unknown',
    health: 'unknown',
    currentLsn: null,
    systemId: s.snapshot.overview.systemId,
    address: addressText(host, port),
    seenFrom: `WAL receiver of ${s.label}`,
    connect: s.demo === 'standby' ? { kind: 'demo' } : suggestFields(s, host, port),
  });
}

function receiverEdge(from: string, s: Placed, r: WalReceiver): TopologyEdge {
  return {
    id: `physical:receiver:${s.nodeId}`,
    from,
    to: s.nodeId,
    kind: 'physical',
    label: r.slotName ?? 'WAL receiver',
    slot: r.slotName,
    // The receiver knows only what it has not replayed yet; its time lag grows on an idle primary.
    lagBytes: { write: null, flush: null, replay: r.replayLagBytes },
    lagMs: { write: null, flush: null, replay: null },
    health: r.status === 'streaming' ? 'ok' : 'warn',
    state: r.status,
  };
}

/** The upstream a standby's receiver names by address, among the connected servers of its system. */
function upstreamByAddress(members: Placed[], s: Placed, r: WalReceiver): Placed | undefined {
  const sys = s.snapshot.overview.systemId;
  return members.find((m) => m.nodeId !== s.nodeId && m.snapshot.overview.systemId === sys && sendsFromAddress(m, r));
}

/**
 * Pairs walsenders with standbys by slot or name; a standby still unpaired goes with its receiver's
 * sender address (taking that server's one unpaired walsender, if it has exactly one); walsenders
 * left over are standbys seen but not connected.
 */
export function addPhysical(g: Graph, members: Placed[]): void {
  const fed = new Set<string>();
  const unpaired = new Map<Placed, StandbyView[]>();
  for (const up of members) {
    const left: StandbyView[] = [];
    for (const w of up.snapshot.standbys.filter((x) => !isWalscope(x.applicationName))) {
      const s = members.find((m) => !fed.has(m.nodeId) && feeds(up, w, m));
      if (s) fed.add(s.nodeId);
      if (s) g.addEdge(walsenderEdge(up, w, s.nodeId));
      else left.push(w);
    }
    unpaired.set(up, left);
  }
  for (const s of members) {
    const r = receiverOf(s);
    if (!r || fed.has(s.nodeId)) continue;
    const up = upstreamByAddress(members, s, r);
    const left = up ? unpaired.get(up)! : [];
    if (up && left.length === 1) g.addEdge(walsenderEdge(up, left.pop()!, s.nodeId));
    else g.addEdge(receiverEdge(up ? up.nodeId : seenSender(g, s, r.senderHost, r.senderPort), s, r));
  }
  for (const [up, left] of unpaired) for (const w of left) g.addEdge(walsenderEdge(up, w, seenStandby(g, up, w)));
}
