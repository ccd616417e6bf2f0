import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from '../../shared/lsn';
import type { WalRecordJson } from '../../shared/wal';
import { ProtocolError } from '../protocol/protocol-error';
import { crc32c } from './crc32c';
import { WalDecoder } from './wal-decoder';
import { toWalRecordJson } from './wal-json';
import { decodeWalRecord } from './wal-record';

// 12 pages of real PostgreSQL 18 WAL (test/wal/capture-wal-fixture.ts) that open inside a record
// continued from earlier pages, and what pg_walinspect read from the same bytes.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const BYTES = fs.readFileSync(path.join(HERE, 'fixtures/pg18-wal.bin'));
const FIXTURE = JSON.parse(fs.readFileSync(path.join(HERE, 'fixtures/pg18-wal.json'), 'utf8')) as {
  start: string;
  blockSize: number;
  segmentSize: number;
  major: number;
  records: Record<string, unknown>[];
};
const START = parseLsn(FIXTURE.start);
const FIELDS = [
  'lsn',
  'endLsn',
  'prevLsn',
  'xid',
  'rmgr',
  'recordType',
  'recordLength',
  'mainDataLength',
  'fpiLength',
] as const;

function decodeChunks(chunks: Buffer[], startLsn = START): WalRecordJson[] {
  const out: WalRecordJson[] = [];
  const dec = new WalDecoder({ major: 18, blockSize: 8192, segmentSize: FIXTURE.segmentSize, startLsn }, (r) =>
    out.push(toWalRecordJson(r, 18)),
  );
  let at = START;
  for (const c of chunks) {
    dec.push(c, at);
    at += BigInt(c.length);
  }
  return out;
}

const summary = (rs: WalRecordJson[]): Record<string, unknown>[] =>
  rs.map((r) => Object.fromEntries(FIELDS.map((f) => [f, r[f]])));

function splitAt(offsets: number[]): Buffer[] {
  const cuts = [0, ...offsets.sort((a, b) => a - b), BYTES.length];
  return cuts.slice(1).map((end, i) => BYTES.subarray(cuts[i], end));
}

describe('CRC-32C', () => {
  it('matches the standard check value of the Castagnoli polynomial', () => {
    expect(crc32c(Buffer.from('123456789')).toString(16)).toBe('e3069283');
  });
});

describe('WAL decoder on recorded PostgreSQL 18 WAL', () => {
  const whole = decodeChunks([BYTES]);

  it('starts inside a continued record, then equals pg_walinspect record for record', () => {
    expect(FIXTURE.records.length).toBeGreaterThan(300);
    expect(whole[0]!.lsn).not.toBe(FIXTURE.start); // the first pages are a continuation
    expect(summary(whole)).toEqual(FIXTURE.records);
  });

  it('gives the same records however the bytes are split: around every page boundary and record start, and at random', () => {
    // Cheap fingerprint per run (LSN, length, CRC of each record): the JSON is compared once above.
    const fingerprint = (chunks: Buffer[]): string => {
      const parts: string[] = [];
      const dec = new WalDecoder(
        { major: 18, blockSize: 8192, segmentSize: FIXTURE.segmentSize, startLsn: START },
        (r) => parts.push(`${r.lsn}:${r.totalLength}:${r.bytes.readUInt32LE(20)}`),
      );
      let at = START;
      for (const c of chunks) {
        dec.push(c, at);
        at += BigInt(c.length);
      }
      return parts.join(',');
    };
    const expected = fingerprint([BYTES]);
    const offsets = new Set<number>();
    for (let p = 8192; p < BYTES.length; p += 8192) for (let d = -24; d <= 24; d++) offsets.add(p + d);
    for (const r of whole.slice(0, 40)) {
      const at = Number(parseLsn(r.lsn) - START);
      for (let d = -8; d <= 32; d++) offsets.add(at + d);
    }
    for (let o = 1; o <= 64; o++) offsets.add(o);
    for (const o of offsets) if (o > 0 && o < BYTES.length) expect(fingerprint(splitAt([o]))).toBe(expected);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: BYTES.length - 1 }), { maxLength: 40 }), (cuts) => {
        expect(fingerprint(splitAt(cuts))).toBe(expected);
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('hands on only records that begin at or after the start LSN', () => {
    const third = parseLsn(whole[2]!.lsn);
    expect(decodeChunks([BYTES], third)[0]!.lsn).toBe(whole[2]!.lsn);
    expect(decodeChunks([BYTES], third + 1n)[0]!.lsn).toBe(whole[3]!.lsn);
  });

  it('reports a corrupted record as a CRC mismatch naming its LSN, after handing on the records before it', () => {
    const target = whole[10]!;
    const bad = Buffer.from(BYTES);
    const at = Number(parseLsn(target.lsn) - START) + 26; // inside the record, past its header
    bad[at] = bad[at]! ^ 0x01;
    const out: string[] = [];
    const dec = new WalDecoder({ major: 18, blockSize: 8192, segmentSize: FIXTURE.segmentSize, startLsn: START }, (r) =>
      out.push(formatLsn(r.lsn)),
    );
    let err: unknown;
    try {
      dec.push(bad, START);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).details.lsn).toBe(parseLsn(target.lsn));
    expect((err as ProtocolError).message).toMatch(/checksum/);
    expect(out).toEqual(whole.slice(0, 10).map((r) => r.lsn));
  });

  it('refuses a chunk that does not continue the previous one (a gap)', () => {
    const dec = new WalDecoder(
      { major: 18, blockSize: 8192, segmentSize: FIXTURE.segmentSize, startLsn: START },
      () => undefined,
    );
    dec.push(BYTES.subarray(0, 8192), START);
    expect(() => dec.push(BYTES.subarray(16384, 24576), START + 16384n)).toThrow(ProtocolError);
  });

  it('on any corruption of the bytes returns records or throws ProtocolError, nothing else', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: BYTES.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 1, max: BYTES.length - 1 }),
        (edits, cut) => {
          const bad = Buffer.from(BYTES);
          for (const [at, v] of edits) bad[at] = v;
          try {
            const dec = new WalDecoder(
              { major: 18, blockSize: 8192, segmentSize: FIXTURE.segmentSize, startLsn: START },
              () => undefined,
            );
            dec.push(bad.subarray(0, cut), START);
            dec.push(bad.subarray(cut), START + BigInt(cut));
          } catch (e) {
            if (!(e instanceof ProtocolError)) throw e;
          }
        },
      ),
      { numRuns: Number(process.env['WALSCOPE_FUZZ_RUNS'] ?? 300) },
    );
  });
});

describe('WAL record parser', () => {
  it('on arbitrary bytes returns a record or throws ProtocolError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 24, maxLength: 400 }), fc.constantFrom(12, 15, 18), (bytes, major) => {
        try {
          decodeWalRecord({ lsn: 0x1000n, endLsn: 0x2000n, bytes: Buffer.from(bytes) }, { major, blockSize: 8192 });
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
      }),
      { numRuns: Number(process.env['WALSCOPE_FUZZ_RUNS'] ?? 2000) },
    );
  });
});
