/**
 * Catalog reads, per server version (12–18). `SELECT *` on the slot view keeps every column the
 * version has (wal_status 13+, two_phase 14+, conflicting 16+, inactive_since/failover/synced 17+,
 * invalidation_reason 17+); derived byte counts come from the server (pg_wal_lsn_diff) against one
 * current position read in the same statement, so they are mutually consistent.
 * https://www.postgresql.org/docs/current/view-pg-replication-slots.html
 */
const CURRENT = 'CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END';

export const OVERVIEW_SQL = `
SELECT (SELECT system_identifier::text FROM pg_control_system()) AS system_id,
       (SELECT timeline_id FROM pg_control_checkpoint()) AS timeline,
       current_setting('server_version') AS server_version,
       current_setting('server_version_num')::int AS server_version_num,
       current_setting('wal_level') AS wal_level,
       pg_is_in_recovery() AS in_recovery,
       (${CURRENT})::text AS current_lsn,
       coalesce(current_setting('max_slot_wal_keep_size', true), 'n/a') AS max_slot_wal_keep_size,
       current_setting('wal_sender_timeout') AS wal_sender_timeout,
       current_setting('synchronous_standby_names') AS synchronous_standby_names,
       current_setting('cluster_name') AS cluster_name,
       current_database() AS database,
       current_user AS "user",
       (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user) AS can_replicate,
       coalesce(host(inet_server_addr()), 'local socket') AS host,
       coalesce((SELECT array_agg(pubname::text ORDER BY pubname) FROM pg_publication), '{}') AS publications,
       coalesce((SELECT array_agg(DISTINCT plugin::text) FROM pg_replication_slots WHERE plugin IS NOT NULL), '{}') AS slot_plugins`;

export function slotsSql(serverVersionNum: number): string {
  const stats =
    serverVersionNum >= 140000
      ? `LEFT JOIN LATERAL (SELECT spill_txns AS stats_spill_txns, spill_count AS stats_spill_count,
                spill_bytes AS stats_spill_bytes, stream_txns AS stats_stream_txns, stream_count AS stats_stream_count,
                stream_bytes AS stats_stream_bytes, total_txns AS stats_total_txns, total_bytes AS stats_total_bytes
           FROM pg_stat_replication_slots st WHERE st.slot_name = s.slot_name) st ON true`
      : '';
  return `
WITH pos AS (SELECT ${CURRENT} AS current_lsn)
SELECT s.*, ${serverVersionNum >= 140000 ? 'st.*,' : ''}
       a.application_name AS consumer_application_name,
       pg_wal_lsn_diff(pos.current_lsn, s.restart_lsn)::text AS retained_bytes,
       pg_wal_lsn_diff(pos.current_lsn, s.confirmed_flush_lsn)::text AS pending_bytes,
       (SELECT r.application_name FROM pg_stat_replication r WHERE r.pid = s.active_pid) AS used_by_standby
  FROM pg_replication_slots s
  CROSS JOIN pos
  LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid
  ${stats}
 ORDER BY s.slot_name`;
}

/** Standby lag per stage against the primary's current position; time lags as the server measures them. */
export const STANDBYS_SQL = `
WITH pos AS (SELECT ${CURRENT} AS current_lsn)
SELECT r.pid, coalesce(r.application_name, '') AS application_name, r.client_addr::text AS client_addr,
       r.state, coalesce(r.sync_state, '') AS sync_state,
       r.sent_lsn::text, r.write_lsn::text, r.flush_lsn::text, r.replay_lsn::text,
       pg_wal_lsn_diff(pos.current_lsn, r.write_lsn)::text AS write_lag_bytes,
       pg_wal_lsn_diff(pos.current_lsn, r.flush_lsn)::text AS flush_lag_bytes,
       pg_wal_lsn_diff(pos.current_lsn, r.replay_lsn)::text AS replay_lag_bytes,
       (extract(epoch FROM r.write_lag) * 1000)::float8 AS write_lag_ms,
       (extract(epoch FROM r.flush_lag) * 1000)::float8 AS flush_lag_ms,
       (extract(epoch FROM r.replay_lag) * 1000)::float8 AS replay_lag_ms,
       r.reply_time,
       (SELECT s.slot_name::text FROM pg_replication_slots s WHERE s.active_pid = r.pid LIMIT 1) AS slot_name
  FROM pg_stat_replication r CROSS JOIN pos
 -- Logical walsenders (subscribers, pg_recvlogical, WALscope itself) are slot consumers, not standbys.
 WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots s WHERE s.active_pid = r.pid AND s.slot_type = 'logical')
 ORDER BY r.application_name, r.pid`;
