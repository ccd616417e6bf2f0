import { UNCHANGED_TOAST, type Tuple, type TupleValue } from '../../shared/messages';
import { ByteReader } from '../protocol/byte-reader';

export interface CachedRelation {
  relationId: number;
  schema: string;
  table: string;
  /** Column names in relation order, shared by every tuple of the relation (no per-row copy). */
  names: readonly string[];
  /** Prepared once for the byte writer (main/output): `"name":` per column, UTF-8. */
  keyBytes: readonly Buffer[];
  /** Prepared once: `,"relationId":n,"schema":"…","table":"…"`, UTF-8. */
  namesBytes: Buffer;
}

export function cachedRelation(relationId: number, schema: string, table: string, names: string[]): CachedRelation {
  return {
    relationId,
    schema,
    table,
    names,
    keyBytes: names.map((n) => Buffer.from(`${JSON.stringify(n)}:`)),
    namesBytes: Buffer.from(
      `,"relationId":${relationId},"schema":${JSON.stringify(schema)},"table":${JSON.stringify(table)}`,
    ),
  };
}

export const NULL = 0x6e; // 'n'
export const TOAST = 0x75; // 'u'
export const TEXT = 0x74; // 't'
export const BINARY = 0x62; // 'b'

function checkCount(r: ByteReader, rel: CachedRelation): number {
  const count = r.i16('TupleData column count');
  if (count !== rel.names.length) {
    r.fail(
      'TupleData column count',
      `${count} columns, but relation ${rel.schema}.${rel.table} (OID ${rel.relationId}) has ${rel.names.length}`,
      r.offset - 2,
    );
  }
  return count;
}

/**
 * TupleData: Int16 column count, then per column 'n' (NULL), 'u' (unchanged TOAST: not sent, so
 * not invented), 't' (Int32 length + text) or 'b' (Int32 length + binary).
 * https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html#PROTOCOL-LOGICALREP-MESSAGE-FORMATS-TUPLEDATA
 */
export function readTuple(r: ByteReader, rel: CachedRelation): Tuple {
  const count = checkCount(r, rel);
  const values: TupleValue[] = [];
  for (let i = 0; i < count; i++) {
    const kind = r.u8('TupleData column kind');
    let value: TupleValue;
    if (kind === TEXT) value = r.text(r.i32('TupleData value length'), 'TupleData text value');
    else if (kind === NULL) value = null;
    else if (kind === TOAST) value = UNCHANGED_TOAST;
    else if (kind === BINARY)
      value = { binary: r.bytes(r.i32('TupleData value length'), 'TupleData binary value').toString('hex') };
    else r.fail('TupleData column kind', `unknown kind 0x${kind.toString(16)}`, r.offset - 1);
    values.push(value);
  }
  return { names: rel.names, values };
}

/**
 * A row image kept as its checked wire bytes: the values become strings only when read, and the
 * byte writer (main/output/message-bytes.ts) turns it into JSON text without making them at all.
 * The bytes are the decoder's own copy of the message, never the reused read buffer.
 */
export class WireTuple implements Tuple {
  private decoded: readonly TupleValue[] | undefined;
  readonly names: readonly string[];

  constructor(
    readonly rel: CachedRelation,
    /** Holds the decoder's copy of the message; TupleData spans [start, end). */
    readonly buf: Buffer,
    readonly start: number,
    readonly end: number,
  ) {
    this.names = rel.names;
  }

  get values(): readonly TupleValue[] {
    this.decoded ??= readTuple(new ByteReader(this.buf, 'pgoutput', undefined, this.start, this.end), this.rel).values;
    return this.decoded;
  }

  /** JSON.stringify and structured copies see a plain tuple. */
  toJSON(): Tuple {
    return { names: this.names, values: this.values };
  }
}

/**
 * Checks a TupleData exactly as `readTuple` would (same errors, same order) without making any
 * value, and returns it as a WireTuple over `copy`, the decoder's own copy of the message, which
 * starts at `base` there.
 */
export function scanTuple(r: ByteReader, rel: CachedRelation, copy: Buffer, base: number): WireTuple {
  const start = r.offset;
  const count = checkCount(r, rel);
  for (let i = 0; i < count; i++) {
    const kind = r.u8('TupleData column kind');
    if (kind === TEXT) r.skipText(r.i32('TupleData value length'), 'TupleData text value');
    else if (kind === BINARY) r.skip(r.i32('TupleData value length'), 'TupleData binary value');
    else if (kind !== NULL && kind !== TOAST)
      r.fail('TupleData column kind', `unknown kind 0x${kind.toString(16)}`, r.offset - 1);
  }
  return new WireTuple(rel, copy, base + start, base + r.offset);
}
