import { describe, expect, it } from 'vitest';
import { WalscopeError } from '../../shared/errors';
import { assertWalsenderReserve, parseWalsenderReserve, reserveFor } from './walsender-reserve';

function refusal(fn: () => void): WalscopeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WalscopeError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('walsender reserve', () => {
  it('auto keeps 20% of max_wal_senders free, at least 2; a number is taken as given', () => {
    expect(reserveFor('auto', 10)).toBe(2);
    expect(reserveFor('auto', 20)).toBe(4);
    expect(reserveFor('auto', 21)).toBe(5);
    expect(reserveFor('auto', 3)).toBe(2);
    expect(reserveFor(0, 10)).toBe(0);
    expect(reserveFor(7, 10)).toBe(7);
  });

  it('passes while the reserve stays free, counting the new connection', () => {
    expect(() => assertWalsenderReserve({ inUse: 8, max: 10 }, 2, 'starting this stream')).not.toThrow();
    expect(() => assertWalsenderReserve({ inUse: 10, max: 10 }, 0, 'starting this stream')).not.toThrow();
  });

  it('refuses with LIMIT and a message naming in use, max and reserve', () => {
    const e = refusal(() => assertWalsenderReserve({ inUse: 9, max: 10 }, 'auto', 'starting this stream'));
    expect(e.code).toBe('LIMIT');
    expect(e.message).toBe(
      'starting this stream would leave 1 of 10 walsender slots (max_wal_senders) free (9 in use, counting it); WALscope keeps 2 free for standbys and other replication clients',
    );
    expect(e.hint).toMatch(/max_wal_senders/);
  });

  it('parses "auto" and whole numbers; anything else is an error naming the setting', () => {
    expect(parseWalsenderReserve('auto', '--walsender-reserve')).toBe('auto');
    expect(parseWalsenderReserve('0', '--walsender-reserve')).toBe(0);
    expect(parseWalsenderReserve('3', '--walsender-reserve')).toBe(3);
    for (const bad of ['-1', '2.5', 'lots', '']) {
      const e = refusal(() => parseWalsenderReserve(bad, 'WALSCOPE_WALSENDER_RESERVE'));
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toMatch(/^WALSCOPE_WALSENDER_RESERVE must be/);
    }
  });
});
