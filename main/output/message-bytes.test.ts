import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLsn } from '../../shared/lsn';
import type { DecodedMessage } from '../../shared/messages';
import { messageJson } from '../../shared/messages-json';
import { NdjsonWriter } from '../cli/ndjson-writer';
import { PgoutputDecoder } from '../decoders/pgoutput';
import { TestDecodingDecoder } from '../decoders/test-decoding';
import { frame, relationFrame, type FrameBuilder } from '../decoders/test-support/pgoutput-builder';
import { JsonBytes } from './json-bytes';
import { writeMessageJson } from './message-bytes';

const FUZZ_RUNS = Number(process.env['WALSCOPE_FUZZ_RUNS'] ?? 2000);
const LSN = 0x1_0000_0010n;

type Cell = string | null | undefined | { bin: Buffer };

/** TupleData with binary values too ('b'), which the shared builder does not make. */
function tuple(f: FrameBuilder, values: Cell[]): FrameBuilder {
  f.int16(values.length);
  for (const v of values) {
    if (v === null) f.byte('n');
    else if (v === undefined) f.byte('u');
    else if (typeof v === 'string') {
      const b = Buffer.from(v, 'utf8');
      f.byte('t').int32(b.length).raw(b);
    } else f.byte('b').int32(v.bin.length).raw(v.bin);
  }
  return f;
}

const ALL_CONTROLS = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join('') + '\x7f';
/** Names an object keyed by column would lose or reorder, and names that need escaping. */
const ODD_NAMES = ['id', '__proto__', '1', '0', 'a"b', 'back\\slash', 'tab\tname\n', 'ünï', '😀', 'constructor', ''];
const VALUES: Cell[][] = [
  ['1', '', null, undefined, 'plain', 'x', 'y', 'z', 'w', 'v', 'u'],
  ['2', 'quote " back \\ slash', ALL_CONTROLS, 'é 中文 😀', '\u2028\u2029', '{"json":[1,2]}', '', null, 'a', 'b', 'c'],
  [
    '3',
    { bin: Buffer.from([0, 1, 0xfe, 0xff]) },
    { bin: Buffer.alloc(0) },
    null,
    undefined,
    'k',
    'l',
    'm',
    'n',
    'o',
    'p',
  ],
];
const COLUMNS = ODD_NAMES.map((name, i) => ({ name, key: i === 0, typeOid: i === 0 ? 23 : 25 }));

/** An Insert/Update/Delete frame on relation 16384 (with `xid` inside a streamed transaction). */
function rowFrame(tag: string, xid: number | undefined, build: (f: FrameBuilder) => void): Buffer {
  const f = frame().byte(tag);
  if (xid !== undefined) f.int32(xid);
  build(f.int32(16384));
  return f.build();
}

/** Protocol 1: relations, a type, a transaction with every row-image shape, truncate, messages. */
function protocolOneFrames(): Buffer[] {
  const content = Buffer.from('hello "\n" ✓');
  return [
    relationFrame(16384, 'public', 'odd "table"', COLUMNS),
    relationFrame(16385, '', 'catalog_thing', [{ name: 'a', key: true }]),
    frame().byte('Y').int32(90001).cstring('public').cstring('mood').build(),
    frame().byte('B').int64(0x5_0000_0a00n).int64(780_000_000_123_456n).int32(742).build(),
    frame().byte('O').int64(0xabcn).cstring('origin "x"').build(),
    ...VALUES.map((v) => rowFrame('I', undefined, (f) => tuple(f.byte('N'), v))),
    rowFrame('U', undefined, (f) => tuple(f.byte('N'), VALUES[1]!)),
    rowFrame('U', undefined, (f) => tuple(tuple(f.byte('K'), VALUES[0]!).byte('N'), VALUES[2]!)),
    rowFrame('U', undefined, (f) => tuple(tuple(f.byte('O'), VALUES[2]!).byte('N'), VALUES[1]!)),
    rowFrame('D', undefined, (f) => tuple(f.byte('K'), VALUES[1]!)),
    rowFrame('D', undefined, (f) => tuple(f.byte('O'), VALUES[2]!)),
    frame().byte('T').int32(2).byte(3).int32(16384).int32(16385).build(),
    frame().byte('M').byte(1).int64(0x99n).cstring('pfx').int32(content.length).raw(content).build(),
    frame()
      .byte('M')
      .byte(0)
      .int64(0x9an)
      .cstring('bin')
      .int32(3)
      .raw(Buffer.from([0xff, 0, 0x80]))
      .build(),
    frame().byte('C').byte(0).int64(0x5_0000_0a00n).int64(0x5_0000_0a28n).int64(-5n).build(),
  ];
}

/** Protocol 2: a streamed transaction with its own relation and rows, a subtransaction abort, its commit. */
function streamingFrames(): Buffer[] {
  return [
    frame().byte('S').int32(900).byte(1).build(),
    relationFrame(16384, 'public', 'odd "table"', COLUMNS, 900),
    rowFrame('I', 900, (f) => tuple(f.byte('N'), VALUES[1]!)),
    rowFrame('U', 901, (f) => tuple(tuple(f.byte('O'), VALUES[0]!).byte('N'), VALUES[2]!)),
    rowFrame('D', 900, (f) => tuple(f.byte('K'), VALUES[2]!)),
    frame().byte('E').build(),
    frame().byte('A').int32(900).int32(901).build(),
    frame().byte('c').int32(900).byte(0).int64(0x600n).int64(0x628n).int64(1000n).build(),
  ];
}

/** Protocol 3: two-phase messages, plain and streamed. */
function twoPhaseFrames(): Buffer[] {
  return [
    frame().byte('b').int64(0x700n).int64(0x728n).int64(2000n).int32(950).cstring('gid "1"').build(),
    rowFrame('I', undefined, (f) => tuple(f.byte('N'), VALUES[0]!)),
    frame().byte('P').byte(0).int64(0x700n).int64(0x728n).int64(2000n).int32(950).cstring('gid "1"').build(),
    frame().byte('K').byte(0).int64(0x800n).int64(0x828n).int64(3000n).int32(950).cstring('g').build(),
    frame().byte('r').byte(0).int64(0x728n).int64(0x900n).int64(2000n).int64(4000n).int32(951).cstring('g2').build(),
    frame().byte('S').int32(960).byte(0).build(),
    frame().byte('E').build(),
    frame().byte('p').byte(0).int64(0xa00n).int64(0xa28n).int64(5000n).int32(960).cstring('g3').build(),
  ];
}

/** Protocol 4: a streamed abort carrying its LSN and time. */
function parallelAbortFrames(): Buffer[] {
  return [
    frame().byte('S').int32(970).byte(1).build(),
    frame().byte('E').build(),
    frame().byte('A').int32(970).int32(970).int64(0xb00n).int64(6000n).build(),
  ];
}

/** Every pgoutput message type the protocol version can carry, in a plausible order. */
function corpus(proto: number): Buffer[] {
  return [
    ...protocolOneFrames(),
    ...(proto >= 2 ? streamingFrames() : []),
    ...(proto >= 3 ? twoPhaseFrames() : []),
    ...(proto >= 4 ? parallelAbortFrames() : []),
  ];
}

/** The same frames through an eager decoder (reference) and a lazy one (written as bytes). */
function bothWays(proto: number, frames: Buffer[]): { reference: DecodedMessage[]; lazy: DecodedMessage[] } {
  const eager = new PgoutputDecoder(proto);
  const lazy = new PgoutputDecoder(proto, true);
  return {
    reference: frames.map((f, i) => eager.decode(f, LSN + BigInt(i))),
    // The lazy decoder gets a reused buffer, as from the socket: its row images must not share it.
    lazy: frames.map((f, i) => {
      const scratch = Buffer.from(f);
      const m = lazy.decode(scratch, LSN + BigInt(i));
      scratch.fill(0x7a);
      return m;
    }),
  };
}

function bytesOf(m: DecodedMessage, seq?: number): string {
  const out = new JsonBytes(16);
  writeMessageJson(out, m, true, seq);
  return out.view().toString('latin1');
}
const latin1 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

describe('NDJSON bytes written from the wire equal messageJson byte for byte', () => {
  for (const proto of [1, 2, 3, 4]) {
    it(`every pgoutput message type of protocol ${proto}: odd column names, NULL, unchanged TOAST, binary, escapes`, () => {
      const { reference, lazy } = bothWays(proto, corpus(proto));
      const types = new Set(reference.map((m) => m.type));
      expect(types.size).toBeGreaterThanOrEqual(proto === 1 ? 10 : 14);
      for (let i = 0; i < reference.length; i++) {
        expect(bytesOf(lazy[i]!)).toBe(latin1(messageJson(reference[i]!)));
        expect(bytesOf(lazy[i]!, i)).toBe(latin1(messageJson(reference[i]!, i)));
        // Eagerly decoded row images (the engine API's default) take the same path.
        expect(bytesOf(reference[i]!, i)).toBe(latin1(messageJson(reference[i]!, i)));
      }
    });
  }

  it('lazily decoded row images read back as the eager values, after the read buffer was reused', () => {
    const { reference, lazy } = bothWays(4, corpus(4));
    const images = (ms: DecodedMessage[]): unknown[] =>
      ms.flatMap((m) =>
        m.type === 'insert' || m.type === 'update' || m.type === 'delete'
          ? [[m.type === 'insert' ? [] : [m.old?.values, m.key?.values], m.type === 'delete' ? [] : m.new.values]]
          : [],
      );
    expect(images(lazy)).toEqual(images(reference));
    expect(lazy.map((m) => messageJson(m))).toEqual(reference.map((m) => messageJson(m)));
  });

  it('any column name and any text value', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: 'grapheme', maxLength: 8 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.constant(null), fc.constant(undefined)), {
          minLength: 5,
          maxLength: 5,
        }),
        (names, cells) => {
          const values = names.map((_, i) => cells[i]);
          const frames = [
            relationFrame(
              1,
              's',
              't',
              names.map((name) => ({ name })),
            ),
            tuple(frame().byte('I').int32(1).byte('N'), values).build(),
          ];
          const { reference, lazy } = bothWays(1, frames);
          expect(bytesOf(lazy[1]!, 7)).toBe(latin1(messageJson(reference[1]!, 7)));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
    // 2,000 runs take ~1.5 s alone and went past the 5 s default once beside other test files.
  }, 30_000);

  it('LSNs and integers as formatLsn and String write them, past 2^53 too', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.nat(), (lsn, n) => {
        const out = new JsonBytes(4);
        out.lsn(lsn);
        out.uint(n);
        expect(out.view().toString()).toBe(`${JSON.stringify(formatLsn(lsn))}${n}`);
      }),
    );
    const out = new JsonBytes(4);
    for (const lsn of [0n, 2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 64n - 1n]) out.lsn(lsn);
    out.uint(0xffff_ffff);
    expect(out.view().toString()).toBe('"0/0""1FFFFF/FFFFFFFF""200000/1""FFFFFFFF/FFFFFFFF"4294967295');
  });

  it('other decoders, whose field order differs, are written by the reference encoder', () => {
    const m = new TestDecodingDecoder().decode(Buffer.from('BEGIN 5'), LSN);
    const out = new JsonBytes(16);
    writeMessageJson(out, m, false);
    expect(out.view().toString()).toBe(messageJson(m));
  });
});

describe('NdjsonWriter', () => {
  it('writes the lines in order, unchanged, through flushes of a reused buffer and a stream that keeps chunks', async () => {
    const { lazy } = bothWays(4, corpus(4));
    const expected: string[] = [];
    const chunks: Buffer[] = [];
    // Keeps every chunk it was given (as a PassThrough does): a reused buffer would show here.
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    const out = new NdjsonWriter(sink, 200);
    for (let round = 0; round < 20; round++) {
      for (const m of lazy) {
        out.writeMessage(m, true);
        expected.push(messageJson(m));
      }
      out.write({ type: 'gap', round });
      expected.push(JSON.stringify({ type: 'gap', round }));
    }
    await out.close();
    expect(chunks.length).toBeGreaterThan(10);
    expect(Buffer.concat(chunks).toString()).toBe(expected.map((l) => `${l}\n`).join(''));
  });
});
