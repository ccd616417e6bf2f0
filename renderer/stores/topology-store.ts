import { create } from 'zustand';
import type { ConnectTarget, TopologyNode, TopologySnapshot } from '../../shared/contract';
import { getApi } from '../bridge/api';
import { useConnection } from './connection-store';

/**
 * The Topology tab's state: the latest topology main built from this window's servers (pushed as
 * `topology.snapshot` after their polls, at most a few a second), and the Connect action of a
 * server seen but not connected.
 */
interface TopologyState {
  snapshot: TopologySnapshot | null;
  /** The node whose Connect is in progress. */
  connecting: string | null;
  /** What the last Connect said, shown under the graph. */
  message: { nodeId: string; text: string } | null;
  apply(t: TopologySnapshot): void;
  load(): Promise<void>;
  connect(node: TopologyNode): Promise<void>;
  reset(): void;
}

/** "host:port/db as user", for saying where a suggested connection went. */
function describeTarget(t: ConnectTarget): string {
  if (t.kind !== 'fields') return t.kind;
  const f = t.fields;
  return `${f.host ?? 'default host'}${f.port ? `:${f.port}` : ''}/${f.database ?? ''} as ${f.user ?? 'default user'}`;
}

export const useTopology = create<TopologyState>((set, get) => ({
  snapshot: null,
  connecting: null,
  message: null,
  apply(t) {
    const old = get().snapshot;
    if (!old || t.at >= old.at) set({ snapshot: t });
  },
  async load() {
    const r = await getApi().invoke('topology.get', {});
    if (r.ok) get().apply(r.value);
  },
  async connect(node) {
    const target = node.connect;
    if (!target) {
      set({
        message: {
          nodeId: node.id,
          text: `Nothing ${node.label} reports says where it listens (${node.address ?? 'no address'}): connect to it from the connect screen.`,
        },
      });
      return;
    }
    set({ connecting: node.id, message: null });
    const ok = await useConnection.getState().connect(target, { show: false });
    const error = useConnection.getState().error;
    set({
      connecting: null,
      message: ok
        ? null
        : {
            nodeId: node.id,
            // Suggestions never carry a password: a server that needs one is connected from the connect form.
            text: `Could not connect to ${node.label} (${describeTarget(target)}): ${error?.message ?? 'failed'}. If it needs a password, connect it with + in the server list using these details.`,
          },
    });
    if (ok) await get().load();
  },
  reset() {
    set({ snapshot: null, connecting: null, message: null });
  },
}));
