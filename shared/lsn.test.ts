import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from './lsn';

/** The plain bigint reading of the format, for comparison. */
const reference = (lsn: bigint): string =>
  `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffff_ffffn).toString(16).toUpperCase()}`;

describe('formatLsn', () => {
  it('writes X/X (upper-case, unpadded halves) for any 64-bit position, and parseLsn reads it back', () => {
    const edges = [0n, 1n, 0xffff_ffffn, 0x1_0000_0000n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n];
    for (const lsn of edges) expect(formatLsn(lsn)).toBe(reference(lsn));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (lsn) => {
        expect(formatLsn(lsn)).toBe(reference(lsn));
        expect(parseLsn(formatLsn(lsn))).toBe(lsn);
      }),
    );
  });

  it('refuses positions outside 64 bits', () => {
    expect(() => formatLsn(-1n)).toThrow(RangeError);
    expect(() => formatLsn(2n ** 64n)).toThrow(RangeError);
  });
});
