import { describe, expect, it } from 'vitest';
import { WalscopeError } from '../../shared/errors';
import { clientLimitsFrom, DEFAULT_CLIENT_LIMITS, streamAllowance } from './client-limits';

describe('client limits', () => {
  it('defaults to 4 replication connections, 4 servers and an automatic walsender reserve', () => {
    expect(clientLimitsFrom({})).toEqual({ maxStreams: 4, maxSessions: 16, walsenderReserve: 'auto' });
    expect(DEFAULT_CLIENT_LIMITS.maxStreams).toBe(4);
  });

  it('reads WALSCOPE_* variables; explicit options win', () => {
    const env = { WALSCOPE_MAX_STREAMS: '2', WALSCOPE_MAX_SESSIONS: '9', WALSCOPE_WALSENDER_RESERVE: '0' };
    expect(clientLimitsFrom(env)).toEqual({ maxStreams: 2, maxSessions: 9, walsenderReserve: 0 });
    expect(clientLimitsFrom(env, { maxStreams: 6 }).maxStreams).toBe(6);
    // Resolved once at start-up (serve), a bad variable cannot fail each later client.
    expect(clientLimitsFrom({ WALSCOPE_MAX_STREAMS: 'x' }, { maxStreams: 3, maxSessions: 1 }).maxStreams).toBe(3);
  });

  it('an invalid value is an error naming the variable, not a silent default', () => {
    for (const [k, v] of [
      ['WALSCOPE_MAX_STREAMS', '0'],
      ['WALSCOPE_MAX_SESSIONS', 'many'],
      ['WALSCOPE_WALSENDER_RESERVE', '-2'],
    ] as const) {
      expect(() => clientLimitsFrom({ [k]: v })).toThrow(new RegExp(`^${k} must be`));
    }
  });

  it('an allowance refuses past its maximum with LIMIT and frees each grant once', () => {
    const a = streamAllowance(2);
    const first = a.acquire();
    a.acquire();
    let err: unknown;
    try {
      a.acquire();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WalscopeError);
    expect((err as WalscopeError).code).toBe('LIMIT');
    expect((err as WalscopeError).message).toMatch(/holds 2 of its 2 replication connections/);
    first();
    first(); // a second release of the same grant changes nothing
    expect(a.inUse).toBe(1);
    a.acquire();
    expect(() => a.acquire()).toThrow(WalscopeError);
  });
});
