/**
 * PostgreSQL duration settings (GUCs such as wal_sender_timeout) in the text form SHOW prints,
 * and the same form where the CLI accepts a duration (--interval 1s).
 * https://www.postgresql.org/docs/current/config-setting.html#CONFIG-SETTING-NAMES-VALUES
 */
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a GUC duration as SHOW prints it ('60s', '1min', '500ms', '0'); a bare number uses `unit` (default ms). */
export function parseDurationSetting(value: string, unit: string | null = 'ms'): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(value);
  if (!m) throw new RangeError(`not a duration: ${JSON.stringify(value)}`);
  const n = Number(m[1]);
  const u = m[2] ?? unit ?? 'ms';
  const factor = UNIT_MS[u];
  if (factor === undefined) throw new RangeError(`unknown duration unit ${JSON.stringify(u)}`);
  return n * factor;
}
