/**
 * Log sequence numbers. Inside WALscope an LSN is always a `bigint` (a 64-bit WAL byte position);
 * the text form `X/X` (upper-case hex, unpadded, as the server prints it) exists only at the edges:
 * CLI output, JSON, IPC and user input.
 * https://www.postgresql.org/docs/current/datatype-pg-lsn.html
 */
export type Lsn = bigint;

const MAX_LSN: Lsn = 0xffff_ffff_ffff_ffffn;

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** Parses `X/X`; throws a RangeError naming the input when it is not an LSN. */
export function parseLsn(text: string): Lsn {
  const m = LSN_TEXT.exec(text.trim());
  if (!m) throw new RangeError(`not an LSN: ${JSON.stringify(text)} (expected hex "X/X", e.g. 0/16B3748)`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  if (lsn < 0n || lsn > MAX_LSN) throw new RangeError(`LSN out of range: ${lsn}`);
  // Below 2^53 (8 PiB of WAL) Number(lsn) is exact and the halves need no bigint arithmetic,
  // which allocates; this runs for every WAL record and row written out.
  const n = Number(lsn);
  const exact = n <= Number.MAX_SAFE_INTEGER;
  const hi = exact ? Math.floor(n / 0x1_0000_0000) : Number(lsn >> 32n);
  const lo = exact ? n - hi * 0x1_0000_0000 : Number(lsn & 0xffff_ffffn);
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** Bytes from `from` to `to` (like pg_wal_lsn_diff(to, from)); negative when `to` is behind. */
export function lsnDiff(to: Lsn, from: Lsn): bigint {
  return to - from;
}
