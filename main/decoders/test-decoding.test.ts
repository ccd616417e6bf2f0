import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNCHANGED_TOAST } from '../../shared/messages';
import { ProtocolError } from '../protocol/protocol-error';
import { TestDecodingDecoder } from './test-decoding';
import { Wal2JsonDecoder } from './wal2json';

/** CI runs a time-boxed pass; `npm run fuzz` a long one. */
const FUZZ_RUNS = Number(process.env['WALSCOPE_FUZZ_RUNS'] ?? 3000);

const LSN = 0x10n;
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
        new: { id: '1', name: `it's a "test"`, ok: 't', n: '1.50', nothing: null },
      },
    ],
    [
      `table "My Schema"."Odd ""Name""": INSERT: "a col"[character varying]:'x y' tags[text[]]:'{a,"b c"}' b[bit(4)]:B'1010'`,
      { schema: 'My Schema', table: 'Odd "Name"', new: { 'a col': 'x y', tags: '{a,"b c"}', b: '1010' } },
    ],
    [
      `table public.t: UPDATE: old-key: id[integer]:2 new-tuple: id[integer]:20 big[text]:unchanged-toast-datum f[boolean]:false`,
      { type: 'update', key: { id: '2' }, new: { id: '20', big: UNCHANGED_TOAST, f: 'f' } },
    ],
    [`table public.t: DELETE: id[integer]:20`, { type: 'delete', key: { id: '20' } }],
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
      xid: 5,
      endLsn: LSN,
    });
    expect(d.decode(Buffer.from('{"action":"I","xid":5}'), LSN)).not.toHaveProperty('endLsn');
    expect(() => d.decode(Buffer.from('{nope'), LSN)).toThrow(ProtocolError);
  });
});
