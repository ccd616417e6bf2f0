/**
 * A decoded WAL record at the edges (CLI NDJSON, IPC, WebSocket): LSNs as "X/X" text, the names
 * the server itself uses for resource managers and record types (pg_waldump, pg_walinspect).
 */
export const WAL_FORKS = ['main', 'fsm', 'vm', 'init'] as const;
export type WalFork = (typeof WAL_FORKS)[number];

export interface WalBlockJson {
  id: number;
  tablespace: number;
  database: number;
  relfilenode: number;
  fork: WalFork;
  block: number;
  /** Bytes of this block's full-page image; 0 when it has none. */
  fpi: number;
  /** Bytes of the resource manager's data for this block. */
  dataLength: number;
  /** Image details when `fpi` > 0: the hole left out and the compression used. */
  holeOffset?: number;
  holeLength?: number;
  compression?: 'pglz' | 'lz4' | 'zstd';
  /** schema.table when the relation could be resolved in the connected database. */
  relation?: string;
}

export interface WalRecordJson {
  lsn: string;
  endLsn: string;
  prevLsn: string;
  /** 0 when the record belongs to no transaction. */
  xid: number;
  rmgr: string;
  recordType: string;
  /** The record's total length (xl_tot_len). */
  recordLength: number;
  mainDataLength: number;
  /** Sum of the record's full-page-image bytes. */
  fpiLength: number;
  blocks: WalBlockJson[];
  /** The first block's relation as schema.table, when known. */
  relation?: string;
  description?: string;
  /** Replication origin id, when the record carries one. */
  origin?: number;
  /** Top-level transaction of a subtransaction's record (PostgreSQL 14+, wal_level logical). */
  toplevelXid?: number;
}
