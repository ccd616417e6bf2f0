import type { Alert } from '../../shared/contract/dto';
import type { Health, TopologyEdge, TopologyNode } from '../../shared/contract/topology';
import type { MonitorSnapshot } from '../monitor/server-monitor';

/** One connected server of a SessionManager, as the topology sees it. */
export interface TopologyMember {
  sessionId: string;
  label: string;
  /** How WALscope reached it (the resolved connection settings; no password). */
  via: { host: string; port: number | null; database: string; user: string };
  /** Which part of the built-in demo this is, so seen demo servers get the demo's connect targets. */
  demo: 'primary' | 'standby' | 'subscriber' | null;
  snapshot: MonitorSnapshot;
}

/** A member with the id of the node that shows it. */
export interface Placed extends TopologyMember {
  nodeId: string;
}

/** The nodes and edges being built; a node added twice under one id stays the first one. */
export class Graph {
  readonly nodes = new Map<string, TopologyNode>();
  readonly edges: TopologyEdge[] = [];

  addNode(n: Omit<TopologyNode, 'depth'>): string {
    if (!this.nodes.has(n.id)) this.nodes.set(n.id, { ...n, depth: 0 });
    return n.id;
  }

  addEdge(e: TopologyEdge): void {
    if (!this.edges.some((x) => x.id === e.id)) this.edges.push(e);
  }
}

export const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

/** The same host as WALscope or a server names it (loopback names are one host). */
export function sameHost(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || (LOOPBACK.has(x) && LOOPBACK.has(y));
}

/** How a host and port read in a node: a socket directory is long and says little, so it is shortened. */
export function addressText(host: string | null, port: number | null): string {
  if (host === null || host === '') return port === null ? 'unknown' : `port ${port}`;
  if (host.startsWith('/')) return `local socket${port === null ? '' : ` :${port}`}`;
  return port === null ? host : `${host}:${port}`;
}

/** Worst of several health readings (unknown counts as nothing known). */
export function worst(...hs: Health[]): Health {
  if (hs.includes('bad')) return 'bad';
  if (hs.includes('warn')) return 'warn';
  return hs.includes('ok') ? 'ok' : 'unknown';
}

export function alertHealth(alerts: Alert[]): Health {
  if (alerts.some((a) => a.severity === 'critical')) return 'bad';
  return alerts.length ? 'warn' : 'ok';
}

/** An inet as text (`127.0.0.1/32`, as pg_stat_replication.client_addr::text reads) without its mask. */
export function hostOfInet(addr: string | null): string | null {
  return addr === null ? null : addr.replace(/\/\d+$/, '');
}

/** WALscope's own connections (its streams, the live WAL tab) are the inspector, not replicas. */
export function isWalscope(applicationName: string): boolean {
  return applicationName.startsWith('walscope/');
}
