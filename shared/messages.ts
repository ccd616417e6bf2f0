/**
 * The decoded change model: one type per logical replication message, with `type` as discriminant.
 * pgoutput, test_decoding and wal2json all decode into it (test_decoding and wal2json produce the
 * subset they can express). LSNs are bigint and times are PostgreSQL microseconds here; use
 * `messageJson` / `toWireMessage` (shared/messages-json.ts) at the edges.
 * https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html
 */
import type { Lsn } from './lsn';
import type { PgMicros } from './pgtime';

/** An unchanged TOASTed value: the server did not send it, so we do not invent it. */
export interface UnchangedToast {
  readonly unchangedToast: true;
}
export const UNCHANGED_TOAST: UnchangedToast = Object.freeze({ unchangedToast: true });

/** A value in binary format (pgoutput `binary` option), as lower-case hex. */
export interface BinaryValue {
  readonly binary: string;
}

/** SQL NULL is `null`, distinct from the empty string `''`. */
export type TupleValue = string | null | UnchangedToast | BinaryValue;

/**
 * A row image in the relation's column order: `values[i]` is the value of column `names[i]`.
 * `names` is shared by every row of a relation (pgoutput reuses the array of its Relation
 * message), so a row costs one values array and no per-row object keyed by name. An object keyed
 * by column name would lose a column named `__proto__` and move integer-like names (`"1"`) ahead
 * of the others. Helpers: shared/tuple.ts. Decision 0009.
 */
export interface Tuple {
  readonly names: readonly string[];
  readonly values: readonly TupleValue[];
}

export interface RelationColumn {
  /** pgoutput flag 1: the column is part of the replica identity key. */
  key: boolean;
  name: string;
  typeOid: number;
  typeMod: number;
}

/** Replica identity setting: d(efault), n(othing), f(ull), i(ndex). */
export type ReplicaIdentity = 'd' | 'n' | 'f' | 'i';

interface Base {
  /** WAL position of the record (the XLogData start for pgoutput/test_decoding). */
  lsn: Lsn;
  /** Transaction id where the message carries or implies one. */
  xid?: number;
}

export interface BeginMessage extends Base {
  type: 'begin';
  finalLsn: Lsn;
  commitTime: PgMicros;
  xid: number;
}
export interface CommitMessage extends Base {
  type: 'commit';
  flags: number;
  commitLsn: Lsn;
  endLsn: Lsn;
  commitTime: PgMicros;
}
export interface OriginMessage extends Base {
  type: 'origin';
  originLsn: Lsn;
  name: string;
}
export interface RelationMessage extends Base {
  type: 'relation';
  relationId: number;
  schema: string;
  table: string;
  replicaIdentity: ReplicaIdentity;
  columns: RelationColumn[];
}
export interface TypeMessage extends Base {
  type: 'type';
  typeOid: number;
  schema: string;
  name: string;
}
interface RowBase extends Base {
  /** Relation OID; 0 when the plugin does not send one (test_decoding, wal2json). */
  relationId: number;
  schema: string;
  table: string;
}
export interface InsertMessage extends RowBase {
  type: 'insert';
  new: Tuple;
}
export interface UpdateMessage extends RowBase {
  type: 'update';
  /** Whole old row (REPLICA IDENTITY FULL). */
  old?: Tuple;
  /** Old key columns (when the key changed, or REPLICA IDENTITY INDEX/DEFAULT). */
  key?: Tuple;
  new: Tuple;
}
export interface DeleteMessage extends RowBase {
  type: 'delete';
  old?: Tuple;
  key?: Tuple;
}
export interface TruncateMessage extends Base {
  type: 'truncate';
  cascade: boolean;
  restartIdentity: boolean;
  relationIds: number[];
  /** `schema.table` for each truncated relation, where known. */
  relations: string[];
}
export interface LogicalMessage extends Base {
  type: 'message';
  transactional: boolean;
  messageLsn: Lsn;
  prefix: string;
  /** Content as text when it is valid UTF-8, otherwise null (see `contentHex`). */
  content: string | null;
  contentHex: string;
}
export interface StreamStartMessage extends Base {
  type: 'stream_start';
  xid: number;
  firstSegment: boolean;
}
export interface StreamStopMessage extends Base {
  type: 'stream_stop';
}
export interface StreamCommitMessage extends Base {
  type: 'stream_commit';
  xid: number;
  flags: number;
  commitLsn: Lsn;
  endLsn: Lsn;
  commitTime: PgMicros;
}
export interface StreamAbortMessage extends Base {
  type: 'stream_abort';
  xid: number;
  subXid: number;
  /** Protocol 4 (parallel streaming) only. */
  abortLsn?: Lsn;
  abortTime?: PgMicros;
}
interface PrepareBase extends Base {
  xid: number;
  gid: string;
}
export interface BeginPrepareMessage extends PrepareBase {
  type: 'begin_prepare';
  prepareLsn: Lsn;
  endLsn: Lsn;
  prepareTime: PgMicros;
}
export interface PrepareMessage extends PrepareBase {
  type: 'prepare';
  flags: number;
  prepareLsn: Lsn;
  endLsn: Lsn;
  prepareTime: PgMicros;
}
export interface CommitPreparedMessage extends PrepareBase {
  type: 'commit_prepared';
  flags: number;
  commitLsn: Lsn;
  endLsn: Lsn;
  commitTime: PgMicros;
}
export interface RollbackPreparedMessage extends PrepareBase {
  type: 'rollback_prepared';
  flags: number;
  prepareEndLsn: Lsn;
  rollbackEndLsn: Lsn;
  prepareTime: PgMicros;
  rollbackTime: PgMicros;
}
export interface StreamPrepareMessage extends PrepareBase {
  type: 'stream_prepare';
  flags: number;
  prepareLsn: Lsn;
  endLsn: Lsn;
  prepareTime: PgMicros;
}
/** wal2json output passed through as parsed JSON (wal2json's own shape). */
export interface JsonMessage extends Base {
  type: 'json';
  plugin: string;
  /** The plugin's JSON, parsed (numbers beyond 2^53 lose precision here; `text` keeps them). */
  data: unknown;
  /** The plugin's JSON text exactly as sent; the NDJSON and wire forms carry this as `data`. */
  text: string;
  /**
   * Set when this document ends a transaction (a whole format-version 1 transaction, or a
   * format-version 2 "C" action): the server wrote it at the end of the commit record, which is
   * the position to resume from and, in consume mode, to confirm.
   */
  endLsn?: Lsn;
}

export type DecodedMessage =
  | BeginMessage
  | CommitMessage
  | OriginMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | LogicalMessage
  | StreamStartMessage
  | StreamStopMessage
  | StreamCommitMessage
  | StreamAbortMessage
  | BeginPrepareMessage
  | PrepareMessage
  | CommitPreparedMessage
  | RollbackPreparedMessage
  | StreamPrepareMessage
  | JsonMessage;

/**
 * Every message type, once: the union above must list exactly these (checked below), and every
 * list of types elsewhere (the stream view's operation filter, the wire schemas) derives from it.
 */
export const MESSAGE_TYPES = [
  'begin',
  'commit',
  'origin',
  'relation',
  'type',
  'insert',
  'update',
  'delete',
  'truncate',
  'message',
  'stream_start',
  'stream_stop',
  'stream_commit',
  'stream_abort',
  'begin_prepare',
  'prepare',
  'commit_prepared',
  'rollback_prepared',
  'stream_prepare',
  'json',
] as const;

export type MessageType = (typeof MESSAGE_TYPES)[number];

// Compile-time: a type added to the union but not to MESSAGE_TYPES (or the reverse) fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _everyTypeListed: Same<DecodedMessage['type'], MessageType> = true;
void _everyTypeListed;
