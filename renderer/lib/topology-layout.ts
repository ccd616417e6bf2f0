import type { TopologyEdge, TopologyNode, TopologySnapshot } from '../../shared/contract/topology';
import { humanBytes, humanDuration } from './format';

/**
 * Where the topology view draws each node and edge: one column per depth (primary left, standbys
 * and subscribers right, cascades further), each column centred; within a column nodes follow the
 * rows of what feeds them, so edges cross as little as a simple rule allows.
 */
export const NODE_W = 236;
export const NODE_H = 104;
const COL_GAP = 200;
const ROW_GAP = 40;
const PAD = 24;

export interface PlacedNode {
  node: TopologyNode;
  x: number;
  y: number;
}

export interface PlacedEdge {
  edge: TopologyEdge;
  path: string;
  /** Centre of the edge's label. */
  lx: number;
  ly: number;
}

export interface TopologyLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

function columns(t: TopologySnapshot): TopologyNode[][] {
  const cols: TopologyNode[][] = [];
  for (const n of t.nodes) (cols[n.depth] ??= []).push(n);
  const row = new Map<string, number>();
  return cols
    .filter((c) => c !== undefined)
    .map((col) => {
      const feeder = (n: TopologyNode): number => {
        const rows = t.edges.filter((e) => e.to === n.id && row.has(e.from)).map((e) => row.get(e.from)!);
        return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : 0;
      };
      const sorted = [...col].sort(
        (a, b) =>
          feeder(a) - feeder(b) ||
          Number(a.sessionId === null) - Number(b.sessionId === null) ||
          a.label.localeCompare(b.label),
      );
      sorted.forEach((n, i) => row.set(n.id, i));
      return sorted;
    });
}

export function layoutTopology(t: TopologySnapshot): TopologyLayout {
  const cols = columns(t);
  const maxRows = Math.max(1, ...cols.map((c) => c.length));
  const nodes: PlacedNode[] = cols.flatMap((col, ci) => {
    const offset = ((maxRows - col.length) * (NODE_H + ROW_GAP)) / 2;
    return col.map((node, ri) => ({
      node,
      x: PAD + ci * (NODE_W + COL_GAP),
      y: PAD + offset + ri * (NODE_H + ROW_GAP),
    }));
  });
  const at = new Map(nodes.map((p) => [p.node.id, p]));
  const seenPairs = new Map<string, number>();
  const edges = t.edges.flatMap((edge): PlacedEdge[] => {
    const a = at.get(edge.from);
    const b = at.get(edge.to);
    if (!a || !b) return [];
    const pair = `${edge.from}>${edge.to}`;
    const nth = seenPairs.get(pair) ?? 0;
    seenPairs.set(pair, nth + 1);
    // Two edges between one pair (physical and logical) leave and arrive a little apart.
    const shift = nth * 18;
    const sx = a.x + NODE_W;
    const sy = a.y + NODE_H / 2 - 9 + shift;
    const tx = b.x;
    const ty = b.y + NODE_H / 2 - 9 + shift;
    const dx = Math.max(60, (tx - sx) / 2);
    return [
      {
        edge,
        path: `M ${sx} ${sy} C ${sx + dx} ${sy}, ${tx - dx} ${ty}, ${tx} ${ty}`,
        lx: (sx + tx) / 2,
        ly: (sy + ty) / 2 + nth * 30,
      },
    ];
  });
  const width = PAD * 2 + cols.length * NODE_W + Math.max(0, cols.length - 1) * COL_GAP;
  const height = PAD * 2 + maxRows * (NODE_H + ROW_GAP) - ROW_GAP;
  return { nodes, edges, width, height };
}

/** The edge's lag in one line: bytes behind at the last stage known, and the time lag. */
export function edgeLagText(e: TopologyEdge): string {
  const bytes = e.lagBytes.replay ?? e.lagBytes.flush ?? e.lagBytes.write;
  const ms = e.lagMs.replay ?? e.lagMs.flush ?? e.lagMs.write;
  if (bytes === null && ms === null) return 'lag unknown';
  const parts = [bytes === null ? null : `${humanBytes(bytes)} behind`, ms === null ? null : humanDuration(ms)];
  return parts.filter((p) => p !== null).join(' · ');
}

/** Every stage, for the edge's tooltip. */
export function edgeLagDetail(e: TopologyEdge): string {
  const names = e.kind === 'physical' ? ['write', 'flush', 'replay'] : ['received', 'confirmed flush', 'applied'];
  const stages = (['write', 'flush', 'replay'] as const).map(
    (k, i) => `${names[i]}: ${e.lagBytes[k] === null ? '—' : humanBytes(e.lagBytes[k])}, ${humanDuration(e.lagMs[k])}`,
  );
  return [`${e.kind} ${e.label}${e.slot && !e.label.includes(e.slot) ? ` (slot ${e.slot})` : ''}`, ...stages].join(
    '\n',
  );
}
