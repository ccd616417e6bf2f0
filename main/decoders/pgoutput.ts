import { isUtf8 } from 'node:buffer';
import type { Lsn } from '../../shared/lsn';
import type {
  DecodedMessage,
  DeleteMessage,
  RelationColumn,
  ReplicaIdentity,
  Tuple,
  UpdateMessage,
} from '../../shared/messages';
import { ByteReader } from '../protocol/byte-reader';
import type { Decoder } from './decoder';
import { cachedRelation, readTuple, scanTuple, type CachedRelation } from './pgoutput-tuple';

/**
 * pgoutput, protocol versions 1–4. One method per message; the relation cache lives per stream
 * (the server announces each relation before its first change and again after a reconnect).
 * Inside a Stream Start…Stop block (protocol 2+), Relation/Type/Insert/Update/Delete/Truncate/
 * Message carry the transaction's xid first.
 * https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html
 */
const enum Tag {
  Begin = 0x42, // 'B'
  Commit = 0x43, // 'C'
  Origin = 0x4f, // 'O'
  Relation = 0x52, // 'R'
  Type = 0x59, // 'Y'
  Insert = 0x49, // 'I'
  Update = 0x55, // 'U'
  Delete = 0x44, // 'D'
  Truncate = 0x54, // 'T'
  Message = 0x4d, // 'M'
  StreamStart = 0x53, // 'S'
  StreamStop = 0x45, // 'E'
  StreamCommit = 0x63, // 'c'
  StreamAbort = 0x41, // 'A'
  BeginPrepare = 0x62, // 'b'
  Prepare = 0x50, // 'P'
  CommitPrepared = 0x4b, // 'K'
  RollbackPrepared = 0x72, // 'r'
  StreamPrepare = 0x70, // 'p'
}

const KEY = 0x4b; // 'K'
/** Bytes per slab of copied row messages (lazy row images). */
const SLAB = 128 * 1024;
const OLD = 0x4f; // 'O'
const NEW = 0x4e; // 'N'

const IDENTITIES: Record<number, ReplicaIdentity> = { 0x64: 'd', 0x6e: 'n', 0x66: 'f', 0x69: 'i' };

export class PgoutputDecoder implements Decoder {
  readonly plugin = 'pgoutput';
  private readonly relations = new Map<number, CachedRelation>();
  private txnXid: number | undefined;
  private slab = Buffer.alloc(0);
  private slabPos = 0;
  /** Where the message being decoded starts in `slab`. */
  private slabBase = 0;
  private streamXid: number | undefined;

  /**
   * `lazyRows`: row images are WireTuples (checked bytes, values made on first read) instead of
   * decoded value arrays, for consumers that mostly write them out as JSON (the CLI, the view).
   */
  constructor(
    readonly protoVersion: number,
    private readonly lazyRows = false,
  ) {}

  reset(): void {
    this.relations.clear();
    this.txnXid = undefined;
    this.streamXid = undefined;
  }

  decode(data: Buffer, lsn: Lsn): DecodedMessage {
    const first = data[0];
    // A lazy row image outlives this call, so it keeps its own copy of the bytes.
    if (this.lazyRows && (first === Tag.Insert || first === Tag.Update || first === Tag.Delete)) this.copyToSlab(data);
    const r = new ByteReader(data, 'pgoutput', lsn);
    const tag = r.u8('message type');
    // One method per message, as the protocol documents them:
    // https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html
    switch (tag) {
      case Tag.Begin:
        return this.begin(r, lsn);
      case Tag.Commit:
        return this.commit(r, lsn);
      case Tag.Origin:
        return this.origin(r, lsn);
      case Tag.Relation:
        return this.relation(r, lsn);
      case Tag.Type:
        return this.type(r, lsn);
      case Tag.Insert:
        return this.insert(r, lsn);
      case Tag.Update:
        return this.update(r, lsn);
      case Tag.Delete:
        return this.delete(r, lsn);
      case Tag.Truncate:
        return this.truncate(r, lsn);
      case Tag.Message:
        return this.message(r, lsn);
      case Tag.StreamStart:
        return this.streamStart(r, lsn);
      case Tag.StreamStop:
        return this.streamStop(r, lsn);
      case Tag.StreamCommit:
        return this.streamCommit(r, lsn);
      case Tag.StreamAbort:
        return this.streamAbort(r, lsn);
      case Tag.BeginPrepare:
        return this.beginPrepare(r, lsn);
      case Tag.Prepare:
        return this.prepare(r, lsn, 'prepare');
      case Tag.StreamPrepare:
        return this.prepare(r, lsn, 'stream_prepare');
      case Tag.CommitPrepared:
        return this.commitPrepared(r, lsn);
      case Tag.RollbackPrepared:
        return this.rollbackPrepared(r, lsn);
      default:
        return r.fail('message type', `unknown pgoutput message 0x${tag.toString(16).padStart(2, '0')}`, 0);
    }
  }

  private begin(r: ByteReader, lsn: Lsn): DecodedMessage {
    const finalLsn = r.u64('Begin final LSN');
    const commitTime = r.i64('Begin commit time');
    const xid = r.u32('Begin xid');
    this.txnXid = xid;
    return { type: 'begin', lsn, finalLsn, commitTime, xid };
  }

  private commit(r: ByteReader, lsn: Lsn): DecodedMessage {
    const m = {
      type: 'commit' as const,
      lsn,
      flags: r.u8('Commit flags'),
      commitLsn: r.u64('Commit LSN'),
      endLsn: r.u64('Commit end LSN'),
      commitTime: r.i64('Commit time'),
      ...this.xidField(undefined),
    };
    this.txnXid = undefined;
    return m;
  }

  private origin(r: ByteReader, lsn: Lsn): DecodedMessage {
    return {
      type: 'origin',
      lsn,
      originLsn: r.u64('Origin LSN'),
      name: r.cstring('Origin name'),
      ...this.xidField(undefined),
    };
  }

  private type(r: ByteReader, lsn: Lsn): DecodedMessage {
    const xid = this.streamedXid(r);
    const typeOid = r.u32('Type OID');
    const schema = namespace(r.cstring('Type namespace'));
    return { type: 'type', lsn, typeOid, schema, name: r.cstring('Type name'), ...this.xidField(xid) };
  }

  private insert(r: ByteReader, lsn: Lsn): DecodedMessage {
    const xid = this.streamedXid(r);
    const rel = this.rel(r);
    if (r.u8('Insert tuple marker') !== NEW) r.fail('Insert tuple marker', "expected 'N'", r.offset - 1);
    const tx = this.currentXid(xid);
    const image = this.tuple(r, rel);
    // Literals, not spreads: this runs once per row (the key order is the NDJSON order).
    return tx === undefined
      ? { type: 'insert', lsn, relationId: rel.relationId, schema: rel.schema, table: rel.table, new: image }
      : { type: 'insert', lsn, xid: tx, relationId: rel.relationId, schema: rel.schema, table: rel.table, new: image };
  }

  private update(r: ByteReader, lsn: Lsn): DecodedMessage {
    const xid = this.streamedXid(r);
    const rel = this.rel(r);
    let marker = r.u8('Update tuple marker');
    let old: Tuple | undefined;
    let key: Tuple | undefined;
    if (marker === KEY) key = this.tuple(r, rel);
    else if (marker === OLD) old = this.tuple(r, rel);
    if (marker === KEY || marker === OLD) marker = r.u8('Update new tuple marker');
    if (marker !== NEW) r.fail('Update tuple marker', "expected 'K', 'O' or 'N'", r.offset - 1);
    const tx = this.currentXid(xid);
    const image = this.tuple(r, rel);
    const m: UpdateMessage =
      tx === undefined
        ? { type: 'update', lsn, relationId: rel.relationId, schema: rel.schema, table: rel.table, new: image }
        : {
            type: 'update',
            lsn,
            xid: tx,
            relationId: rel.relationId,
            schema: rel.schema,
            table: rel.table,
            new: image,
          };
    if (old) m.old = old;
    if (key) m.key = key;
    return m;
  }

  private delete(r: ByteReader, lsn: Lsn): DecodedMessage {
    const xid = this.streamedXid(r);
    const rel = this.rel(r);
    const marker = r.u8('Delete tuple marker');
    if (marker !== KEY && marker !== OLD) r.fail('Delete tuple marker', "expected 'K' or 'O'", r.offset - 1);
    const tx = this.currentXid(xid);
    const image = this.tuple(r, rel);
    const m: DeleteMessage =
      tx === undefined
        ? { type: 'delete', lsn, relationId: rel.relationId, schema: rel.schema, table: rel.table }
        : { type: 'delete', lsn, xid: tx, relationId: rel.relationId, schema: rel.schema, table: rel.table };
    if (marker === KEY) m.key = image;
    else m.old = image;
    return m;
  }

  private message(r: ByteReader, lsn: Lsn): DecodedMessage {
    const xid = this.streamedXid(r);
    const flags = r.u8('Message flags');
    const messageLsn = r.u64('Message LSN');
    const prefix = r.cstring('Message prefix');
    const content = r.bytes(r.i32('Message content length'), 'Message content');
    return {
      type: 'message',
      lsn,
      ...this.xidField(xid),
      transactional: (flags & 1) === 1,
      messageLsn,
      prefix,
      content: isUtf8(content) ? content.toString('utf8') : null,
      contentHex: content.toString('hex'),
    };
  }

  private streamStart(r: ByteReader, lsn: Lsn): DecodedMessage {
    if (this.streamXid !== undefined)
      r.fail('message type', `Stream Start while the block for xid ${this.streamXid} is still open`, 0);
    const xid = r.u32('Stream Start xid');
    const first = r.u8('Stream Start first segment');
    this.streamXid = xid;
    return { type: 'stream_start', lsn, xid, firstSegment: first === 1 };
  }

  private streamStop(r: ByteReader, lsn: Lsn): DecodedMessage {
    if (this.streamXid === undefined) r.fail('message type', 'Stream Stop without an open stream block', 0);
    this.streamXid = undefined;
    return { type: 'stream_stop', lsn };
  }

  private streamCommit(r: ByteReader, lsn: Lsn): DecodedMessage {
    return {
      type: 'stream_commit',
      lsn,
      xid: r.u32('Stream Commit xid'),
      flags: r.u8('Stream Commit flags'),
      commitLsn: r.u64('Stream Commit LSN'),
      endLsn: r.u64('Stream Commit end LSN'),
      commitTime: r.i64('Stream Commit time'),
    };
  }

  private streamAbort(r: ByteReader, lsn: Lsn): DecodedMessage {
    const xid = r.u32('Stream Abort xid');
    const subXid = r.u32('Stream Abort subtransaction xid');
    // Protocol 4 with parallel streaming adds the abort LSN and time.
    if (this.protoVersion >= 4 && r.remaining >= 16) {
      return {
        type: 'stream_abort',
        lsn,
        xid,
        subXid,
        abortLsn: r.u64('Stream Abort LSN'),
        abortTime: r.i64('Stream Abort time'),
      };
    }
    return { type: 'stream_abort', lsn, xid, subXid };
  }

  private beginPrepare(r: ByteReader, lsn: Lsn): DecodedMessage {
    const prepareLsn = r.u64('Begin Prepare LSN');
    const endLsn = r.u64('Begin Prepare end LSN');
    const prepareTime = r.i64('Begin Prepare time');
    const xid = r.u32('Begin Prepare xid');
    this.txnXid = xid;
    return { type: 'begin_prepare', lsn, prepareLsn, endLsn, prepareTime, xid, gid: r.cstring('Begin Prepare gid') };
  }

  /** Prepare and Stream Prepare share one layout. */
  private prepare(r: ByteReader, lsn: Lsn, type: 'prepare' | 'stream_prepare'): DecodedMessage {
    const name = type === 'prepare' ? 'Prepare' : 'Stream Prepare';
    const flags = r.u8(`${name} flags`);
    const prepareLsn = r.u64(`${name} LSN`);
    const endLsn = r.u64(`${name} end LSN`);
    const prepareTime = r.i64(`${name} time`);
    const xid = r.u32(`${name} xid`);
    const gid = r.cstring(`${name} gid`);
    if (type === 'prepare') this.txnXid = undefined;
    return { type, lsn, flags, prepareLsn, endLsn, prepareTime, xid, gid };
  }

  private commitPrepared(r: ByteReader, lsn: Lsn): DecodedMessage {
    return {
      type: 'commit_prepared',
      lsn,
      flags: r.u8('Commit Prepared flags'),
      commitLsn: r.u64('Commit Prepared LSN'),
      endLsn: r.u64('Commit Prepared end LSN'),
      commitTime: r.i64('Commit Prepared time'),
      xid: r.u32('Commit Prepared xid'),
      gid: r.cstring('Commit Prepared gid'),
    };
  }

  private rollbackPrepared(r: ByteReader, lsn: Lsn): DecodedMessage {
    return {
      type: 'rollback_prepared',
      lsn,
      flags: r.u8('Rollback Prepared flags'),
      prepareEndLsn: r.u64('Rollback Prepared prepare end LSN'),
      rollbackEndLsn: r.u64('Rollback Prepared end LSN'),
      prepareTime: r.i64('Rollback Prepared prepare time'),
      rollbackTime: r.i64('Rollback Prepared time'),
      xid: r.u32('Rollback Prepared xid'),
      gid: r.cstring('Rollback Prepared gid'),
    };
  }

  private tuple(r: ByteReader, rel: CachedRelation): Tuple {
    return this.lazyRows ? scanTuple(r, rel, this.slab, this.slabBase) : readTuple(r, rel);
  }

  /**
   * Copies a row message into the current slab (one allocation per SLAB bytes, not per row);
   * its row images point there. A slab lives as long as any row image that points into it.
   */
  private copyToSlab(data: Buffer): void {
    const n = data.length;
    if (this.slabPos + n > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB, n));
      this.slabPos = 0;
    }
    this.slab.set(data, this.slabPos);
    this.slabBase = this.slabPos;
    this.slabPos += n;
  }

  /** Messages inside a stream block start with the (sub)transaction's xid. */
  private streamedXid(r: ByteReader): number | undefined {
    return this.streamXid !== undefined && this.protoVersion >= 2 ? r.u32('streamed xid') : undefined;
  }

  private currentXid(streamed: number | undefined): number | undefined {
    return streamed ?? this.streamXid ?? this.txnXid;
  }

  private xidField(streamed: number | undefined): { xid?: number } {
    const xid = this.currentXid(streamed);
    return xid !== undefined ? { xid } : {};
  }

  private rel(r: ByteReader): CachedRelation {
    const id = r.u32('relation OID');
    const rel = this.relations.get(id);
    if (!rel) r.fail('relation OID', `relation ${id} was never announced by a Relation message`, r.offset - 4);
    return rel;
  }

  private relation(r: ByteReader, lsn: Lsn): DecodedMessage {
    const xid = this.streamedXid(r);
    const relationId = r.u32('Relation OID');
    const schema = namespace(r.cstring('Relation namespace'));
    const table = r.cstring('Relation name');
    const identityByte = r.u8('Relation replica identity');
    const replicaIdentity = IDENTITIES[identityByte];
    if (!replicaIdentity)
      r.fail('Relation replica identity', `unknown setting 0x${identityByte.toString(16)}`, r.offset - 1);
    const count = r.i16('Relation column count');
    if (count < 0) r.fail('Relation column count', `negative count ${count}`, r.offset - 2);
    const columns: RelationColumn[] = [];
    for (let i = 0; i < count; i++) {
      const flags = r.u8('Relation column flags');
      columns.push({
        key: (flags & 1) === 1,
        name: r.cstring('Relation column name'),
        typeOid: r.u32('Relation column type'),
        typeMod: r.i32('Relation column typmod'),
      });
    }
    this.relations.set(
      relationId,
      cachedRelation(
        relationId,
        schema,
        table,
        columns.map((c) => c.name),
      ),
    );
    return { type: 'relation', lsn, relationId, schema, table, replicaIdentity, columns, ...this.xidField(xid) };
  }

  private truncate(r: ByteReader, lsn: Lsn): DecodedMessage {
    const xid = this.streamedXid(r);
    const n = r.i32('Truncate relation count');
    if (n < 0 || n > r.remaining) r.fail('Truncate relation count', `impossible count ${n}`, r.offset - 4);
    const options = r.u8('Truncate options');
    const relationIds: number[] = [];
    const relations: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = r.u32('Truncate relation OID');
      relationIds.push(id);
      const rel = this.relations.get(id);
      if (!rel)
        r.fail('Truncate relation OID', `relation ${id} was never announced by a Relation message`, r.offset - 4);
      relations.push(`${rel.schema}.${rel.table}`);
    }
    return {
      type: 'truncate',
      lsn,
      ...this.xidField(xid),
      cascade: (options & 1) === 1,
      restartIdentity: (options & 2) === 2,
      relationIds,
      relations,
    };
  }
}

/** pgoutput sends an empty namespace for pg_catalog. */
function namespace(ns: string): string {
  return ns === '' ? 'pg_catalog' : ns;
}
