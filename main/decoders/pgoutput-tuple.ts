import { UNCHANGED_TOAST, type Tuple, type TupleValue } from '../../shared/messages';
import type { ByteReader } from '../protocol/byte-reader';

export interface CachedRelation {
  relationId: number;
  schema: string;
  table: string;
  /** Column names in relation order, shared by every tuple of the relation (no per-row copy). */
  names: readonly string[];
}

const NULL = 0x6e; // 'n'
const TOAST = 0x75; // 'u'
const TEXT = 0x74; // 't'
const BINARY = 0x62; // 'b'

/**
 * TupleData: Int16 column count, then per column 'n' (NULL), 'u' (unchanged TOAST: not sent, so
 * not invented), 't' (Int32 length + text) or 'b' (Int32 length + binary).
 * https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html#PROTOCOL-LOGICALREP-MESSAGE-FORMATS-TUPLEDATA
 */
export function readTuple(r: ByteReader, rel: CachedRelation): Tuple {
  const count = r.i16('TupleData column count');
  const names = rel.names;
  if (count !== names.length) {
    r.fail(
      'TupleData column count',
      `${count} columns, but relation ${rel.schema}.${rel.table} (OID ${rel.relationId}) has ${names.length}`,
      r.offset - 2,
    );
  }
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
  return { names, values };
}
