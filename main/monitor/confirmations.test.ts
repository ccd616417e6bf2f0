import { describe, expect, it } from 'vitest';
import { WalscopeError } from '../../shared/errors';
import { Confirmations, TOKEN_TTL_MS } from './confirmations';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof WalscopeError) return e.code;
    throw e;
  }
  return 'none';
}

describe('one-time confirmations', () => {
  it('a token confirms its own operation and slot, once', () => {
    const c = new Confirmations();
    const { token } = c.issue({ op: 'advance', slot: 'a', target: 42n });
    expect(c.take(token, 'advance', 'a')).toEqual({ op: 'advance', slot: 'a', target: 42n });
    expect(codeOf(() => c.take(token, 'advance', 'a'))).toBe('INVALID_ARGUMENT');
  });

  it('a token for another slot or another operation is used up and refused', () => {
    const c = new Confirmations();
    const drop = c.issue({ op: 'drop', slot: 'a' }).token;
    expect(codeOf(() => c.take(drop, 'advance', 'a'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => c.take(drop, 'drop', 'a'))).toBe('INVALID_ARGUMENT');
    const other = c.issue({ op: 'drop', slot: 'a' }).token;
    expect(codeOf(() => c.take(other, 'drop', 'b'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => c.take('forged', 'drop', 'a'))).toBe('INVALID_ARGUMENT');
  });

  it('a token expires after its lifetime', () => {
    let now = 1_000;
    const c = new Confirmations(() => now);
    const { token, expiresAtMs } = c.issue({ op: 'drop', slot: 'a' });
    expect(expiresAtMs).toBe(1_000 + TOKEN_TTL_MS);
    now += TOKEN_TTL_MS + 1;
    expect(codeOf(() => c.take(token, 'drop', 'a'))).toBe('INVALID_ARGUMENT');
  });
});
