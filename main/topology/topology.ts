import type { TopologyEdge, TopologyNode, TopologyRole, TopologySnapshot } from '../../shared/contract/topology';
import { addressText, alertHealth, Graph, type Placed, type TopologyMember } from './graph';
import { addLogical } from './logical';
import { addPhysical } from './physical';

export type { TopologyMember } from './graph';

/**
 * The topology of the servers connected in one SessionManager (issue 17), from their latest
 * monitor snapshots: pure, so every pairing rule is tested without servers.
 */
export function buildTopology(members: TopologyMember[], at: number): TopologySnapshot {
  const g = new Graph();
  const placed = placeMembers(g, members);
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

/**
 * One node per server: two sessions on the same server (same system, same recovery state, same
 * address) share the first one's node.
 */
function placeMembers(g: Graph, members: TopologyMember[]): Placed[] {
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
      health: alertHealth(m.snapshot.alerts),
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
