/**
 * A decoded message written as JSON text straight into a byte buffer: the same bytes as
 * `messageJson` (shared/messages-json.ts, which stays the reference and the fallback), made
 * without the intermediate strings. Row images decoded lazily (WireTuple) are copied from their
 * wire bytes with escaping only where JSON needs it, keys from fragments prepared per relation;
 * the frequent messages (row changes, Begin, Commit) are written field by field, in the order the
 * decoder builds them. test: main/output/message-bytes.test.ts holds the two encoders equal.
 */
import { formatPgMicros } from '../../shared/pgtime';
import type {
  BeginMessage,
  CommitMessage,
  DecodedMessage,
  DeleteMessage,
  InsertMessage,
  Tuple,
  UpdateMessage,
} from '../../shared/messages';
import { messageJson } from '../../shared/messages-json';
import { tupleJson } from '../../shared/tuple';
import { BINARY, NULL, TEXT, TOAST, WireTuple } from '../decoders/pgoutput-tuple';
import type { JsonBytes } from './json-bytes';

const UNCHANGED_TOAST = Buffer.from('{"unchangedToast":true}');
const BINARY_OPEN = Buffer.from('{"binary":"');
const NULL_TEXT = Buffer.from('null');
const XID = Buffer.from(',"xid":');
const NEW_KEY = Buffer.from(',"new":');

function writeTuple(out: JsonBytes, t: Tuple): void {
  if (!(t instanceof WireTuple)) {
    out.utf8(tupleJson(t));
    return;
  }
  const keys = t.rel.keyBytes;
  const src = t.buf;
  let p = t.start + 2; // past the column count, checked when the tuple was scanned
  out.byte(0x7b); // '{'
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out.byte(0x2c); // ','
    out.bytes(keys[i]!);
    const kind = src[p++];
    if (kind === TEXT || kind === BINARY) {
      const n = src.readInt32BE(p);
      p += 4;
      if (kind === TEXT) out.utf8String(src, p, p + n);
      else {
        out.bytes(BINARY_OPEN);
        out.hex(src, p, p + n);
        out.ascii('"}');
      }
      p += n;
    } else if (kind === NULL) out.bytes(NULL_TEXT);
    else if (kind === TOAST) out.bytes(UNCHANGED_TOAST);
  }
  out.byte(0x7d); // '}'
}

/** `,"relationId":n,"schema":"…","table":"…"` from the relation's prepared bytes when there are any. */
function writeNames(out: JsonBytes, m: { relationId: number; schema: string; table: string }, t: Tuple): void {
  if (t instanceof WireTuple && t.rel.relationId === m.relationId) out.bytes(t.rel.namesBytes);
  else
    out.utf8(`,"relationId":${m.relationId},"schema":${JSON.stringify(m.schema)},"table":${JSON.stringify(m.table)}`);
}

const head = (type: 'insert' | 'update' | 'delete' | 'begin' | 'commit'): Buffer =>
  Buffer.from(`{"type":"${type}","lsn":`);
const INSERT_HEAD = head('insert');
const UPDATE_HEAD = head('update');
const DELETE_HEAD = head('delete');
const BEGIN_HEAD = head('begin');
const COMMIT_HEAD = head('commit');

/** `{"type":"…","lsn":"X/X"`, the head prepared per type (a lookup by name cost a Map probe per row). */
function writeHead(out: JsonBytes, prepared: Buffer, lsn: bigint): void {
  out.bytes(prepared);
  out.lsn(lsn);
}

function writeXid(out: JsonBytes, xid: number | undefined): void {
  if (xid === undefined) return;
  out.bytes(XID);
  out.uint(xid);
}

function writeSeq(out: JsonBytes, seq: number | undefined): void {
  if (seq === undefined) return;
  out.ascii(',"seq":');
  out.uint(seq);
}

/**
 * Appends `messageJson(m, seq)` to `out` as UTF-8 (no line break). `pgoutput`: the message comes
 * from the pgoutput decoder, whose field order the fast paths follow; other decoders build some of
 * the same types in another order, so theirs always take the reference encoder.
 */
export function writeMessageJson(out: JsonBytes, m: DecodedMessage, pgoutput: boolean, seq?: number): void {
  if (!pgoutput || !writeFastPath(out, m)) {
    out.utf8(messageJson(m, seq));
    return;
  }
  writeSeq(out, seq);
  out.byte(0x7d); // '}'
}

/**
 * Writes the frequent messages up to (not including) their `seq` and closing brace; false, having
 * written nothing, for a message only the reference encoder writes.
 */
function writeFastPath(out: JsonBytes, m: DecodedMessage): boolean {
  switch (m.type) {
    case 'insert':
      writeInsert(out, m);
      return true;
    case 'update':
      writeUpdate(out, m);
      return true;
    case 'delete':
      return writeDelete(out, m);
    case 'begin':
      writeBegin(out, m);
      return true;
    case 'commit':
      writeCommit(out, m);
      return true;
    case 'origin':
    case 'relation':
    case 'type':
    case 'truncate':
    case 'message':
    case 'stream_start':
    case 'stream_stop':
    case 'stream_commit':
    case 'stream_abort':
    case 'begin_prepare':
    case 'prepare':
    case 'stream_prepare':
    case 'commit_prepared':
    case 'rollback_prepared':
    case 'json':
      return false;
    default: {
      const never: never = m;
      return never;
    }
  }
}

function writeInsert(out: JsonBytes, m: InsertMessage): void {
  writeHead(out, INSERT_HEAD, m.lsn);
  writeXid(out, m.xid);
  writeNames(out, m, m.new);
  out.bytes(NEW_KEY);
  writeTuple(out, m.new);
}

function writeUpdate(out: JsonBytes, m: UpdateMessage): void {
  writeHead(out, UPDATE_HEAD, m.lsn);
  writeXid(out, m.xid);
  writeNames(out, m, m.new);
  out.bytes(NEW_KEY);
  writeTuple(out, m.new);
  if (m.old) {
    out.ascii(',"old":');
    writeTuple(out, m.old);
  }
  if (m.key) {
    out.ascii(',"key":');
    writeTuple(out, m.key);
  }
}

/** False, having written nothing, for a delete without a row image (the reference encoder's case). */
function writeDelete(out: JsonBytes, m: DeleteMessage): boolean {
  const image = m.key ?? m.old;
  if (!image) return false;
  writeHead(out, DELETE_HEAD, m.lsn);
  writeXid(out, m.xid);
  writeNames(out, m, image);
  out.ascii(m.key ? ',"key":' : ',"old":');
  writeTuple(out, image);
  return true;
}

function writeBegin(out: JsonBytes, m: BeginMessage): void {
  writeHead(out, BEGIN_HEAD, m.lsn);
  out.ascii(',"finalLsn":');
  out.lsn(m.finalLsn);
  out.ascii(`,"commitTime":"${formatPgMicros(m.commitTime)}","xid":`);
  out.uint(m.xid);
}

function writeCommit(out: JsonBytes, m: CommitMessage): void {
  writeHead(out, COMMIT_HEAD, m.lsn);
  out.ascii(`,"flags":${m.flags},"commitLsn":`);
  out.lsn(m.commitLsn);
  out.ascii(',"endLsn":');
  out.lsn(m.endLsn);
  out.ascii(`,"commitTime":"${formatPgMicros(m.commitTime)}"`);
  writeXid(out, m.xid);
}
