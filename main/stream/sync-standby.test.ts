import { describe, expect, it } from 'vitest';
import { couldBeSynchronous, parseSyncStandbyNames } from './sync-standby';

describe('synchronous_standby_names', () => {
  it.each([
    ['', []],
    ['*', ['*']],
    ['s1, s2', ['s1', 's2']],
    ['FIRST 1 (s1, "Walscope/0.1.0")', ['s1', 'Walscope/0.1.0']],
    ['ANY 2 (a,b,c)', ['a', 'b', 'c']],
    ['2 (a, "x""y")', ['a', 'x"y']],
  ])('parses %j', (value, names) => {
    expect(parseSyncStandbyNames(value)).toEqual(names);
  });
  it('flags a setting that could pick our connection', () => {
    expect(couldBeSynchronous('*', 'walscope/0.1.0')).toBe(true);
    expect(couldBeSynchronous('ANY 1 (replica1, *)', 'walscope/0.1.0')).toBe(true);
    expect(couldBeSynchronous('FIRST 1 ("walscope/0.1.0")', 'walscope/0.1.0')).toBe(true);
    expect(couldBeSynchronous('replica1, replica2', 'walscope/0.1.0')).toBe(false);
    expect(couldBeSynchronous('', 'walscope/0.1.0')).toBe(false);
  });
});
