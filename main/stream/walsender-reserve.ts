import { WalscopeError } from '../../shared/errors';

/**
 * Every replication connection — a standby, pg_basebackup, a subscription, WALscope's own streams
 * — takes one of the server's max_wal_senders walsender slots (since PostgreSQL 12 they are their
 * own pool, not part of max_connections). When they are all taken a standby that reconnects is
 * refused ("number of requested standby connections exceeds max_wal_senders") and falls behind.
 * So WALscope refuses to start a stream that would leave fewer than a reserve of slots free.
 * https://www.postgresql.org/docs/current/runtime-config-replication.html#GUC-MAX-WAL-SENDERS
 */

/** A number of slots to keep free, or `auto`: 20% of max_wal_senders, at least 2. */
export type WalsenderReserve = number | 'auto';

export const DEFAULT_WALSENDER_RESERVE: WalsenderReserve = 'auto';

export interface WalsenderUsage {
  /** Walsenders running now, this connection included when it is one. */
  inUse: number;
  max: number;
}

/**
 * pg_stat_get_wal_senders() (the function behind pg_stat_replication) lists every walsender with
 * its pid to any role, also before START_REPLICATION; pg_stat_activity hides backend_type from a
 * role without pg_read_all_stats, so counting there would see none of the other users' senders.
 */
export const WALSENDER_USAGE_SQL =
  `SELECT (SELECT count(*) FROM pg_stat_get_wal_senders())::int AS in_use, ` +
  `current_setting('max_wal_senders')::int AS max`;

export function reserveFor(setting: WalsenderReserve, max: number): number {
  return setting === 'auto' ? Math.max(2, Math.ceil(max * 0.2)) : setting;
}

/** Parses a configured reserve (flag or environment value); `what` names it in the error. */
export function parseWalsenderReserve(text: string, what: string): WalsenderReserve {
  if (text === 'auto') return 'auto';
  if (/^\d{1,4}$/.test(text)) return Number(text);
  throw new WalscopeError({
    code: 'INVALID_ARGUMENT',
    message: `${what} must be a number of walsender slots (0 or more) or "auto", not ${JSON.stringify(text)}`,
    hint: '"auto" keeps 20% of max_wal_senders (at least 2) free for standbys.',
  });
}

/**
 * Throws LIMIT when `usage` (counted with this connection already running) leaves fewer than the
 * reserve free. `what` names what was being started ("this stream", "this temporary slot").
 */
export function assertWalsenderReserve(usage: WalsenderUsage, setting: WalsenderReserve, what: string): void {
  const reserve = reserveFor(setting, usage.max);
  const free = usage.max - usage.inUse;
  if (free >= reserve) return;
  throw new WalscopeError({
    code: 'LIMIT',
    message:
      `${what} would leave ${Math.max(free, 0)} of ${usage.max} walsender slots (max_wal_senders) free ` +
      `(${usage.inUse} in use, counting it); WALscope keeps ${reserve} free for standbys and other replication clients`,
    hint: 'Stop a stream (here or elsewhere), raise max_wal_senders (needs a restart), or lower the reserve (--walsender-reserve / WALSCOPE_WALSENDER_RESERVE).',
  });
}

/** Reads the usage through any connection that runs SQL (a logical replication connection does). */
export async function checkWalsenderReserve(
  run: (sql: string) => Promise<{ rows: (string | Buffer | null)[][] }>,
  setting: WalsenderReserve,
  what: string,
): Promise<WalsenderUsage> {
  const row = (await run(WALSENDER_USAGE_SQL)).rows[0];
  const usage = { inUse: Number(row?.[0]), max: Number(row?.[1]) };
  assertWalsenderReserve(usage, setting, what);
  return usage;
}
