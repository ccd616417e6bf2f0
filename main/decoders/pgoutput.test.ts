import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNCHANGED_TOAST, type Tuple, type TupleValue } from '../../shared/messages';
import { tupleOf } from '../../shared/tuple';
import { ProtocolError } from '../protocol/protocol-error';
import { PgoutputDecoder } from './pgoutput';
import { frame, relationFrame } from './test-support/pgoutput-builder';

/** CI runs a time-boxed pass; `npm run fuzz` a long one. */
const FUZZ_RUNS = Number(process.env['WALSCOPE_FUZZ_RUNS'] ?? 3000);

const LSN = 0x1_0000_0010n;
const cols = [{ name: 'id', key: true, typeOid: 23 }, { name: 'name' }, { name: 'big' }];
/** An expected row image (plain names only: an object literal reorders integer-like keys). */
const row = (o: Record<string, TupleValue>): Tuple => tupleOf(Object.entries(o));

function withRelation(proto = 1): PgoutputDecoder {
  const d = new PgoutputDecoder(proto);
  d.decode(relationFrame(16384, 'public', 'items', cols), LSN);
  return d;
}

describe('pgoutput golden frames', () => {
  it('Begin, Commit and xid stamping', () => {
    const d = withRelation();
    expect(d.decode(frame().byte('B').int64(0x20n).int64(700n).int32(42).build(), LSN)).toEqual({
      type: 'begin',
      lsn: LSN,
      finalLsn: 0x20n,
      commitTime: 700n,
      xid: 42,
    });
    const ins = d.decode(frame().byte('I').int32(16384).byte('N').tuple(['1', '', null]).build(), LSN);
    expect(ins).toEqual({
      type: 'insert',
      lsn: LSN,
      xid: 42,
      relationId: 16384,
      schema: 'public',
      table: 'items',
      new: row({ id: '1', name: '', big: null }),
    });
    expect(d.decode(frame().byte('C').byte(0).int64(0x20n).int64(0x28n).int64(700n).build(), LSN)).toEqual({
      type: 'commit',
      lsn: LSN,
      flags: 0,
      commitLsn: 0x20n,
      endLsn: 0x28n,
      commitTime: 700n,
      xid: 42,
    });
  });

  it('Relation, Type and Origin', () => {
    const d = new PgoutputDecoder(1);
    expect(d.decode(relationFrame(7, '', 'pg_thing', [{ name: 'a', key: true, typeOid: 23 }]), LSN)).toEqual({
      type: 'relation',
      lsn: LSN,
      relationId: 7,
      schema: 'pg_catalog',
      table: 'pg_thing',
      replicaIdentity: 'd',
      columns: [{ key: true, name: 'a', typeOid: 23, typeMod: -1 }],
    });
    expect(d.decode(frame().byte('Y').int32(9999).cstring('public').cstring('mood').build(), LSN)).toMatchObject({
      type: 'type',
      typeOid: 9999,
      schema: 'public',
      name: 'mood',
    });
    expect(d.decode(frame().byte('O').int64(0xabn).cstring('upstream').build(), LSN)).toMatchObject({
      type: 'origin',
      originLsn: 0xabn,
      name: 'upstream',
    });
  });

  it('Update with key, old and unchanged TOAST; Delete; Truncate', () => {
    const d = withRelation();
    const upd = d.decode(
      frame().byte('U').int32(16384).byte('K').tuple(['1', null, null]).byte('N').tuple(['2', 'x', undefined]).build(),
      LSN,
    );
    expect(upd).toMatchObject({
      type: 'update',
      key: row({ id: '1', name: null, big: null }),
      new: row({ id: '2', name: 'x', big: UNCHANGED_TOAST }),
    });
    const full = d.decode(
      frame().byte('U').int32(16384).byte('O').tuple(['1', 'a', 'b']).byte('N').tuple(['1', 'c', 'b']).build(),
      LSN,
    );
    expect(full).toMatchObject({
      old: row({ id: '1', name: 'a', big: 'b' }),
      new: row({ id: '1', name: 'c', big: 'b' }),
    });
    const plain = d.decode(frame().byte('U').int32(16384).byte('N').tuple(['1', 'c', 'b']).build(), LSN);
    expect(plain).not.toHaveProperty('old');
    expect(plain).not.toHaveProperty('key');
    expect(d.decode(frame().byte('D').int32(16384).byte('O').tuple(['1', 'c', 'b']).build(), LSN)).toMatchObject({
      type: 'delete',
      old: row({ id: '1', name: 'c', big: 'b' }),
    });
    expect(d.decode(frame().byte('T').int32(1).byte(3).int32(16384).build(), LSN)).toMatchObject({
      type: 'truncate',
      cascade: true,
      restartIdentity: true,
      relationIds: [16384],
      relations: ['public.items'],
    });
  });

  it('logical messages keep text and hex', () => {
    const d = new PgoutputDecoder(1);
    const content = Buffer.from([0xff, 0xfe]);
    expect(d.decode(frame().byte('M').byte(0).int64(5n).cstring('p').int32(2).raw(content).build(), LSN)).toMatchObject(
      { type: 'message', transactional: false, messageLsn: 5n, prefix: 'p', content: null, contentHex: 'fffe' },
    );
  });

  it('streaming (v2+): xid prefixes inside a block, abort with and without v4 fields', () => {
    const d = new PgoutputDecoder(4);
    expect(d.decode(frame().byte('S').int32(77).byte(1).build(), LSN)).toEqual({
      type: 'stream_start',
      lsn: LSN,
      xid: 77,
      firstSegment: true,
    });
    d.decode(relationFrame(5, 'public', 't', [{ name: 'v' }], 77), LSN);
    expect(d.decode(frame().byte('I').int32(78).int32(5).byte('N').tuple(['x']).build(), LSN)).toMatchObject({
      type: 'insert',
      xid: 78,
      new: row({ v: 'x' }),
    });
    expect(d.decode(frame().byte('E').build(), LSN)).toEqual({ type: 'stream_stop', lsn: LSN });
    expect(d.decode(frame().byte('A').int32(77).int32(78).build(), LSN)).toEqual({
      type: 'stream_abort',
      lsn: LSN,
      xid: 77,
      subXid: 78,
    });
    expect(d.decode(frame().byte('A').int32(77).int32(77).int64(0x99n).int64(5n).build(), LSN)).toMatchObject({
      abortLsn: 0x99n,
      abortTime: 5n,
    });
    expect(
      d.decode(frame().byte('c').int32(77).byte(0).int64(0x90n).int64(0x98n).int64(3n).build(), LSN),
    ).toMatchObject({ type: 'stream_commit', xid: 77, commitLsn: 0x90n, endLsn: 0x98n });
  });

  it('two-phase messages', () => {
    const d = new PgoutputDecoder(3);
    expect(d.decode(frame().byte('b').int64(1n).int64(2n).int64(3n).int32(9).cstring('g1').build(), LSN)).toMatchObject(
      { type: 'begin_prepare', prepareLsn: 1n, endLsn: 2n, prepareTime: 3n, xid: 9, gid: 'g1' },
    );
    expect(
      d.decode(frame().byte('P').byte(0).int64(1n).int64(2n).int64(3n).int32(9).cstring('g1').build(), LSN),
    ).toMatchObject({ type: 'prepare', xid: 9, gid: 'g1' });
    expect(
      d.decode(frame().byte('K').byte(0).int64(4n).int64(5n).int64(6n).int32(9).cstring('g1').build(), LSN),
    ).toMatchObject({ type: 'commit_prepared', commitLsn: 4n, endLsn: 5n, gid: 'g1' });
    expect(
      d.decode(frame().byte('r').byte(0).int64(2n).int64(7n).int64(3n).int64(8n).int32(9).cstring('g1').build(), LSN),
    ).toMatchObject({ type: 'rollback_prepared', prepareEndLsn: 2n, rollbackEndLsn: 7n, rollbackTime: 8n });
    expect(
      d.decode(frame().byte('p').byte(0).int64(1n).int64(2n).int64(3n).int32(9).cstring('g2').build(), LSN),
    ).toMatchObject({ type: 'stream_prepare', gid: 'g2' });
  });
});

describe('pgoutput bad input', () => {
  const expectProtocolError = (fn: () => unknown, pattern: RegExp): void => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
      expect((e as ProtocolError).message).toMatch(pattern);
      expect((e as ProtocolError).lsn).toBe('1/10');
      return;
    }
    throw new Error('expected a ProtocolError');
  };

  it('names the problem, the LSN and the offset', () => {
    const d = withRelation();
    expectProtocolError(() => d.decode(frame().byte('I').int32(1).byte('N').tuple([]).build(), LSN), /never announced/);
    expectProtocolError(
      () => d.decode(frame().byte('I').int32(16384).byte('N').tuple(['1']).build(), LSN),
      /1 columns, but relation public.items/,
    );
    expectProtocolError(() => d.decode(frame().byte('Z').build(), LSN), /unknown pgoutput message 0x5a/);
    expectProtocolError(() => d.decode(frame().byte('B').int64(1n).build(), LSN), /needs 8 bytes, 0 left/);
    expectProtocolError(
      () => d.decode(frame().byte('I').int32(16384).byte('N').int16(3).byte('t').int32(1_000_000).build(), LSN),
      /needs 1000000 bytes/,
    );
    expectProtocolError(
      () =>
        d.decode(
          frame()
            .byte('I')
            .int32(16384)
            .byte('N')
            .int16(3)
            .byte('t')
            .int32(2)
            .raw(Buffer.from([0xc3, 0x28]))
            .byte('n')
            .byte('n')
            .build(),
          LSN,
        ),
      /invalid UTF-8/,
    );
  });

  it('rejects stream blocks out of order', () => {
    const d = new PgoutputDecoder(2);
    expectProtocolError(() => d.decode(frame().byte('E').build(), LSN), /Stream Stop without an open stream block/);
    d.decode(frame().byte('S').int32(5).byte(1).build(), LSN);
    expectProtocolError(() => d.decode(frame().byte('S').int32(6).byte(1).build(), LSN), /still open/);
  });

  it('every truncation of every valid frame is a ProtocolError, never anything else', () => {
    const frames = [
      frame().byte('B').int64(1n).int64(2n).int32(3).build(),
      frame().byte('I').int32(16384).byte('N').tuple(['1', 'ü', null]).build(),
      frame().byte('U').int32(16384).byte('K').tuple(['1', null, null]).byte('N').tuple(['2', 'x', undefined]).build(),
      frame().byte('T').int32(1).byte(0).int32(16384).build(),
      frame().byte('M').byte(1).int64(5n).cstring('p').int32(3).raw(Buffer.from('abc')).build(),
      frame().byte('r').byte(0).int64(2n).int64(7n).int64(3n).int64(8n).int32(9).cstring('g1').build(),
      relationFrame(1, 'public', 'x', cols),
    ];
    for (const f of frames) {
      for (let cut = 0; cut < f.length; cut++) {
        const d = withRelation();
        expect(() => d.decode(f.subarray(0, cut), LSN)).toThrow(ProtocolError);
      }
    }
  });

  it('arbitrary bytes and corruptions: a message or a ProtocolError, nothing else', () => {
    const valid = frame()
      .byte('U')
      .int32(16384)
      .byte('O')
      .tuple(['1', 'a', 'b'])
      .byte('N')
      .tuple(['1', 'c', null])
      .build();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
            const b = Buffer.from(valid);
            b[i] = v;
            return new Uint8Array(b);
          }),
        ),
        fc.integer({ min: 1, max: 4 }),
        (bytes, proto) => {
          const d = withRelation(proto);
          try {
            d.decode(Buffer.from(bytes), LSN);
          } catch (e) {
            if (!(e instanceof ProtocolError)) throw e;
          }
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('round-trips generated inserts', () => {
    const value = fc.oneof(fc.string({ unit: 'grapheme' }), fc.constant(null));
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (vals, xid) => {
          const d = withRelation();
          d.decode(frame().byte('B').int64(1n).int64(2n).int32(xid).build(), LSN);
          const m = d.decode(frame().byte('I').int32(16384).byte('N').tuple(vals).build(), LSN);
          expect(m).toMatchObject({ type: 'insert', xid, new: row({ id: vals[0]!, name: vals[1]!, big: vals[2]! }) });
        },
      ),
    );
  });
});
