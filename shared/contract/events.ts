/**
 * Every event main pushes to the renderer. Stream rows travel in batches (at most one per
 * animation frame, bounded; `dropped` counts rows the view lost when it fell behind: the engine
 * and CLI lose nothing, only the view is lossy and says so).
 */
import { z } from 'zod';
import {
  AlertSchema,
  ErrorInfoSchema,
  LagPointSchema,
  ServerOverviewSchema,
  SlotViewSchema,
  StandbyViewSchema,
  StreamStatsSchema,
  WireRowSchema,
} from './dto';
import { WalRowSchema, WalStatsEventSchema } from './wal';
import { LinkSnapshotSchema, LogicalSnapshotSchema } from './logical';
import { TopologySnapshotSchema } from './topology';

export const EVENTS = {
  'session.state': z.object({
    sessionId: z.string(),
    state: z.enum(['connected', 'reconnecting', 'closed', 'failed']),
    error: ErrorInfoSchema.optional(),
  }),
  'monitor.snapshot': z.object({
    sessionId: z.string(),
    at: z.number(),
    overview: ServerOverviewSchema,
    slots: z.array(SlotViewSchema),
    standbys: z.array(StandbyViewSchema),
    alerts: z.array(AlertSchema),
    orphans: z.array(z.string()),
    logical: LogicalSnapshotSchema.optional(),
  }),
  'lag.delta': z.object({ sessionId: z.string(), points: z.array(LagPointSchema) }),
  'stream.batch': z.object({
    sessionId: z.string(),
    streamId: z.string(),
    rows: z.array(WireRowSchema),
    dropped: z.number(),
  }),
  'stream.state': z.object({
    sessionId: z.string(),
    streamId: z.string(),
    state: z.enum(['connecting', 'streaming', 'reconnecting', 'stopped', 'failed']),
    /** While reconnecting: attempt n of at most maxAttempts, then the stream fails. */
    attempt: z.number().optional(),
    maxAttempts: z.number().optional(),
    slot: z.string().optional(),
    mode: z.enum(['inspect', 'consume']),
    error: ErrorInfoSchema.optional(),
    gap: z.object({ from: z.string(), to: z.string(), reason: z.string() }).optional(),
    /** While connecting: what a server call waits for (e.g. slot creation behind a prepared transaction). */
    waiting: z.string().optional(),
  }),
  'stream.stats': z.object({ sessionId: z.string(), streamId: z.string(), stats: StreamStatsSchema }),
  'wal.batch': z.object({ sessionId: z.string(), walId: z.string(), rows: z.array(WalRowSchema), dropped: z.number() }),
  'wal.stats': WalStatsEventSchema,
  'wal.state': z.object({
    sessionId: z.string(),
    walId: z.string(),
    state: z.enum(['streaming', 'stopped', 'failed']),
    error: ErrorInfoSchema.optional(),
    gap: z.object({ from: z.string(), to: z.string(), reason: z.string() }).optional(),
  }),
  /** Every linked direction among the window's sessions (main/sessions/logical-link.ts), after any of them polled. */
  'logical.link': z.object({ links: z.array(LinkSnapshotSchema) }),
  /** The topology of this window's servers, recomputed (coalesced) after any of them polled. */
  'topology.snapshot': TopologySnapshotSchema,
  'app.error': z.object({ sessionId: z.string().optional(), error: ErrorInfoSchema }),
} as const;

export type EventName = keyof typeof EVENTS;
export type EventPayload<K extends EventName> = z.infer<(typeof EVENTS)[K]>;
