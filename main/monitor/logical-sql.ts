/**
 * Catalog reads for logical replication, per server version (12–18). Views whose columns change
 * between majors are read whole as `to_jsonb(row)` so every column the version has arrives and a
 * missing one is simply absent (the reader turns it into null and a "not on this version" note).
 * https://www.postgresql.org/docs/current/logical-replication-monitoring.html
 */

/** pg_publication (pubviaroot 13+, pubgencols 18) with owner and, 15+, its FOR TABLES IN SCHEMA list. */
export function publicationsSql(v: number): string {
  const schemas =
    v >= 150000
      ? `coalesce((SELECT array_agg(n.nspname::text ORDER BY n.nspname) FROM pg_publication_namespace pn
                   JOIN pg_namespace n ON n.oid = pn.pnnspid WHERE pn.pnpubid = p.oid), '{}')`
      : `'{}'::text[]`;
  return `
SELECT to_jsonb(p) AS row, pg_get_userbyid(p.pubowner)::text AS owner, ${schemas} AS schemas
  FROM pg_publication p ORDER BY p.pubname`;
}

/**
 * Every table each publication publishes (pg_publication_tables expands FOR ALL TABLES and
 * TABLES IN SCHEMA), with its column list and row filter (15+) and what its replica identity is
 * made of: REPLICA IDENTITY DEFAULT needs a primary key; USING INDEX needs that index to exist.
 */
export function publicationTablesSql(v: number): string {
  // attnames lists every column when a table has no column list (18): only pg_publication_rel's
  // prattrs says whether there is one.
  const extra =
    v >= 150000
      ? `CASE WHEN (SELECT pr.prattrs IS NOT NULL FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
                     WHERE p.pubname = pt.pubname AND pr.prrelid = c.oid) THEN pt.attnames::text[] END AS attnames,
         pt.rowfilter AS rowfilter`
      : `NULL::text[] AS attnames, NULL::text AS rowfilter`;
  return `
SELECT pt.pubname::text AS pubname, pt.schemaname::text AS schemaname, pt.tablename::text AS tablename, ${extra},
       c.relreplident::text AS relreplident,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident) AS has_identity_index
  FROM pg_publication_tables pt
  JOIN pg_namespace n ON n.nspname = pt.schemaname
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename
 ORDER BY pt.pubname, pt.schemaname, pt.tablename`;
}

export const DECODING_STATS_SQL = `SELECT to_jsonb(s) AS row FROM pg_stat_replication_slots s ORDER BY s.slot_name`;

/**
 * The pg_subscription columns this role may read: subconninfo is readable only by superusers
 * (column privileges), so the list is built from has_column_privilege and the reader says when
 * the connection string is hidden instead of failing.
 */
export const SUBSCRIPTION_COLUMNS_SQL = `
SELECT a.attname::text AS name
  FROM pg_attribute a
 WHERE a.attrelid = 'pg_catalog.pg_subscription'::regclass AND a.attnum > 0 AND NOT a.attisdropped
   AND has_column_privilege('pg_catalog.pg_subscription'::regclass, a.attnum, 'SELECT')
 ORDER BY a.attnum`;

const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Only the current database's subscriptions: the others' tables and workers are not visible here. */
export function subscriptionsSql(readable: readonly string[]): string {
  const cols = ['oid', ...readable.filter((c) => c !== 'oid')].map(quoteIdent).join(', ');
  return `
SELECT to_jsonb(x) AS row, pg_get_userbyid(x.subowner)::text AS owner
  FROM (SELECT ${cols} FROM pg_catalog.pg_subscription
         WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) x
 ORDER BY x.subname`;
}

export const SUBSCRIPTION_WORKERS_SQL = `
SELECT to_jsonb(w) AS row, CASE WHEN w.relid IS NULL THEN NULL ELSE w.relid::regclass::text END AS table_name
  FROM pg_stat_subscription w ORDER BY w.subid, w.pid`;

export const SUBSCRIPTION_RELS_SQL = `
SELECT r.srsubid::int8 AS subid, n.nspname::text AS schemaname, c.relname::text AS tablename,
       r.srsubstate::text AS state, r.srsublsn::text AS lsn
  FROM pg_subscription_rel r
  JOIN pg_class c ON c.oid = r.srrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 ORDER BY r.srsubid, n.nspname, c.relname`;

export const SUBSCRIPTION_STATS_SQL = `SELECT to_jsonb(s) AS row FROM pg_stat_subscription_stats s`;

/** The applied position per subscription: its replication origin is named pg_<subscription oid>. */
export const APPLIED_SQL = `
SELECT substring(o.external_id from 4)::int8 AS subid, o.remote_lsn::text AS remote_lsn
  FROM pg_replication_origin_status o WHERE o.external_id ~ '^pg_[0-9]+$'`;

export const APPLIED_READABLE_SQL = `SELECT has_table_privilege('pg_catalog.pg_replication_origin_status', 'SELECT') AS ok`;

export const COPY_PROGRESS_SQL = `
SELECT p.pid, CASE WHEN p.relid = 0 THEN NULL ELSE p.relid::regclass::text END AS table_name,
       p.command, p.type, p.bytes_processed, p.bytes_total, p.tuples_processed
  FROM pg_stat_progress_copy p ORDER BY p.pid`;

/**
 * On a standby: its WAL receiver, with replay lag in bytes (flushed − replayed) and time.
 * flushed_lsn was called received_lsn before 13.
 */
export function walReceiverSql(v: number): string {
  const flushed = v >= 130000 ? 'w.flushed_lsn' : 'w.received_lsn';
  return `
SELECT to_jsonb(w) AS row, ${flushed}::text AS flushed, pg_last_wal_replay_lsn()::text AS replay_lsn,
       pg_wal_lsn_diff(${flushed}, pg_last_wal_replay_lsn())::text AS replay_lag_bytes,
       (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS replay_lag_ms
  FROM pg_stat_wal_receiver w`;
}

export const LOGICAL_SETTINGS_SQL = `
SELECT inet_server_port() AS port, current_setting('logical_decoding_work_mem', true) AS work_mem`;

/** Logical walsenders and the slot each streams (the publisher's view of each subscriber's lag). */
export const SLOT_CONSUMERS_SQL = `
SELECT s.slot_name::text AS slot, r.pid, coalesce(r.application_name, '') AS application_name,
       host(r.client_addr) AS client_addr,
       (extract(epoch FROM r.write_lag) * 1000)::float8 AS write_lag_ms,
       (extract(epoch FROM r.flush_lag) * 1000)::float8 AS flush_lag_ms,
       (extract(epoch FROM r.replay_lag) * 1000)::float8 AS replay_lag_ms,
       r.reply_time::text AS reply_time
  FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid
 WHERE s.slot_type = 'logical' ORDER BY s.slot_name`;
