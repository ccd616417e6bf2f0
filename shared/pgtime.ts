/**
 * PostgreSQL timestamps on the replication wire are microseconds since 2000-01-01 00:00:00 UTC
 * (the "PostgreSQL epoch"), not the Unix epoch.
 * https://www.postgresql.org/docs/current/protocol-replication.html
 */
export type PgMicros = bigint;

/** 2000-01-01T00:00:00Z in microseconds since the Unix epoch. */
export const PG_EPOCH_UNIX_MICROS = 946_684_800_000_000n;

export function pgMicrosFromUnixMs(unixMs: number): PgMicros {
  return BigInt(Math.round(unixMs * 1000)) - PG_EPOCH_UNIX_MICROS;
}

export function unixMsFromPgMicros(pg: PgMicros): number {
  return Number((pg + PG_EPOCH_UNIX_MICROS) / 1000n);
}

/** ISO 8601 with microseconds, e.g. 2026-11-22T13:31:03.123456Z. */
export function formatPgMicros(pg: PgMicros): string {
  const unixMicros = pg + PG_EPOCH_UNIX_MICROS;
  const ms = unixMicros / 1000n;
  const micros = ((unixMicros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // yyyy-mm-ddThh:mm:ss.mmmZ
  return `${iso.slice(0, 19)}.${micros.toString().padStart(6, '0')}Z`;
}

export function nowPgMicros(): PgMicros {
  return pgMicrosFromUnixMs(Date.now());
}
