/**
 * Data shapes that cross the bridge (IPC or WebSocket). Everything is JSON: LSNs as `X/X` text,
 * byte counts as numbers, times as ISO strings or epoch milliseconds. One schema per shape; the
 * TypeScript type is inferred from it, so the two cannot drift.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../errors';
import { MESSAGE_TYPES } from '../messages';

export const LSN_TEXT = z.string().regex(/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/, 'an LSN like 0/16B3748');
export const SLOT_NAME = z.string().regex(/^[a-z0-9_]{1,63}$/, 'lower-case letters, digits and _, at most 63');
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export const ErrorInfoSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  hint: z.string().optional(),
  sqlstate: z.string().optional(),
  lsn: z.string().optional(),
  offset: z.number().optional(),
});

export const ConnectionFieldsSchema = z.strictObject({
  host: z.string().max(255).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  database: z.string().max(63).optional(),
  user: z.string().max(63).optional(),
  password: z.string().max(1024).optional(),
  sslmode: z.enum(SSL_MODES).optional(),
  sslrootcert: z.string().max(4096).optional(),
});
export type ConnectionFields = z.infer<typeof ConnectionFieldsSchema>;

/** A pg_service.conf section name, as written between the brackets. */
const SERVICE_NAME = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^[\]\r\n]+$/, 'a service name from pg_service.conf');

/** How to reach a server: a DSN, fields, a saved profile, or the built-in demo database. */
export const ConnectTargetSchema = z.union([
  z.strictObject({
    kind: z.literal('dsn'),
    dsn: z.string().min(1).max(4096),
    password: z.string().max(1024).optional(),
  }),
  z.strictObject({ kind: z.literal('fields'), fields: ConnectionFieldsSchema }),
  z.strictObject({ kind: z.literal('profile'), profileId: z.string().min(1).max(128) }),
  z.strictObject({ kind: z.literal('demo') }),
  /** The demo's subscriber (main/demo/demo-subscriber.ts), the other end of the demo publisher. */
  z.strictObject({ kind: z.literal('demoSubscriber') }),
  /** A section of pg_service.conf (PGSERVICEFILE or ~/.pg_service.conf, then PGSYSCONFDIR's). */
  z.strictObject({ kind: z.literal('service'), service: SERVICE_NAME }),
  /** The demo's physical standby (main/demo/demo-standby.ts), streaming from the demo primary. */
  z.strictObject({ kind: z.literal('demoStandby') }),
]);
export type ConnectTarget = z.infer<typeof ConnectTargetSchema>;

/**
 * A connect target as the recent list keeps it: never a password (a DSN's is taken out before it is
 * stored), never the demo (it has its own button). Each shape is also a ConnectTarget.
 */
export const RecentTargetSchema = z.union([
  z.strictObject({ kind: z.literal('dsn'), dsn: z.string().min(1).max(4096) }),
  z.strictObject({ kind: z.literal('fields'), fields: ConnectionFieldsSchema.omit({ password: true }) }),
  z.strictObject({ kind: z.literal('profile'), profileId: z.string().min(1).max(128) }),
  z.strictObject({ kind: z.literal('service'), service: SERVICE_NAME }),
]);
export type RecentTarget = z.infer<typeof RecentTargetSchema>;

export const RecentConnectionSchema = z.object({
  target: RecentTargetSchema,
  /** The label the server had when it was connected. */
  label: z.string(),
  /** When it was last connected (epoch ms). */
  at: z.number(),
});
export type RecentConnection = z.infer<typeof RecentConnectionSchema>;

export const ServiceEntrySchema = z.object({
  name: z.string(),
  /** The service file whose section this is (the first file wins for a name in both). */
  file: z.string(),
});
export type ServiceEntry = z.infer<typeof ServiceEntrySchema>;

export const ProfileSchema = z.strictObject({
  id: z.string().min(1).max(128),
  name: z.string().min(1).max(128),
  fields: ConnectionFieldsSchema.omit({ password: true }),
  /** True when a password is stored (encrypted by the OS keychain via safeStorage). */
  hasPassword: z.boolean(),
});
export type Profile = z.infer<typeof ProfileSchema>;

export const ServerOverviewSchema = z.object({
  systemId: z.string(),
  timeline: z.number(),
  serverVersion: z.string(),
  serverVersionNum: z.number(),
  walLevel: z.string(),
  currentLsn: z.string().nullable(),
  inRecovery: z.boolean(),
  maxSlotWalKeepSize: z.string(),
  walSenderTimeout: z.string(),
  synchronousStandbyNames: z.string(),
  /** cluster_name: a walreceiver's default application_name, how the topology matches a standby to its walsender. */
  clusterName: z.string().optional(),
  database: z.string(),
  user: z.string(),
  /** The role may stream and manage slots (REPLICATION attribute or superuser). */
  canReplicate: z.boolean(),
  host: z.string(),
  plugins: z.array(z.string()),
  publications: z.array(z.string()),
  slotCount: z.number(),
  standbyCount: z.number(),
});
export type ServerOverview = z.infer<typeof ServerOverviewSchema>;

const SLOT_STATUSES = ['active', 'inactive', 'unreserved', 'lost', 'conflicting'] as const;

export const SlotViewSchema = z.object({
  name: z.string(),
  /** Every column the server's pg_replication_slots has, as text or null (keys vary by version). */
  columns: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  slotType: z.enum(['logical', 'physical']),
  plugin: z.string().nullable(),
  database: z.string().nullable(),
  active: z.boolean(),
  activePid: z.number().nullable(),
  consumer: z.string().nullable(),
  temporary: z.boolean(),
  restartLsn: z.string().nullable(),
  confirmedFlushLsn: z.string().nullable(),
  retainedBytes: z.number().nullable(),
  pendingBytes: z.number().nullable(),
  safeWalSize: z.number().nullable(),
  walStatus: z.string().nullable(),
  status: z.enum(SLOT_STATUSES),
  inactiveSinceMs: z.number().nullable(),
  ownedByWalscope: z.boolean(),
});
export type SlotView = z.infer<typeof SlotViewSchema>;

export const StandbyViewSchema = z.object({
  pid: z.number(),
  applicationName: z.string(),
  clientAddr: z.string().nullable(),
  state: z.string(),
  syncState: z.string(),
  sentLsn: z.string().nullable(),
  writeLsn: z.string().nullable(),
  flushLsn: z.string().nullable(),
  replayLsn: z.string().nullable(),
  writeLagBytes: z.number().nullable(),
  flushLagBytes: z.number().nullable(),
  replayLagBytes: z.number().nullable(),
  writeLagMs: z.number().nullable(),
  flushLagMs: z.number().nullable(),
  replayLagMs: z.number().nullable(),
  replyTime: z.string().nullable(),
  slotName: z.string().nullable(),
});
export type StandbyView = z.infer<typeof StandbyViewSchema>;

export const AlertSchema = z.object({
  key: z.string(),
  severity: z.enum(['warning', 'critical']),
  subject: z.string(),
  message: z.string(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** One lag sample of one series (`slot:<name>` or `standby:<application_name>:<pid>`). */
export const LagPointSchema = z.object({
  series: z.string(),
  t: z.number(),
  bytes: z.number().nullable(),
  timeLagMs: z.number().nullable(),
  lsn: z.string().nullable(),
});
export type LagPoint = z.infer<typeof LagPointSchema>;

/**
 * A decoded message at the edge (`toWireMessage`, shared/messages-json.ts) plus a stream sequence
 * number; row images (`new`, `old`, `key`) are `Tuple`s (`{names, values}`, column order), never
 * objects keyed by column name. Its raw bytes stay in main until asked for with `stream.raw`.
 */
export const WireMessageSchema = z
  .object({
    seq: z.number(),
    type: z.enum(MESSAGE_TYPES),
    lsn: z.string(),
    xid: z.number().optional(),
  })
  .passthrough();
export type WireMessage = z.infer<typeof WireMessageSchema> & Record<string, unknown>;

/**
 * A stream row as it travels to the view: what the list and its filters need of every row
 * (sequence number, type, LSN, xid, relation, summary) plus the whole message as JSON text
 * (`messageJson`: row images as `{"col":value,…}` in column order, read back by `parseMessageJson`), parsed
 * only for the rows shown or inspected. Parsing every message on arrival was the renderer's
 * largest cost in serve mode (V8 internalizes each short JSON string value, and a change stream is
 * full of unique ones: LSNs, ids); a long JSON string is copied, not internalized. Decision 0008.
 */
export const WireRowSchema = z.object({
  seq: z.number(),
  type: z.enum(MESSAGE_TYPES),
  /** `X/X` text: the list shows it for every row without parsing `json`. */
  lsn: z.string(),
  xid: z.number().optional(),
  rel: z.string(),
  /** The one-line summary the list shows and the text filter searches (shared/wire-row.ts). */
  summary: z.string(),
  json: z.string(),
});
export type WireRow = z.infer<typeof WireRowSchema>;

export const StreamStatsSchema = z.object({
  receivedLsn: z.string(),
  handedOnLsn: z.string(),
  confirmedLsn: z.string(),
  serverWalEnd: z.string(),
  bytesBehind: z.number(),
  lastKeepaliveAgeMs: z.number().nullable(),
  messages: z.number(),
  bytes: z.number(),
  messagesPerSec: z.number(),
  bytesPerSec: z.number(),
  reconnects: z.number(),
  droppedInView: z.number(),
});
export type StreamStats = z.infer<typeof StreamStatsSchema>;

export const StreamSourceSchema = z.union([
  z.strictObject({
    kind: z.literal('temporary'),
    plugin: z.string().regex(/^[a-z0-9_]{1,63}$/),
    publications: z.array(z.string().min(1).max(63)).max(32).default([]),
  }),
  z.strictObject({
    kind: z.literal('copy'),
    slot: SLOT_NAME,
    publications: z.array(z.string().min(1).max(63)).max(32).default([]),
  }),
  z.strictObject({
    kind: z.literal('direct'),
    slot: SLOT_NAME,
    publications: z.array(z.string().min(1).max(63)).max(32).default([]),
    consume: z.boolean(),
  }),
]);
export type StreamSourceRequest = z.infer<typeof StreamSourceSchema>;

export const DropDescriptionSchema = z.object({
  slot: SlotViewSchema,
  usedByStandby: z.string().nullable(),
  /** One-time confirmation: a drop must carry it, for this slot, within its lifetime. */
  token: z.string(),
  expiresAtMs: z.number(),
});
export type DropDescription = z.infer<typeof DropDescriptionSchema>;

/**
 * Step 1 of advancing a slot: what would be skipped. Bytes only — counting the changes in that
 * WAL would mean decoding all of it. The target is already clamped the way the server clamps.
 */
export const AdvancePreviewSchema = z.object({
  slot: SlotViewSchema,
  /** The position that moves: confirmed_flush_lsn (logical) or restart_lsn (physical). */
  from: z.string(),
  requested: z.string(),
  /** Where the slot will be: the requested position, clamped to `ceiling`. */
  target: z.string(),
  /** The server's flushed WAL (replayed WAL on a standby): a slot never advances past it. */
  ceiling: z.string(),
  clamped: z.boolean(),
  skippedBytes: z.number(),
  /** One-time confirmation: the advance must carry it, for this slot and target, within its lifetime. */
  token: z.string(),
  expiresAtMs: z.number(),
});
export type AdvancePreview = z.infer<typeof AdvancePreviewSchema>;
