/**
 * What each supported PostgreSQL major has, written down from the release notes and the docs of
 * that version, not computed from a version threshold: the per-version tests compare the engine's
 * own version checks against this table, so a wrong threshold in main/ shows up as a failure.
 * https://www.postgresql.org/docs/release/ · view-pg-replication-slots.html · protocol-replication.html
 */
export interface VersionFacts {
  /** Every column of pg_replication_slots. */
  slotColumns: string[];
  /** pg_stat_replication_slots exists (14). */
  slotStats: boolean;
  /** The highest pgoutput proto_version: 2 in 14 (streaming), 3 in 15 (two-phase), 4 in 16 (parallel). */
  pgoutputProto: number;
  /** pgoutput streams in-progress transactions (`streaming`, 14) and sends logical messages (`messages`, 14). */
  pgoutputStreamsAndMessages: boolean;
  /** logical_decoding_work_mem exists (13); before it, 12 has no knob to force spilling or streaming. */
  logicalDecodingWorkMem: boolean;
  /** How a two-phase slot is made: CREATE_REPLICATION_SLOT … TWO_PHASE (15), the SQL function (14), or not at all. */
  twoPhase: 'command' | 'function' | 'none';
  /** FAILOVER slots (17). */
  failover: boolean;
  /** READ_REPLICATION_SLOT (15). */
  readReplicationSlot: boolean;
  /** CREATE_REPLICATION_SLOT takes a parenthesized option list (15); before, bare keywords. */
  optionList: boolean;
}

const COLUMNS_12 = [
  'slot_name',
  'plugin',
  'slot_type',
  'datoid',
  'database',
  'temporary',
  'active',
  'active_pid',
  'xmin',
  'catalog_xmin',
  'restart_lsn',
  'confirmed_flush_lsn',
];
const COLUMNS_13 = [...COLUMNS_12, 'wal_status', 'safe_wal_size'];
const COLUMNS_14 = [...COLUMNS_13, 'two_phase'];
const COLUMNS_16 = [...COLUMNS_14, 'conflicting'];
const COLUMNS_17 = [...COLUMNS_14, 'inactive_since', 'conflicting', 'invalidation_reason', 'failover', 'synced'];
const COLUMNS_18 = [...COLUMNS_17, 'two_phase_at'];

const OLD = { slotStats: false, pgoutputProto: 1, pgoutputStreamsAndMessages: false, twoPhase: 'none' } as const;
const PRE_15 = { failover: false, readReplicationSlot: false, optionList: false } as const;
const FROM_15 = { twoPhase: 'command', readReplicationSlot: true, optionList: true } as const;

export const FACTS: Record<number, VersionFacts> = {
  12: { ...OLD, ...PRE_15, slotColumns: COLUMNS_12, logicalDecodingWorkMem: false },
  13: { ...OLD, ...PRE_15, slotColumns: COLUMNS_13, logicalDecodingWorkMem: true },
  14: {
    ...PRE_15,
    slotColumns: COLUMNS_14,
    slotStats: true,
    pgoutputProto: 2,
    pgoutputStreamsAndMessages: true,
    logicalDecodingWorkMem: true,
    twoPhase: 'function',
  },
  15: { ...FROM_15, ...facts15on(COLUMNS_14, 3), failover: false },
  16: { ...FROM_15, ...facts15on(COLUMNS_16, 4), failover: false },
  17: { ...FROM_15, ...facts15on(COLUMNS_17, 4), failover: true },
  18: { ...FROM_15, ...facts15on(COLUMNS_18, 4), failover: true },
};

function facts15on(slotColumns: string[], pgoutputProto: number) {
  return {
    slotColumns,
    pgoutputProto,
    slotStats: true,
    pgoutputStreamsAndMessages: true,
    logicalDecodingWorkMem: true,
  };
}

/** The columns the monitor adds from pg_stat_replication_slots (14+), prefixed so they cannot clash. */
export const STATS_COLUMNS = [
  'stats_spill_txns',
  'stats_spill_count',
  'stats_spill_bytes',
  'stats_stream_txns',
  'stats_stream_count',
  'stats_stream_bytes',
  'stats_total_txns',
  'stats_total_bytes',
];
