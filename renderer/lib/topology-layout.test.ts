import { describe, expect, it } from 'vitest';
import type { TopologyEdge, TopologyNode } from '../../shared/contract/topology';
import { edgeLagText, layoutTopology } from './topology-layout';

const node = (id: string, depth: number, seen = false): TopologyNode => ({
  id,
  sessionId: seen ? null : id,
  label: id,
  role: 'primary',
  health: 'ok',
  currentLsn: null,
  systemId: null,
  address: null,
  seenFrom: null,
  connect: null,
  depth,
});
const edge = (from: string, to: string, over: Partial<TopologyEdge> = {}): TopologyEdge => ({
  id: `${from}>${to}`,
  from,
  to,
  kind: 'physical',
  label: 'e',
  slot: null,
  lagBytes: { write: null, flush: null, replay: null },
  lagMs: { write: null, flush: null, replay: null },
  health: 'ok',
  state: null,
  ...over,
});

describe('layoutTopology', () => {
  it('puts each depth in its own column, left to right, and draws an edge from right side to left side', () => {
    const l = layoutTopology({
      at: 0,
      nodes: [node('p', 0), node('s', 1), node('c', 2)],
      edges: [edge('p', 's'), edge('s', 'c')],
    });
    const x = Object.fromEntries(l.nodes.map((n) => [n.node.id, n.x]));
    expect(x['p']! < x['s']! && x['s']! < x['c']!).toBe(true);
    expect(l.edges).toHaveLength(2);
    expect(l.edges[0]!.path.startsWith(`M ${x['p']! + 236} `)).toBe(true);
    expect(l.width).toBeGreaterThan(x['c']! + 236);
  });

  it('orders a column by the rows that feed it, connected servers before seen ones', () => {
    const l = layoutTopology({
      at: 0,
      nodes: [node('a', 0), node('b', 0), node('seen', 1, true), node('x', 1), node('y', 1)],
      edges: [edge('b', 'x'), edge('a', 'y'), edge('a', 'seen')],
    });
    const col1 = l.nodes.filter((n) => n.node.depth === 1).sort((m, n) => m.y - n.y);
    expect(col1.map((n) => n.node.id)).toEqual(['y', 'seen', 'x']);
  });
});

describe('edgeLagText', () => {
  it('says the bytes behind at the last known stage and the time lag', () => {
    expect(
      edgeLagText(
        edge('a', 'b', {
          lagBytes: { write: 10, flush: 20, replay: 2048 },
          lagMs: { write: 1, flush: 2, replay: 1500 },
        }),
      ),
    ).toBe('2.0 kB behind · 1.5 s');
    expect(edgeLagText(edge('a', 'b'))).toBe('lag unknown');
  });
});
