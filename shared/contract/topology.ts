/**
 * The replication topology (issue 17): every server connected in one window, the servers they
 * report but that are not connected ("seen"), and the replication between them, discovered from
 * what each server reports (pg_stat_replication, pg_stat_wal_receiver, subscriptions, slots).
 * Built in main (main/topology/) from the members' latest monitor snapshots.
 */
import { z } from 'zod';
import { ConnectTargetSchema } from './dto';

export const HEALTHS = ['ok', 'warn', 'bad', 'unknown'] as const;
export type Health = (typeof HEALTHS)[number];

export const TOPOLOGY_ROLES = ['primary', 'standby', 'subscriber', 'consumer', 'unknown'] as const;
export type TopologyRole = (typeof TOPOLOGY_ROLES)[number];

export const TopologyNodeSchema = z.object({
  id: z.string(),
  /** The session showing this server; null for a server only seen from another one. */
  sessionId: z.string().nullable(),
  label: z.string(),
  role: z.enum(TOPOLOGY_ROLES),
  health: z.enum(HEALTHS),
  currentLsn: z.string().nullable(),
  systemId: z.string().nullable(),
  /** Where it is (host:port, a socket directory, a client address, or 'local socket'). */
  address: z.string().nullable(),
  /** How it was seen, for a node that is not connected ("walsender on Demo database"). */
  seenFrom: z.string().nullable(),
  /** A way to connect to a seen node (never with a password); null when nothing usable is known. */
  connect: ConnectTargetSchema.nullable(),
  /** Column of the layout: 0 for servers nothing replicates into, then one more per hop. */
  depth: z.number(),
});
export type TopologyNode = z.infer<typeof TopologyNodeSchema>;

const Stages = z.object({ write: z.number().nullable(), flush: z.number().nullable(), replay: z.number().nullable() });

export const TopologyEdgeSchema = z.object({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  kind: z.enum(['physical', 'logical']),
  /** application_name and slot (physical), subscription and slot (logical). */
  label: z.string(),
  slot: z.string().nullable(),
  /** Bytes behind the upstream's current position per stage (logical: received, confirmed flush, applied). */
  lagBytes: Stages,
  lagMs: Stages,
  health: z.enum(HEALTHS),
  /** The walsender's or receiver's state (streaming, catchup, …) when known. */
  state: z.string().nullable(),
});
export type TopologyEdge = z.infer<typeof TopologyEdgeSchema>;

export const TopologySnapshotSchema = z.object({
  at: z.number(),
  nodes: z.array(TopologyNodeSchema),
  edges: z.array(TopologyEdgeSchema),
});
export type TopologySnapshot = z.infer<typeof TopologySnapshotSchema>;
