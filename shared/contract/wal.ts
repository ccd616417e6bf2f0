/**
 * The live WAL part of the contract: rows for the record list, the per-second stats the WAL tab
 * draws, and one record's detail. Types derive from these schemas (one source of truth).
 */
import { z } from 'zod';
import { WAL_FORKS } from '../wal';

export const WalBlockSchema = z.object({
  id: z.number(),
  tablespace: z.number(),
  database: z.number(),
  relfilenode: z.number(),
  fork: z.enum(WAL_FORKS),
  block: z.number(),
  fpi: z.number(),
  dataLength: z.number(),
  holeOffset: z.number().optional(),
  holeLength: z.number().optional(),
  compression: z.enum(['pglz', 'lz4', 'zstd']).optional(),
  relation: z.string().optional(),
});

export const WalRecordSchema = z.object({
  lsn: z.string(),
  endLsn: z.string(),
  prevLsn: z.string(),
  xid: z.number(),
  rmgr: z.string(),
  recordType: z.string(),
  recordLength: z.number(),
  mainDataLength: z.number(),
  fpiLength: z.number(),
  blocks: z.array(WalBlockSchema),
  relation: z.string().optional(),
  description: z.string().optional(),
  origin: z.number().optional(),
  toplevelXid: z.number().optional(),
});

/** One line of the record list; the full record is fetched with `wal.record`. */
export const WalRowSchema = z.object({
  seq: z.number(),
  lsn: z.string(),
  rmgr: z.string(),
  recordType: z.string(),
  length: z.number(),
  fpi: z.number(),
  xid: z.number(),
  /** schema.table, or tablespace/database/relfilenode when it could not be named; '' without blocks. */
  relation: z.string(),
  description: z.string(),
});
export type WalRow = z.infer<typeof WalRowSchema>;

const TypeStatsSchema = z.object({
  rmgr: z.string(),
  recordType: z.string(),
  count: z.number(),
  recordBytes: z.number(),
  fpiBytes: z.number(),
  combinedBytes: z.number(),
});
const TopSchema = z.object({ key: z.string(), records: z.number(), bytes: z.number(), fpiBytes: z.number() });

export const WalWindowSchema = z.object({
  seconds: z.number(),
  records: z.number(),
  bytes: z.number(),
  fpiBytes: z.number(),
  fpiRecords: z.number(),
  byRecordType: z.array(TypeStatsSchema),
  byRmgr: z.array(TypeStatsSchema),
  topRelations: z.array(TopSchema),
  topTransactions: z.array(TopSchema),
  checkpoints: z.array(z.object({ lsn: z.string(), recordType: z.string() })),
  segmentSwitches: z.array(z.string()),
});
export type WalWindow = z.infer<typeof WalWindowSchema>;

/** One second of WAL: the rate chart's point, with checkpoints and switches seen in it. */
export const WalSecondSchema = z.object({
  at: z.number(),
  bytes: z.number(),
  records: z.number(),
  fpiBytes: z.number(),
  checkpoints: z.number(),
  switches: z.number(),
});
export type WalSecond = z.infer<typeof WalSecondSchema>;

export const WalStatsEventSchema = z.object({
  sessionId: z.string(),
  walId: z.string(),
  second: WalSecondSchema,
  window: WalWindowSchema,
  decodedLsn: z.string(),
  serverLsn: z.string().nullable(),
  /** Bytes the server has that the decoder has not reached: how far behind the view is. */
  behindBytes: z.number(),
  droppedInView: z.number(),
});
export const WAL_WINDOWS = [10, 60, 300, 900] as const;
