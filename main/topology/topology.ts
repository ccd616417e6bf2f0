import type { TopologyEdge, TopologyNode, TopologyRole, TopologySnapshot } from '../../shared/contract/topology';
import type { Health } from '../../shared/contract/topology';
import { addressText, alertHealth, Graph, worst, type Placed, type TopologyMember } from './graph';
import { addLogical } from './logical';
import { addPhysical } from './physical';

export type { TopologyMember } from './graph';

/**
 * The topology of the servers connected in one SessionManager (issue 17), from their latest
 * monitor snapshots: pure, so every pairing rule is tested without servers.
 */
export function buildTopology(members: TopologyMember[], at: number): TopologySnapshot {
  const g = new Graph();
  const placed = placeMembers(g, members, at);
  addPhysical(g, placed);
  addLogical(g, placed, at);
  return { at, nodes: withDepths([...g.nodes.values()], g.edges), edges: g.edges };
}

function roleOf(m: TopologyMember): TopologyRole {
  const s = m.snapshot;
  if (s.overview.inRecovery) return 'standby';
  const feedsOthers = s.standbys.length > 0 || s.logical.slotConsumers.length > 0;
  return s.logical.subscriptions.length > 0 && !feedsOthers ? 'subscriber' : 'primary';
}

/** A snapshot this old means the session's polls are failing: the server is shown as bad, not as it last was. */
export const STALE_MS = 10_000;

/** Its alerts; a standby whose WAL receiver is not streaming is behind whatever its alerts say. */
function memberHealth(m: TopologyMember, at: number): Health {
  if (at - m.snapshot.at > STALE_MS) return 'bad';
  const r = m.snapshot.logical.walReceiver;
  const receiver: Health = !m.snapshot.overview.inRecovery || r?.status === 'streaming' ? 'ok' : 'warn';
  return worst(alertHealth(m.snapshot.alerts), receiver);
}

/**
 * One node per server: two sessions on the same server (same system, same recovery state, same
 * address) share the first one's node.
 */
function placeMembers(g: Graph, members: TopologyMember[], at: number): Placed[] {
  const byServer = new Map<string, string>();
  const placed: Placed[] = [];
  for (const m of members) {
    const o = m.snapshot.overview;
    const key = `${o.systemId}|${o.inRecovery}|${m.via.host}|${m.via.port ?? ''}`;
    const known = byServer.get(key);
    if (known) continue;
    const nodeId = g.addNode({
      id: `session:${m.sessionId}`,
      sessionId: m.sessionId,
      label: m.label,
      role: roleOf(m),
      health: memberHealth(m, at),
      currentLsn: o.currentLsn,
      systemId: o.systemId,
      address: addressText(m.via.host, m.via.port),
      seenFrom: null,
      connect: null,
    });
    byServer.set(key, nodeId);
    placed.push({ ...m, nodeId });
  }
  return placed;
}

/**
 * Layout columns: a node's depth is the longest chain of edges leading into it (primary 0, its
 * standbys and subscribers 1, cascades 2, …). A cycle (two servers publishing to each other) is cut
 * by bounding the passes at the number of nodes.
 */
export function withDepths(nodes: TopologyNode[], edges: TopologyEdge[]): TopologyNode[] {
  const depth = new Map(nodes.map((n) => [n.id, 0]));
  for (let pass = 0; pass < nodes.length; pass++) {
    let changed = false;
    for (const e of edges) {
      const d = (depth.get(e.from) ?? 0) + 1;
      if (e.from !== e.to && d > (depth.get(e.to) ?? 0) && d < nodes.length) {
        depth.set(e.to, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return nodes.map((n) => ({ ...n, depth: depth.get(n.id) ?? 0 }));
}
