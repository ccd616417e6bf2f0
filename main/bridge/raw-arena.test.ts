import { describe, expect, it } from 'vitest';
import { RawArena } from './raw-arena';

const row = (seq: number, len: number): Buffer => Buffer.alloc(len, seq % 251);

describe('raw arena', () => {
  it('returns each row exactly while held, and nothing once overwritten or evicted', () => {
    const arena = new RawArena(1000, 8);
    const lens = [1, 37, 100, 250, 3, 249, 90, 250, 17, 60, 200, 120, 5, 250, 250, 1];
    let written = 0;
    const startOf: number[] = [];
    lens.forEach((len, seq) => {
      // Mirror of the rule: a row that does not fit before the end starts at the next wrap.
      if ((written % 1000) + len > 1000) written += 1000 - (written % 1000);
      startOf[seq] = written;
      written += len;
      arena.put(seq, row(seq, len));
      for (let s = 0; s <= seq; s++) {
        const held = seq - s < 8 && written - startOf[s]! <= 1000;
        const got = arena.get(s);
        if (held) expect(got).toEqual(row(s, lens[s]!));
        else expect(got).toBeUndefined();
      }
    });
  });

  it('does not hold rows larger than a quarter of the arena, nor answer unknown sequence numbers', () => {
    const arena = new RawArena(1000, 8);
    arena.put(0, row(0, 251));
    arena.put(1, row(1, 10));
    expect(arena.get(0)).toBeUndefined();
    expect(arena.get(1)).toEqual(row(1, 10));
    expect(arena.get(9)).toBeUndefined();
    expect(arena.get(-1)).toBeUndefined();
    expect(arena.get(1.5)).toBeUndefined();
  });

  it('hands out a copy, not a view the next rows overwrite', () => {
    const arena = new RawArena(100, 4);
    arena.put(0, row(0, 20));
    const got = arena.get(0)!;
    for (let s = 1; s < 20; s++) arena.put(s, row(s, 20));
    expect(got).toEqual(row(0, 20));
  });
});
