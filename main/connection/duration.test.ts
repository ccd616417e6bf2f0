import { describe, expect, it } from 'vitest';
import { parseDurationSetting } from './duration';

describe('duration settings', () => {
  it('reads what SHOW prints, a bare number in the given unit, and refuses anything else', () => {
    expect(parseDurationSetting('60s')).toBe(60_000);
    expect(parseDurationSetting('1min')).toBe(60_000);
    expect(parseDurationSetting('500ms')).toBe(500);
    expect(parseDurationSetting('0')).toBe(0);
    expect(parseDurationSetting('2', 's')).toBe(2000);
    expect(() => parseDurationSetting('soon')).toThrow(RangeError);
  });
});
