import { useEffect, useMemo } from 'react';
import type { Health } from '../../shared/contract';
import {
  edgeLagDetail,
  edgeLagText,
  layoutTopology,
  NODE_H,
  NODE_W,
  type PlacedEdge,
  type PlacedNode,
} from '../lib/topology-layout';
import { useTopology } from '../stores/topology-store';
import './topology.css';

const HEALTHS: Health[] = ['ok', 'warn', 'bad', 'unknown'];

/** Cuts text to what fits in a node box (SVG text does not wrap). */
function fit(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function NodeShape({ p }: { p: PlacedNode }) {
  const n = p.node;
  const seen = n.sessionId === null;
  return (
    <g
      className={`topo-node ${seen ? 'seen' : 'connected'} health-${n.health}`}
      transform={`translate(${p.x} ${p.y})`}
      data-testid="topology-node"
      data-label={n.label}
      data-connected={String(!seen)}
    >
      <title>
        {[n.label, n.address, n.systemId && `system ${n.systemId}`, n.seenFrom && `seen as ${n.seenFrom}`]
          .filter(Boolean)
          .join('\n')}
      </title>
      <rect className="box" width={NODE_W} height={NODE_H} rx={10} />
      <rect className="stripe" width={6} height={NODE_H} rx={3} />
      <text className="label" x={18} y={24}>
        {fit(n.label, 26)}
      </text>
      <text className="role" x={18} y={44}>
        {fit(`${n.role} · ${n.address ?? ''}`, 32)}
      </text>
      <text className="detail" x={18} y={66}>
        {seen ? fit(`seen as ${n.seenFrom ?? ''}`, 31) : `LSN ${n.currentLsn ?? '—'}`}
      </text>
    </g>
  );
}

function EdgeShape({ p }: { p: PlacedEdge }) {
  const e = p.edge;
  const lag = edgeLagText(e);
  const width = Math.max(e.label.length * 7.2, lag.length * 6.8) + 18;
  return (
    <g className={`topo-edge ${e.kind} health-${e.health}`} data-testid="topology-edge" data-kind={e.kind}>
      <title>{edgeLagDetail(e)}</title>
      <path d={p.path} markerEnd={`url(#arrow-${e.health})`} />
      <rect className="edge-label-bg" x={p.lx - width / 2} y={p.ly - 19} width={width} height={36} rx={6} />
      <text className="edge-label" x={p.lx} y={p.ly - 4} textAnchor="middle">
        {e.label}
      </text>
      <text className="edge-lag" x={p.lx} y={p.ly + 11} textAnchor="middle" data-testid="topology-edge-lag">
        {lag}
      </text>
    </g>
  );
}

function Legend() {
  return (
    <div className="topo-legend muted">
      {(['physical', 'logical'] as const).map((kind) => (
        <span key={kind}>
          <svg width="28" height="8">
            <line x1="0" y1="4" x2="28" y2="4" className={`legend-${kind}`} />
          </svg>
          {kind}
        </span>
      ))}
      {HEALTHS.slice(0, 3).map((h) => (
        <span key={h}>
          <span className={`legend-dot health-${h}`} /> {h}
        </span>
      ))}
      <span>Greyed: seen by a connected server, not connected.</span>
    </div>
  );
}

/** The replication topology of this window's servers: an SVG graph laid out in columns by depth. */
export function TopologyView() {
  const { snapshot, connecting, message, connect } = useTopology();
  useEffect(() => void useTopology.getState().load(), []);
  const layout = useMemo(() => (snapshot ? layoutTopology(snapshot) : null), [snapshot]);
  if (!layout) return <p className="muted">Reading the servers…</p>;
  return (
    <div className="topology" data-testid="topology">
      <Legend />
      <div className="topo-canvas" style={{ width: layout.width, height: layout.height }}>
        <svg width={layout.width} height={layout.height} role="img" aria-label="Replication topology">
          <defs>
            {HEALTHS.map((h) => (
              <marker
                key={h}
                id={`arrow-${h}`}
                className={`health-${h}`}
                viewBox="0 0 10 10"
                refX="9"
                refY="5"
                markerWidth="7"
                markerHeight="7"
                orient="auto-start-reverse"
              >
                <path d="M 0 0 L 10 5 L 0 10 z" />
              </marker>
            ))}
          </defs>
          {layout.edges.map((p) => (
            <EdgeShape key={p.edge.id} p={p} />
          ))}
          {layout.nodes.map((p) => (
            <NodeShape key={p.node.id} p={p} />
          ))}
        </svg>
        {layout.nodes
          .filter((p) => p.node.sessionId === null)
          .map((p) => (
            <button
              key={p.node.id}
              className="topo-connect"
              style={{ left: p.x + NODE_W - 92, top: p.y + NODE_H - 32 }}
              disabled={connecting !== null}
              aria-label={`Connect ${p.node.label}`}
              title={p.node.connect ? 'Connect to this server' : 'Nothing says where this server listens'}
              onClick={() => void connect(p.node)}
            >
              {connecting === p.node.id ? 'Connecting…' : 'Connect'}
            </button>
          ))}
      </div>
      {message && (
        <p className="notice" role="status" data-testid="topology-message">
          {message.text}
        </p>
      )}
    </div>
  );
}
