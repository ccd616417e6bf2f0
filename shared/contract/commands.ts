/**
 * Every request the renderer can make, with its request and response schema. Main validates each
 * incoming request against `COMMANDS[name].request` (unknown names and extra keys are rejected)
 * and answers with a Result envelope; `response` describes what it sends back.
 */
import { z } from 'zod';
import {
  AdvancePreviewSchema,
  ConnectTargetSchema,
  ConnectionFieldsSchema,
  DropDescriptionSchema,
  LSN_TEXT,
  ProfileSchema,
  RecentConnectionSchema,
  SLOT_NAME,
  ServiceEntrySchema,
  ServerOverviewSchema,
  StreamSourceSchema,
  WireMessageSchema,
} from './dto';
import { WAL_WINDOWS, WalRecordSchema } from './wal';
import { TopologySnapshotSchema } from './topology';

const SessionRef = { sessionId: z.string().min(1).max(64) };
const ConnectId = z.string().min(1).max(64);

export const COMMANDS = {
  'app.info': {
    /**
     * `contractVersion`: the page's CONTRACT_VERSION. The desktop page declares it in its first
     * request; main refuses every other command from a page that declared another or none.
     */
    request: z.strictObject({ contractVersion: z.number().int().optional() }),
    response: z.object({
      version: z.string(),
      contractVersion: z.number(),
      shell: z.enum(['electron', 'serve']),
      /** safeStorage: OS keychain; fixed-key: Linux without a keyring (saved only on request, not secure). */
      passwordStorage: z.enum(['safeStorage', 'fixed-key', 'unavailable']),
      defaults: ConnectionFieldsSchema,
    }),
  },
  'profiles.list': { request: z.strictObject({}), response: z.array(ProfileSchema) },
  'profiles.save': {
    request: z.strictObject({
      profile: ProfileSchema.omit({ hasPassword: true }),
      password: z.string().max(1024).optional(),
      /** Save the password even where only a fixed key would keep it (passwordStorage 'fixed-key'). */
      allowFixedKey: z.boolean().optional(),
    }),
    response: z.object({ profile: ProfileSchema, passwordSaved: z.boolean(), note: z.string().optional() }),
  },
  'profiles.delete': { request: z.strictObject({ id: z.string().min(1).max(128) }), response: z.object({}) },
  /** The sections of the pg_service.conf files libpq would read, for the server sidebar. */
  'services.list': { request: z.strictObject({}), response: z.array(ServiceEntrySchema) },
  /** The last servers connected (newest first, at most 10), without passwords. */
  'recent.list': { request: z.strictObject({}), response: z.array(RecentConnectionSchema) },
  'session.connect': {
    /** `connectId` (chosen by the renderer) names this attempt for session.cancelConnect. */
    request: z.strictObject({ target: ConnectTargetSchema, connectId: ConnectId.optional() }),
    response: z.object({ sessionId: z.string(), label: z.string(), demo: z.boolean(), overview: ServerOverviewSchema }),
  },
  /** Cancels a session.connect still in progress; it then fails with CANCELLED and leaves no connection. */
  'session.cancelConnect': {
    request: z.strictObject({ connectId: ConnectId }),
    response: z.object({ cancelled: z.boolean() }),
  },
  'session.disconnect': { request: z.strictObject(SessionRef), response: z.object({}) },
  'slots.create': {
    request: z.strictObject({
      ...SessionRef,
      name: SLOT_NAME,
      kind: z.enum(['logical', 'physical']),
      plugin: z
        .string()
        .regex(/^[a-z0-9_]{1,63}$/)
        .optional(),
      temporary: z.boolean().default(false),
      twoPhase: z.boolean().default(false),
      failover: z.boolean().default(false),
    }),
    response: z.object({ slotName: z.string(), consistentPoint: z.string(), warning: z.string().optional() }),
  },
  /** Cancels a slots.create still waiting for the transactions open when it started. */
  'slots.cancelCreate': {
    request: z.strictObject({ ...SessionRef, name: SLOT_NAME }),
    response: z.object({ cancelled: z.boolean() }),
  },
  'slots.describeDrop': {
    request: z.strictObject({ ...SessionRef, name: SLOT_NAME }),
    response: DropDescriptionSchema,
  },
  'slots.drop': {
    request: z.strictObject({
      ...SessionRef,
      name: SLOT_NAME,
      token: z.string().min(1).max(128),
      terminateConsumer: z.boolean().default(false),
    }),
    response: z.object({
      dropped: z.string(),
      freedBytes: z.number().nullable(),
      terminatedPid: z.number().nullable(),
    }),
  },
  /** Step 1 of an advance: what it would skip (to `lsn`, or to the server's flushed WAL). */
  'slots.describeAdvance': {
    request: z.strictObject({ ...SessionRef, name: SLOT_NAME, lsn: LSN_TEXT.optional() }),
    response: AdvancePreviewSchema,
  },
  /** Step 2: moves the slot to the previewed target; needs the preview's one-time token. */
  'slots.advance': {
    request: z.strictObject({ ...SessionRef, name: SLOT_NAME, token: z.string().min(1).max(128) }),
    response: z.object({ slot: z.string(), endLsn: z.string(), skippedBytes: z.number() }),
  },
  'slots.peek': {
    request: z.strictObject({
      ...SessionRef,
      name: SLOT_NAME,
      limit: z.number().int().min(1).max(10_000).default(200),
    }),
    response: z.object({ messages: z.array(WireMessageSchema), truncated: z.boolean() }),
  },
  'stream.start': {
    request: z.strictObject({ ...SessionRef, source: StreamSourceSchema }),
    response: z.object({ streamId: z.string(), slot: z.string() }),
  },
  'stream.stop': {
    request: z.strictObject({ ...SessionRef, streamId: z.string().min(1).max(64) }),
    response: z.object({}),
  },
  /** The raw bytes of one row the stream sent, while main still holds them (rows carry no bytes). */
  'stream.raw': {
    request: z.strictObject({
      ...SessionRef,
      streamId: z.string().min(1).max(64),
      seq: z.number().int().min(0),
    }),
    response: z.object({ hex: z.string() }),
  },
  /** Live WAL: the physical stream decoded (no slot, nothing retained). */
  'wal.start': {
    request: z.strictObject({
      ...SessionRef,
      startLsn: LSN_TEXT.optional(),
      windowSeconds: z.union(WAL_WINDOWS.map((w) => z.literal(w))).default(60),
    }),
    response: z.object({ walId: z.string(), startLsn: z.string(), major: z.number() }),
  },
  'wal.stop': {
    request: z.strictObject({ ...SessionRef, walId: z.string().min(1).max(64) }),
    response: z.object({}),
  },
  /** The window the WAL tab's tables aggregate over. */
  'wal.window': {
    request: z.strictObject({
      ...SessionRef,
      walId: z.string().min(1).max(64),
      seconds: z.union(WAL_WINDOWS.map((w) => z.literal(w))),
    }),
    response: z.object({}),
  },
  /** One record in full with its bytes, while main still holds it. */
  'wal.record': {
    request: z.strictObject({ ...SessionRef, walId: z.string().min(1).max(64), seq: z.number().int().min(0) }),
    response: z.object({ record: WalRecordSchema, hex: z.string() }),
  },
  'demo.setRate': {
    request: z.strictObject({ ...SessionRef, changesPerSecond: z.number().min(0).max(50_000) }),
    response: z.object({ changesPerSecond: z.number() }),
  },
  /** The topology of every server connected in this window (also pushed as `topology.snapshot`). */
  'topology.get': { request: z.strictObject({}), response: TopologySnapshotSchema },
} as const;

export type CommandName = keyof typeof COMMANDS;
export type CommandRequest<K extends CommandName> = z.input<(typeof COMMANDS)[K]['request']>;
export type ParsedCommandRequest<K extends CommandName> = z.output<(typeof COMMANDS)[K]['request']>;
export type CommandResponse<K extends CommandName> = z.infer<(typeof COMMANDS)[K]['response']>;
