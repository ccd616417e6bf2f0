import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNCHANGED_TOAST, type Tuple, type TupleValue } from '../../shared/messages';
import { messageJson } from '../../shared/messages-json';
import { tupleOf } from '../../shared/tuple';
import { ProtocolError } from '../protocol/protocol-error';
import { TestDecodingDecoder } from './test-decoding';
import { Wal2JsonDecoder } from './wal2json';

/** CI runs a time-boxed pass; `npm run fuzz` a long one. */
const FUZZ_RUNS = Number(process.env['WALSCOPE_FUZZ_RUNS'] ?? 3000);

const LSN = 0x10n;
/** An expected row image (plain names only: an object literal reorders integer-like keys). */
const row = (o: Record<string, TupleValue>): Tuple => tupleOf(Object.entries(o));
const decode2 = (data: Buffer): unknown => new TestDecodingDecoder().decode(data, LSN);
const decode = (line: string, d = new TestDecodingDecoder()): unknown => d.decode(Buffer.from(line, 'utf8'), LSN);

describe('test_decoding lines', () => {
  it.each([
    ['BEGIN 1234', { type: 'begin', xid: 1234, finalLsn: 0n }],
    ['BEGIN', { type: 'begin', xid: 0 }],
    ['COMMIT 1234', { type: 'commit', xid: 1234, endLsn: LSN }],
    ['COMMIT 1234 (at 2026-11-22 13:00:00.123456+00)', { type: 'commit', xid: 1234 }],
    [
      `table public.t: INSERT: id[integer]:1 name[text]:'it''s a "test"' ok[boolean]:true n[numeric]:1.50 nothing[text]:null`,
      {
        type: 'insert',
        schema: 'public',
        table: 't',
        new: row({ id: '1', name: `it's a "test"`, ok: 't', n: '1.50', nothing: null }),
      },
    ],
    [
      `table "My Schema"."Odd ""Name""": INSERT: "a col"[character varying]:'x y' tags[text[]]:'{a,"b c"}' b[bit(4)]:B'1010'`,
      { schema: 'My Schema', table: 'Odd "Name"', new: row({ 'a col': 'x y', tags: '{a,"b c"}', b: '1010' }) },
    ],
    [
      `table public.t: UPDATE: old-key: id[integer]:2 new-tuple: id[integer]:20 big[text]:unchanged-toast-datum f[boolean]:false`,
      { type: 'update', key: row({ id: '2' }), new: row({ id: '20', big: UNCHANGED_TOAST, f: 'f' }) },
    ],
    [`table public.t: DELETE: id[integer]:20`, { type: 'delete', key: row({ id: '20' }) }],
    [`table public.t: DELETE: (no-tuple-data)`, { type: 'delete', table: 't' }],
    [
      `table public.a, public.b: TRUNCATE: restart_seqs cascade`,
      { type: 'truncate', cascade: true, restartIdentity: true, relations: ['public.a', 'public.b'] },
    ],
    [`table public.a: TRUNCATE: (no-flags)`, { type: 'truncate', cascade: false, restartIdentity: false }],
    [
      'message: transactional: 0 prefix: nontx, sz: 5 content:a b c',
      { type: 'message', transactional: false, prefix: 'nontx', content: 'a b c', contentHex: '6120622063' },
    ],
    [`PREPARE TRANSACTION 'g''1', txid 55`, { type: 'prepare', gid: "g'1", xid: 55 }],
    [`COMMIT PREPARED 'g1', txid 55`, { type: 'commit_prepared', gid: 'g1' }],
    [`ROLLBACK PREPARED 'g1', txid 55`, { type: 'rollback_prepared', gid: 'g1' }],
    ['opening a streamed block for transaction TXN 77', { type: 'stream_start', xid: 77 }],
    ['closing a streamed block for transaction TXN 77', { type: 'stream_stop' }],
    ['committing streamed transaction TXN 77', { type: 'stream_commit', xid: 77 }],
    ['aborting streamed (sub)transaction TXN 78', { type: 'stream_abort', xid: 78 }],
  ])('%s', (line, expected) => {
    expect(decode(line)).toMatchObject(expected);
  });

  it('stamps the open transaction xid on rows', () => {
    const d = new TestDecodingDecoder();
    decode('BEGIN 9', d);
    expect(decode(`table public.t: INSERT: id[integer]:1`, d)).toMatchObject({ xid: 9 });
  });

  it('keeps every column name once, in printed order, with its value (odd names included)', () => {
    const line =
      `table public.odd: INSERT: id[integer]:1 __proto__[text]:'p' "1"[text]:'one' "2"[text]:null ` +
      `constructor[text]:'c' "a""b"[text]:'q"' "back\\slash"[text]:'b' "ünï"[text]:'u' " "[text]:'sp'`;
    const m = decode(line) as { new: Tuple };
    expect(m.new.names).toEqual(['id', '__proto__', '1', '2', 'constructor', 'a"b', 'back\\slash', 'ünï', ' ']);
    expect(m.new.values).toEqual(['1', 'p', 'one', null, 'c', 'q"', 'b', 'u', 'sp']);
    expect(messageJson(m as never)).toContain(
      String.raw`"new":{"id":"1","__proto__":"p","1":"one","2":null,"constructor":"c","a\"b":"q\"","back\\slash":"b","ünï":"u"," ":"sp"}`,
    );
  });

  it('logical message content that is not UTF-8 comes through as hex with content null', () => {
    const line = (head: string, content: Buffer): Buffer =>
      Buffer.concat([Buffer.from(`${head}sz: ${content.length} content:`), content]);
    const bin = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
    expect(decode2(line('message: transactional: 1 prefix: bin, ', bin))).toMatchObject({
      type: 'message',
      transactional: true,
      prefix: 'bin',
      content: null,
      contentHex: 'fffe0041c3',
    });
    // The content may itself look like a header: the size decides where the content starts.
    const tricky = Buffer.from(', sz: 3 content:abc');
    expect(decode2(line('streaming message: transactional: 0 prefix: p, sz: 9, ', tricky))).toMatchObject({
      prefix: 'p, sz: 9',
      content: ', sz: 3 content:abc',
    });
    expect(() => decode2(Buffer.from('message: transactional: 1 prefix: x, sz: 5 content:abc'))).toThrow(ProtocolError);
    expect(() => decode2(Buffer.from([0x74, 0x61, 0xff]))).toThrow(/invalid UTF-8/);
  });

  it('rejects what it does not understand with a ProtocolError naming the LSN', () => {
    expect(() => decode('garbage')).toThrow(ProtocolError);
    expect(() => decode(`table public.t: INSERT: id[integer]:'unterminated`)).toThrow(/unterminated/);
    expect(() => new TestDecodingDecoder().decode(Buffer.from([0xff]), LSN)).toThrow(/invalid UTF-8/);
  });

  it('arbitrary input: a message or a ProtocolError, nothing else', () => {
    const d = new TestDecodingDecoder();
    const prefixes = fc.constantFrom(
      '',
      'table ',
      'table public.t: INSERT: ',
      'table public.t: UPDATE: old-key: ',
      'message: ',
      'BEGIN ',
      'COMMIT ',
    );
    fc.assert(
      fc.property(prefixes, fc.string({ maxLength: 80 }), (p, s) => {
        try {
          d.decode(Buffer.from(p + s, 'utf8'), LSN);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('wal2json', () => {
  it('passes JSON through, marks a transaction-ending document, and rejects what is not JSON', () => {
    const d = new Wal2JsonDecoder();
    expect(d.decode(Buffer.from('{"xid":5,"change":[]}'), LSN)).toEqual({
      type: 'json',
      lsn: LSN,
      plugin: 'wal2json',
      data: { xid: 5, change: [] },
      text: '{"xid":5,"change":[]}',
      xid: 5,
      endLsn: LSN,
    });
    expect(d.decode(Buffer.from('{"action":"I","xid":5}'), LSN)).not.toHaveProperty('endLsn');
    expect(() => d.decode(Buffer.from('{nope'), LSN)).toThrow(ProtocolError);
  });

  it('NDJSON carries its JSON text exactly: column names in order, every digit of a number', () => {
    const text =
      '{"action":"I","schema":"public","table":"odd","columns":[{"name":"__proto__","type":"text","value":"p"},\n' +
      '{"name":"2","type":"bigint","value":9007199254740993},{"name":"1","type":"numeric","value":0.10000000000000000001}]}';
    const m = new Wal2JsonDecoder().decode(Buffer.from(text), LSN);
    expect(messageJson(m)).toBe(`{"type":"json","lsn":"0/10","plugin":"wal2json","data":${text.replace('\n', ' ')}}`);
  });
});
