import { WalscopeError } from '../../shared/errors';
import { DEFAULT_WALSENDER_RESERVE, parseWalsenderReserve, type WalsenderReserve } from '../stream/walsender-reserve';

/**
 * What one client (an Electron window or a serve-mode socket: one SessionManager) may hold on the
 * servers it watches. Without caps one client could take every walsender slot (streams, peeks,
 * temporary slots each hold a replication connection) and dozens of SQL sessions, leaving nothing
 * for real standbys. Set through the environment so Electron and serve mode share them:
 * WALSCOPE_MAX_STREAMS, WALSCOPE_MAX_SESSIONS, WALSCOPE_WALSENDER_RESERVE.
 */
export interface ClientLimits {
  /** Replication connections held at once: streams, peeks and temporary slots together. */
  maxStreams: number;
  /** Servers connected at once (each is one polling SQL session plus short-lived writes). */
  maxSessions: number;
  /** Walsender slots any new stream, peek or temporary slot must leave free on the server. */
  walsenderReserve: WalsenderReserve;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  maxStreams: 4,
  // One polling SQL session per server, each on a different server: a window shows a topology
  // (primary, standbys, cascades, subscribers; the demo alone is three), so this is the number of
  // servers, not a load on any one of them. Replication connections stay capped at 4.
  maxSessions: 16,
  walsenderReserve: DEFAULT_WALSENDER_RESERVE,
};

function count(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (/^\d{1,4}$/.test(text) && Number(text) >= 1) return Number(text);
  throw new WalscopeError({
    code: 'INVALID_ARGUMENT',
    message: `${name} must be a whole number from 1 to 9999, not ${JSON.stringify(text)}`,
  });
}

/** Explicit options win; a variable is read (and must be valid) only for what they leave unset. */
export function clientLimitsFrom(env: NodeJS.ProcessEnv, overrides: Partial<ClientLimits> = {}): ClientLimits {
  const reserve = env['WALSCOPE_WALSENDER_RESERVE'];
  return {
    maxStreams: overrides.maxStreams ?? count(env, 'WALSCOPE_MAX_STREAMS', DEFAULT_CLIENT_LIMITS.maxStreams),
    maxSessions: overrides.maxSessions ?? count(env, 'WALSCOPE_MAX_SESSIONS', DEFAULT_CLIENT_LIMITS.maxSessions),
    walsenderReserve:
      overrides.walsenderReserve ??
      (reserve === undefined || reserve === ''
        ? DEFAULT_CLIENT_LIMITS.walsenderReserve
        : parseWalsenderReserve(reserve, 'WALSCOPE_WALSENDER_RESERVE')),
  };
}

/**
 * A counted allowance. acquire() is synchronous, so requests racing each other are counted before
 * any of them awaits the server; each grant is released exactly once.
 */
export class Allowance {
  private held = 0;

  constructor(
    private readonly max: number,
    private readonly describe: (held: number, max: number) => WalscopeError,
  ) {}

  get inUse(): number {
    return this.held;
  }

  acquire(): () => void {
    if (this.held >= this.max) throw this.describe(this.held, this.max);
    this.held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
    };
  }
}

export function streamAllowance(max: number): Allowance {
  return new Allowance(
    max,
    (held, limit) =>
      new WalscopeError({
        code: 'LIMIT',
        message: `this window already holds ${held} of its ${limit} replication connections (streams, peeks and temporary slots); each takes one of the server's max_wal_senders`,
        hint: 'Stop a stream or disconnect a temporary slot first, or raise WALSCOPE_MAX_STREAMS.',
      }),
  );
}

export function sessionAllowance(max: number): Allowance {
  return new Allowance(
    max,
    (held, limit) =>
      new WalscopeError({
        code: 'LIMIT',
        message: `this window already has ${held} of its ${limit} server connections open`,
        hint: 'Disconnect a server first, or raise WALSCOPE_MAX_SESSIONS.',
      }),
  );
}
