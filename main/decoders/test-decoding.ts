import { isUtf8 } from 'node:buffer';
import type { Lsn } from '../../shared/lsn';
import type { DecodedMessage, Tuple } from '../../shared/messages';
import { EMPTY_TUPLE } from '../../shared/tuple';
import { ProtocolError } from '../protocol/protocol-error';
import type { Decoder } from './decoder';
import { readTextTuple, TextCursor } from './test-decoding-tuple';

/**
 * test_decoding's text output, parsed into the same change model as pgoutput (the subset it can
 * express: no relation OIDs, no commit LSNs; `finalLsn`/`commitLsn` are 0 and `endLsn` is the
 * record's LSN). Streaming lines ("streaming change for TXN n") carry no row data in
 * test_decoding, so they decode to nothing but their transaction markers.
 * Formats: contrib/test_decoding/test_decoding.c.
 */
const TXN = /^(?:TXN )?(\d+)/;
const TWO_PHASE = /^(PREPARE TRANSACTION|COMMIT PREPARED|ROLLBACK PREPARED) ('(?:[^']|'')*')(?:, txid (\d+))?/;
const STREAMING =
  /^(opening a streamed block for transaction|closing a streamed block for transaction|aborting streamed \(sub\)transaction|committing streamed transaction|preparing streamed transaction) (?:TXN )?(\d+)?/;

/** A streamed transaction's marker line (test_decoding prints no row data for streamed changes). */
function streamMarker(kind: string, xid: number, line: string, lsn: Lsn): DecodedMessage {
  switch (kind) {
    case 'opening a streamed block for transaction':
      return { type: 'stream_start', lsn, xid, firstSegment: false };
    case 'closing a streamed block for transaction':
      return { type: 'stream_stop', lsn, xid };
    case 'aborting streamed (sub)transaction':
      return { type: 'stream_abort', lsn, xid, subXid: xid };
    case 'committing streamed transaction':
      return { type: 'stream_commit', lsn, xid, flags: 0, commitLsn: 0n, endLsn: lsn, commitTime: 0n };
    default: {
      const g = /'((?:[^']|'')*)'/.exec(line);
      return {
        type: 'stream_prepare',
        lsn,
        xid,
        flags: 0,
        prepareLsn: 0n,
        endLsn: lsn,
        prepareTime: 0n,
        gid: g ? g[1]!.replace(/''/g, "'") : '',
      };
    }
  }
}

export class TestDecodingDecoder implements Decoder {
  readonly plugin = 'test_decoding';
  private xid: number | undefined;

  reset(): void {
    this.xid = undefined;
  }

  decode(data: Buffer, lsn: Lsn): DecodedMessage {
    try {
      // A logical message's content is appended as raw bytes (pg_decode_message), so only that
      // line may be any bytes at all; everything else is text in the database encoding.
      if (startsWithBytes(data, MESSAGE) || startsWithBytes(data, STREAMING_MESSAGE)) return this.message(data, lsn);
      if (!isUtf8(data)) throw this.error(lsn, 'line', 'invalid UTF-8', 0);
      return this.parse(data.toString('utf8'), lsn);
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      const preview = JSON.stringify(data.subarray(0, 200).toString('utf8'));
      throw this.error(lsn, 'line', `${(e as Error).message} in ${preview}`, 0);
    }
  }

  private parse(line: string, lsn: Lsn): DecodedMessage {
    if (line === 'BEGIN' || line.startsWith('BEGIN ')) {
      const xid = numberAfter(line, 'BEGIN ') ?? 0;
      this.xid = xid;
      return { type: 'begin', lsn, xid, finalLsn: 0n, commitTime: 0n };
    }
    if (line === 'COMMIT' || (line.startsWith('COMMIT ') && !line.startsWith('COMMIT PREPARED '))) {
      return this.commit(line, lsn);
    }
    if (line.startsWith('table ')) return this.table(line, lsn);
    const gid = TWO_PHASE.exec(line);
    if (gid) return this.twoPhase(gid, lsn);
    const stream = STREAMING.exec(line);
    if (stream) return streamMarker(stream[1]!, Number(stream[2] ?? 0), line, lsn);
    throw this.error(lsn, 'line', `unrecognised test_decoding output ${JSON.stringify(line.slice(0, 120))}`, 0);
  }

  private commit(line: string, lsn: Lsn): DecodedMessage {
    const xid = numberAfter(line, 'COMMIT ') ?? this.xid;
    this.xid = undefined;
    return {
      type: 'commit',
      lsn,
      flags: 0,
      commitLsn: 0n,
      endLsn: lsn,
      commitTime: 0n,
      ...(xid !== undefined ? { xid } : {}),
    };
  }

  /** PREPARE TRANSACTION, COMMIT PREPARED or ROLLBACK PREPARED, from a TWO_PHASE match. */
  private twoPhase(gid: RegExpExecArray, lsn: Lsn): DecodedMessage {
    const g = new TextCursor(gid[2]!).quoted();
    const xid = gid[3] !== undefined ? Number(gid[3]) : (this.xid ?? 0);
    this.xid = undefined;
    if (gid[1] === 'PREPARE TRANSACTION') {
      return { type: 'prepare', lsn, flags: 0, prepareLsn: 0n, endLsn: lsn, prepareTime: 0n, xid, gid: g };
    }
    if (gid[1] === 'COMMIT PREPARED') {
      return { type: 'commit_prepared', lsn, flags: 0, commitLsn: 0n, endLsn: lsn, commitTime: 0n, xid, gid: g };
    }
    return {
      type: 'rollback_prepared',
      lsn,
      flags: 0,
      prepareEndLsn: 0n,
      rollbackEndLsn: lsn,
      prepareTime: 0n,
      rollbackTime: 0n,
      xid,
      gid: g,
    };
  }

  private table(line: string, lsn: Lsn): DecodedMessage {
    const c = new TextCursor(line);
    c.expect('table ');
    const names: [string, string][] = [];
    for (;;) {
      const schema = c.identifier('.');
      c.expect('.');
      const table = c.identifier(':,');
      names.push([schema, table]);
      if (c.startsWith(', ')) c.pos += 2;
      else break;
    }
    c.expect(': ');
    const xid = this.xid !== undefined ? { xid: this.xid } : {};
    const [schema, table] = names[0]!;
    const row = { relationId: 0, schema, table, ...xid };
    if (c.startsWith('INSERT: ')) {
      c.pos += 8;
      return { type: 'insert', lsn, ...row, new: c.startsWith('(no-tuple-data)') ? EMPTY_TUPLE : readTextTuple(c) };
    }
    if (c.startsWith('UPDATE: ')) {
      c.pos += 8;
      let key: Tuple | undefined;
      if (c.startsWith('old-key: ')) {
        c.pos += 9;
        key = readTextTuple(c, ['new-tuple: ']);
        c.expect('new-tuple: ');
      }
      const m: DecodedMessage = {
        type: 'update',
        lsn,
        ...row,
        new: c.startsWith('(no-tuple-data)') ? EMPTY_TUPLE : readTextTuple(c),
      };
      if (key) m.key = key;
      return m;
    }
    if (c.startsWith('DELETE: ')) {
      c.pos += 8;
      if (c.startsWith('(no-tuple-data)')) return { type: 'delete', lsn, ...row };
      return { type: 'delete', lsn, ...row, key: readTextTuple(c) };
    }
    if (c.startsWith('TRUNCATE: ')) {
      const flags = line.slice(c.pos + 10);
      return {
        type: 'truncate',
        lsn,
        ...xid,
        cascade: /\bcascade\b/.test(flags),
        restartIdentity: /\brestart_seqs\b/.test(flags),
        relationIds: names.map(() => 0),
        relations: names.map(([s, t]) => `${s}.${t}`),
      };
    }
    throw new SyntaxError(`unknown action at ${c.pos}`);
  }

  /**
   * `[streaming ]message: transactional: N prefix: P, sz: S content:` followed by exactly S bytes
   * of content, which may be anything (pg_logical_emit_message takes bytea). The header is found
   * bytewise: the `, sz: S content:` whose S bytes reach exactly the end of the line.
   */
  private message(data: Buffer, lsn: Lsn): DecodedMessage {
    const bytes = data.toString('latin1'); // one char per byte: offsets are byte offsets
    const head = /^(?:streaming )?message: transactional: (\d) prefix: /.exec(bytes);
    if (!head) throw new SyntaxError('malformed message line');
    let contentStart = -1;
    let prefixEnd = -1;
    for (const m of bytes.matchAll(/, sz: (\d+) content:/g)) {
      const end = m.index + m[0].length;
      if (end + Number(m[1]) === data.length && m.index >= head[0].length) {
        prefixEnd = m.index;
        contentStart = end;
        break;
      }
    }
    if (contentStart < 0) throw new SyntaxError('message line whose size does not match its content');
    const prefix = data.subarray(head[0].length, prefixEnd);
    if (!isUtf8(prefix)) throw new SyntaxError('message prefix is not valid UTF-8');
    const content = data.subarray(contentStart);
    const xid = this.xid !== undefined ? { xid: this.xid } : {};
    return {
      type: 'message',
      lsn,
      ...xid,
      transactional: head[1] === '1',
      messageLsn: lsn,
      prefix: prefix.toString('utf8'),
      content: isUtf8(content) ? content.toString('utf8') : null,
      contentHex: content.toString('hex'),
    };
  }

  private error(lsn: Lsn, field: string, reason: string, offset: number): ProtocolError {
    return new ProtocolError({ message: 'test_decoding', field, lsn, offset, reason }, 'DECODE');
  }
}

const MESSAGE = Buffer.from('message: ');
const STREAMING_MESSAGE = Buffer.from('streaming message: ');

function startsWithBytes(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

function numberAfter(line: string, prefix: string): number | undefined {
  if (!line.startsWith(prefix)) return undefined;
  const m = TXN.exec(line.slice(prefix.length));
  return m ? Number(m[1]) : undefined;
}
