/**
 * Logical replication from both ends (issue 16): what one server reports about its publications,
 * decoding statistics, subscriptions and WAL receiver, and the link between a publisher's slot and
 * a subscriber's subscription that only the layer holding two sessions can build. Fields a server
 * version lacks are null, and `notes` says which ones are "not on this version".
 */
import { z } from 'zod';

const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const PublishedTableSchema = z.object({
  schema: z.string(),
  table: z.string(),
  /** Published columns (15+; null = all columns, or not on this version). */
  columns: z.array(z.string()).nullable(),
  /** The row filter's WHERE expression (15+). */
  rowFilter: z.string().nullable(),
  /** REPLICA IDENTITY: default, nothing, full, index. */
  replicaIdentity: z.enum(['default', 'nothing', 'full', 'index']),
  hasPrimaryKey: z.boolean(),
  /** Set when UPDATE/DELETE are published but the table has no usable replica identity. */
  identityProblem: z.string().nullable(),
});
export type PublishedTable = z.infer<typeof PublishedTableSchema>;

export const PublicationViewSchema = z.object({
  name: z.string(),
  owner: z.string(),
  allTables: z.boolean(),
  /** Schemas published with FOR TABLES IN SCHEMA (15+). */
  schemas: z.array(z.string()),
  insert: z.boolean(),
  update: z.boolean(),
  delete: z.boolean(),
  truncate: z.boolean(),
  /** publish_via_partition_root (13+). */
  viaRoot: z.boolean().nullable(),
  /** publish_generated_columns (18: none/stored). */
  generatedColumns: z.string().nullable(),
  tables: z.array(PublishedTableSchema),
  /** Every column pg_publication has on this version. */
  columns: z.record(z.string(), Cell),
});
export type PublicationView = z.infer<typeof PublicationViewSchema>;

/** Decoding statistics of one logical slot (pg_stat_replication_slots, 14+), with rates per second. */
export const DecodingStatsSchema = z.object({
  slot: z.string(),
  spillTxns: z.number(),
  spillCount: z.number(),
  spillBytes: z.number(),
  streamTxns: z.number(),
  streamCount: z.number(),
  streamBytes: z.number(),
  totalTxns: z.number(),
  totalBytes: z.number(),
  /** Per second since the previous poll; null on the first sample or after a reset. */
  rates: z.object({
    spillTxns: z.number().nullable(),
    spillBytes: z.number().nullable(),
    streamTxns: z.number().nullable(),
    streamBytes: z.number().nullable(),
    totalTxns: z.number().nullable(),
    totalBytes: z.number().nullable(),
  }),
  statsReset: z.string().nullable(),
  /** Set when transactions spill to disk often: raise logical_decoding_work_mem. */
  spillHint: z.string().nullable(),
});
export type DecodingStats = z.infer<typeof DecodingStatsSchema>;

export const SYNC_STATES = ['init', 'data copy', 'finished copy', 'synchronized', 'ready', 'unknown'] as const;

export const SubscriptionTableSchema = z.object({
  schema: z.string(),
  table: z.string(),
  state: z.enum(SYNC_STATES),
  /** The one-letter srsubstate as stored (i, d, f, s, r). */
  code: z.string(),
  lsn: z.string().nullable(),
});
export type SubscriptionTable = z.infer<typeof SubscriptionTableSchema>;

export const SubscriptionWorkerSchema = z.object({
  /** apply, table synchronization, parallel apply (worker_type 17+, derived from relid before). */
  type: z.string(),
  pid: z.number().nullable(),
  /** The leader apply worker of a parallel apply worker (16+). */
  leaderPid: z.number().nullable(),
  table: z.string().nullable(),
  receivedLsn: z.string().nullable(),
  latestEndLsn: z.string().nullable(),
  lastMsgSendTime: z.string().nullable(),
  lastMsgReceiptTime: z.string().nullable(),
  latestEndTime: z.string().nullable(),
});
export type SubscriptionWorker = z.infer<typeof SubscriptionWorkerSchema>;

export const SubscriptionStatsSchema = z.object({
  applyErrors: z.number(),
  syncErrors: z.number(),
  applyErrorsPerSec: z.number().nullable(),
  syncErrorsPerSec: z.number().nullable(),
  /** Conflict counters by kind (18+: insert_exists, update_missing, …); null before. */
  conflicts: z.record(z.string(), z.number()).nullable(),
  conflictsPerSec: z.record(z.string(), z.number().nullable()).nullable(),
  statsReset: z.string().nullable(),
});
export type SubscriptionStats = z.infer<typeof SubscriptionStatsSchema>;

export const SubscriptionViewSchema = z.object({
  oid: z.number(),
  name: z.string(),
  owner: z.string(),
  enabled: z.boolean(),
  slotName: z.string().nullable(),
  publications: z.array(z.string()),
  /** The connection string with its password removed; null when the role may not read it. */
  conninfo: z.string().nullable(),
  /** Where the subscription connects (from conninfo). */
  target: z
    .object({ host: z.string().nullable(), port: z.number().nullable(), dbname: z.string().nullable() })
    .nullable(),
  /** binary, streaming, two_phase, disable_on_error, origin, password_required, run_as_owner, failover… as the version has them. */
  options: z.record(z.string(), Cell),
  workers: z.array(SubscriptionWorkerSchema),
  tables: z.array(SubscriptionTableSchema),
  stats: SubscriptionStatsSchema.nullable(),
  /** Position applied so far (the replication origin's remote_lsn), when readable. */
  appliedLsn: z.string().nullable(),
});
export type SubscriptionView = z.infer<typeof SubscriptionViewSchema>;

export const CopyProgressSchema = z.object({
  pid: z.number(),
  table: z.string().nullable(),
  command: z.string(),
  type: z.string(),
  bytesProcessed: z.number(),
  bytesTotal: z.number(),
  tuplesProcessed: z.number(),
});
export type CopyProgress = z.infer<typeof CopyProgressSchema>;

export const WalReceiverSchema = z.object({
  pid: z.number(),
  status: z.string(),
  senderHost: z.string().nullable(),
  senderPort: z.number().nullable(),
  slotName: z.string().nullable(),
  receivedLsn: z.string().nullable(),
  flushedLsn: z.string().nullable(),
  latestEndLsn: z.string().nullable(),
  latestEndTime: z.string().nullable(),
  lastMsgReceiptTime: z.string().nullable(),
  replayLsn: z.string().nullable(),
  /** Bytes received and flushed but not yet replayed. */
  replayLagBytes: z.number().nullable(),
  /** now() − the last replayed transaction's commit time (grows on an idle primary too). */
  replayLagMs: z.number().nullable(),
  conninfo: z.string().nullable(),
});
export type WalReceiver = z.infer<typeof WalReceiverSchema>;

/** The walsender streaming a logical slot: its lag as the publisher measures it from the subscriber's replies. */
export const SlotConsumerSchema = z.object({
  slot: z.string(),
  pid: z.number(),
  applicationName: z.string(),
  /** The consumer's address (null over a Unix socket); optional for snapshots from before it was read. */
  clientAddr: z.string().nullable().optional(),
  writeLagMs: z.number().nullable(),
  flushLagMs: z.number().nullable(),
  replayLagMs: z.number().nullable(),
  replyTime: z.string().nullable(),
});
export type SlotConsumer = z.infer<typeof SlotConsumerSchema>;

export const LogicalSnapshotSchema = z.object({
  /** The server's port as it reports it (inet_server_port), to match a subscription's target. */
  port: z.number().nullable(),
  logicalDecodingWorkMem: z.string().nullable(),
  publications: z.array(PublicationViewSchema),
  decodingStats: z.array(DecodingStatsSchema).nullable(),
  subscriptions: z.array(SubscriptionViewSchema),
  copyProgress: z.array(CopyProgressSchema),
  walReceiver: WalReceiverSchema.nullable(),
  slotConsumers: z.array(SlotConsumerSchema),
  /** What this version or this role cannot show ("… not on this version", "… needs superuser"). */
  notes: z.array(z.string()),
});
export type LogicalSnapshot = z.infer<typeof LogicalSnapshotSchema>;

/** One subscription linked to its publisher's slot, with the positions along the way. */
export const LinkedPairSchema = z.object({
  subscription: z.string(),
  slot: z.string().nullable(),
  publisherSystemId: z.string(),
  target: z.string(),
  slotStatus: z.enum(['ok', 'missing', 'invalidated']),
  positions: z.object({
    publisherCurrent: z.string().nullable(),
    confirmedFlush: z.string().nullable(),
    received: z.string().nullable(),
    applied: z.string().nullable(),
  }),
  /** Bytes behind the publisher's current position at each stage (null when a position is unknown). */
  lagBytes: z.object({
    confirmedFlush: z.number().nullable(),
    received: z.number().nullable(),
    applied: z.number().nullable(),
  }),
  /** Time behind as the publisher's walsender measures it (write/flush/replay lag of the slot's consumer). */
  lagMs: z.object({ write: z.number().nullable(), flush: z.number().nullable(), replay: z.number().nullable() }),
});
export type LinkedPair = z.infer<typeof LinkedPairSchema>;

export const LinkFlagSchema = z.object({
  kind: z.enum(['orphaned-slot', 'missing-slot', 'invalidated-slot']),
  subject: z.string(),
  message: z.string(),
});
export type LinkFlag = z.infer<typeof LinkFlagSchema>;

export const LinkSnapshotSchema = z.object({
  at: z.number(),
  publisherSessionId: z.string(),
  subscriberSessionId: z.string(),
  /** When each end was polled: the two polls are up to one interval apart. */
  polledAt: z.object({ publisher: z.number(), subscriber: z.number() }),
  pairs: z.array(LinkedPairSchema),
  flags: z.array(LinkFlagSchema),
});
export type LinkSnapshot = z.infer<typeof LinkSnapshotSchema>;
