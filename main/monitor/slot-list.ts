import type pg from 'pg';

/**
 * The slots with their state and lag, every column the server version has (`SELECT *` keeps up
 * with new versions by itself), plus retained and pending WAL computed by the server from one
 * current position. On a standby the current position is what it has received.
 */
export const SLOT_LIST_SQL = `
WITH pos AS (
  SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END AS current_lsn
)
SELECT s.*,
       pos.current_lsn::text AS current_lsn,
       pg_wal_lsn_diff(pos.current_lsn, s.restart_lsn)::bigint AS retained_bytes,
       pg_wal_lsn_diff(pos.current_lsn, s.confirmed_flush_lsn)::bigint AS pending_bytes
  FROM pg_replication_slots s, pos
 ORDER BY s.slot_name`;

/** int8 columns pg returns as text; byte counts fit a double exactly below 8 PiB. */
const BIGINT_COLUMNS = new Set(['retained_bytes', 'pending_bytes', 'safe_wal_size']);

export type SlotRow = Record<string, string | number | boolean | null>;

/** Text in, JSON-friendly values out: LSNs stay text, counters become numbers where exact. */
export async function listSlots(client: pg.Client): Promise<SlotRow[]> {
  const res = await client.query<Record<string, unknown>>(SLOT_LIST_SQL);
  return res.rows.map((row) => {
    const out: SlotRow = {};
    for (const [k, v] of Object.entries(row)) {
      if (v === null || typeof v === 'boolean' || typeof v === 'number') out[k] = v;
      else if (v instanceof Date) out[k] = v.toISOString();
      else if (typeof v === 'string' && BIGINT_COLUMNS.has(k) && Number.isSafeInteger(Number(v))) out[k] = Number(v);
      else out[k] = String(v);
    }
    return out;
  });
}
