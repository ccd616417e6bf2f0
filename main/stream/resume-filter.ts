import type { Lsn } from '../../shared/lsn';
import type { DecodedMessage, RelationMessage, TypeMessage } from '../../shared/messages';
import { unreachable } from '../../shared/unreachable';

/**
 * De-duplication across reconnects, so downstream sees each change exactly once.
 *
 * After a reconnect the server re-sends, in full, any transaction that was cut mid-way (output is
 * produced at commit time and is deterministic for a given slot and options), and re-announces
 * every Relation. A transaction is identified by (xid, final LSN) for ordinary transactions and by
 * xid for streamed in-progress ones; inside it, messages are counted, and a message is handed on
 * only if its ordinal is past what an earlier connection already handed on. Counting ordinals,
 * not comparing LSNs, is deliberate: one WAL record (e.g. a multi-insert) can yield several changes
 * with the same LSN.
 *
 * Structure messages are not counted: Relation/Type are handed on only when they differ from what
 * downstream last saw for that OID, and a Stream Start is held back until something inside its
 * block is handed on (a replayed block with nothing new produces no empty Start/Stop pair).
 */
type Of<T extends DecodedMessage['type']> = Extract<DecodedMessage, { type: T }>;

/** Receives each message the filter lets through. */
export type Hand = (m: DecodedMessage) => void;

interface TxnProgress {
  key: string;
  seen: number;
  handed: number;
}

export class ResumeFilter {
  private txn: TxnProgress | undefined;
  private readonly streamed = new Map<number, TxnProgress>();
  private streamBlockXid: number | undefined;
  private pendingStreamStart: DecodedMessage | undefined;
  private streamStartHanded = false;
  private readonly relations = new Map<number, string>();
  private readonly types = new Map<number, string>();
  private lastNonTxMessageLsn: Lsn = -1n;

  /** Call when a new connection starts streaming: ordinals restart, what was handed on stays. */
  reconnected(): void {
    if (this.txn) this.txn.seen = 0;
    for (const p of this.streamed.values()) p.seen = 0;
    this.streamBlockXid = undefined;
    this.pendingStreamStart = undefined;
    this.streamStartHanded = false;
  }

  /** Forget transactions that cannot come back (a new slot starts elsewhere): reported as a gap. */
  discardOpen(): void {
    this.txn = undefined;
    this.streamed.clear();
    this.reconnected();
  }

  /** True when a transaction (ordinary) is open downstream. */
  get inTransaction(): boolean {
    return this.txn !== undefined;
  }

  /** True between Stream Start and Stream Stop (a block of a streamed in-progress transaction). */
  get inStreamBlock(): boolean {
    return this.streamBlockXid !== undefined;
  }

  /**
   * Hands on what `m` lets through, in order, to `hand`: nothing, `m`, or a held-back Stream Start
   * followed by `m`. A callback rather than a returned list: this runs once per row change, and
   * the list was an allocation per row.
   */
  accept(m: DecodedMessage, hand: Hand): void {
    switch (m.type) {
      case 'relation':
        return this.announce(this.relations, m.relationId, relationSignature(m), m, hand);
      case 'type':
        return this.announce(this.types, m.typeOid, typeSignature(m), m, hand);
      case 'begin':
      case 'begin_prepare':
        return this.begin(m, hand);
      case 'commit':
      case 'prepare': {
        // The transaction ends before the message is handed on, as it did when the filter
        // returned a list: a sink that throws on it leaves no transaction open.
        const txn = this.txn;
        this.txn = undefined;
        if (txn) this.count(txn, m, hand);
        else hand(m);
        return;
      }
      case 'stream_start':
        return this.streamStart(m);
      case 'stream_stop':
        return this.streamStop(m, hand);
      case 'stream_commit':
      case 'stream_prepare':
      case 'stream_abort':
        return this.streamEnd(m, hand);
      case 'message':
        return this.logicalMessage(m, hand);
      case 'origin':
      case 'insert':
      case 'update':
      case 'delete':
      case 'truncate':
      case 'commit_prepared':
      case 'rollback_prepared':
      case 'json':
        return this.inCurrent(m, hand);
      default:
        return unreachable(m, 'message type');
    }
  }

  private begin(m: Of<'begin' | 'begin_prepare'>, hand: Hand): void {
    const key = `${m.xid}@${m.type === 'begin' ? m.finalLsn : m.prepareLsn}`;
    if (!this.txn || this.txn.key !== key) this.txn = { key, seen: 0, handed: 0 };
    this.count(this.txn, m, hand);
  }

  /** Held back until something inside the block is handed on (see count()). */
  private streamStart(m: Of<'stream_start'>): void {
    this.streamBlockXid = m.xid;
    if (!this.streamed.has(m.xid)) this.streamed.set(m.xid, { key: String(m.xid), seen: 0, handed: 0 });
    this.pendingStreamStart = m;
    this.streamStartHanded = false;
  }

  private streamStop(m: Of<'stream_stop'>, hand: Hand): void {
    const handed = this.streamStartHanded;
    this.streamBlockXid = undefined;
    this.pendingStreamStart = undefined;
    this.streamStartHanded = false;
    if (handed) hand(m);
  }

  private streamEnd(m: Of<'stream_commit' | 'stream_prepare' | 'stream_abort'>, hand: Hand): void {
    const p = this.streamed.get(m.xid);
    const isTopLevelEnd = m.type !== 'stream_abort' || m.subXid === m.xid;
    if (p) this.count(p, m, hand);
    else hand(m);
    if (isTopLevelEnd) this.streamed.delete(m.xid);
  }

  /** A non-transactional message outside any transaction is identified by its LSN alone. */
  private logicalMessage(m: Of<'message'>, hand: Hand): void {
    if (!m.transactional && !this.txn && this.streamBlockXid === undefined) {
      if (m.lsn <= this.lastNonTxMessageLsn) return;
      this.lastNonTxMessageLsn = m.lsn;
      hand(m);
      return;
    }
    this.inCurrent(m, hand);
  }

  private inCurrent(m: DecodedMessage, hand: Hand): void {
    if (this.streamBlockXid !== undefined) {
      const p = this.streamed.get(this.streamBlockXid);
      if (p) return this.count(p, m, hand);
    }
    if (this.txn) return this.count(this.txn, m, hand);
    hand(m);
  }

  private count(p: TxnProgress, m: DecodedMessage, hand: Hand): void {
    const ordinal = p.seen++;
    if (ordinal < p.handed) return;
    p.handed = ordinal + 1;
    if (this.pendingStreamStart && this.streamBlockXid !== undefined && p === this.streamed.get(this.streamBlockXid)) {
      const start = this.pendingStreamStart;
      this.pendingStreamStart = undefined;
      this.streamStartHanded = true;
      hand(start);
    }
    hand(m);
  }

  private announce(seen: Map<number, string>, id: number, signature: string, m: DecodedMessage, hand: Hand): void {
    if (seen.get(id) === signature) return;
    seen.set(id, signature);
    hand(m);
  }
}

function relationSignature(m: RelationMessage): string {
  const cols = m.columns.map((c) => `${c.key ? 1 : 0}:${c.name}:${c.typeOid}:${c.typeMod}`).join(',');
  return `${m.schema}.${m.table}|${m.replicaIdentity}|${cols}`;
}

function typeSignature(m: TypeMessage): string {
  return `${m.schema}.${m.name}`;
}
