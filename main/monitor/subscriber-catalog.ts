import type pg from 'pg';
import type {
  CopyProgress,
  SubscriptionStats,
  SubscriptionTable,
  SubscriptionView,
  SubscriptionWorker,
  WalReceiver,
} from '../../shared/contract/logical';
import { SYNC_STATES } from '../../shared/contract/logical';
import { parseConnectionString } from '../connection/conninfo';
import { redactConninfo } from './conninfo-redact';
import {
  APPLIED_READABLE_SQL,
  APPLIED_SQL,
  COPY_PROGRESS_SQL,
  SUBSCRIPTION_COLUMNS_SQL,
  SUBSCRIPTION_RELS_SQL,
  SUBSCRIPTION_STATS_SQL,
  SUBSCRIPTION_WORKERS_SQL,
  subscriptionsSql,
  walReceiverSql,
} from './logical-sql';
import { cellOf, numOf } from './publisher-catalog';
import type { RateTracker } from './rates';

type Row = Record<string, unknown>;
type Cell = string | number | boolean | null;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : numOf(v));

/** pg_subscription_rel.srsubstate → the state names the documentation uses. */
export function syncStateName(code: string): SubscriptionTable['state'] {
  switch (code) {
    case 'i':
      return 'init';
    case 'd':
      return 'data copy';
    case 'f':
      return 'finished copy';
    case 's':
      return 'synchronized';
    case 'r':
      return 'ready';
    default:
      return SYNC_STATES[SYNC_STATES.length - 1]!;
  }
}

/** Subscription options under their CREATE SUBSCRIPTION names, for the columns this version has. */
const OPTION_NAMES: Record<string, string> = {
  subbinary: 'binary',
  substream: 'streaming',
  subtwophasestate: 'two_phase',
  subdisableonerr: 'disable_on_error',
  suborigin: 'origin',
  subpasswordrequired: 'password_required',
  subrunasowner: 'run_as_owner',
  subfailover: 'failover',
  subsynccommit: 'synchronous_commit',
  subskiplsn: 'skip_lsn',
};
const NOT_OPTIONS = new Set([
  'oid',
  'subdbid',
  'subname',
  'subowner',
  'subenabled',
  'subconninfo',
  'subslotname',
  'subpublications',
]);

function optionValue(col: string, v: unknown): Cell {
  // substream is boolean before 16, then 'f' / 't' / 'p' (parallel); two_phase is d/p/e.
  if (col === 'substream' && typeof v === 'string') return { f: 'off', t: 'on', p: 'parallel' }[v] ?? v;
  if (col === 'subtwophasestate' && typeof v === 'string') return { d: 'disabled', p: 'pending', e: 'enabled' }[v] ?? v;
  return cellOf(v);
}

export function subscriptionTarget(conninfo: string | null): SubscriptionView['target'] {
  if (conninfo === null) return null;
  try {
    const c = parseConnectionString(conninfo);
    const port = c['port']?.split(',')[0];
    return { host: c['host']?.split(',')[0] ?? null, port: port ? Number(port) : 5432, dbname: c['dbname'] ?? null };
  } catch {
    return null;
  }
}

function workerType(row: Row): string {
  if (typeof row['worker_type'] === 'string') return row['worker_type'];
  if (row['relid'] !== null && row['relid'] !== undefined) return 'table synchronization';
  return row['leader_pid'] !== null && row['leader_pid'] !== undefined ? 'parallel apply' : 'apply';
}

function toWorker(row: Row, table: string | null): SubscriptionWorker {
  return {
    type: workerType(row),
    pid: numOrNull(row['pid']),
    leaderPid: numOrNull(row['leader_pid']),
    table,
    receivedLsn: str(row['received_lsn']),
    latestEndLsn: str(row['latest_end_lsn']),
    lastMsgSendTime: str(row['last_msg_send_time']),
    lastMsgReceiptTime: str(row['last_msg_receipt_time']),
    latestEndTime: str(row['latest_end_time']),
  };
}

function toStats(row: Row, rates: RateTracker, at: number): SubscriptionStats {
  const sub = String(row['subid']);
  const conflictKeys = Object.keys(row).filter((k) => k.startsWith('confl_'));
  const conflicts = conflictKeys.length
    ? Object.fromEntries(conflictKeys.map((k) => [k.slice('confl_'.length), numOf(row[k])]))
    : null;
  return {
    applyErrors: numOf(row['apply_error_count']),
    syncErrors: numOf(row['sync_error_count']),
    applyErrorsPerSec: rates.rate(`sub:${sub}:apply_error_count`, numOf(row['apply_error_count']), at),
    syncErrorsPerSec: rates.rate(`sub:${sub}:sync_error_count`, numOf(row['sync_error_count']), at),
    conflicts,
    conflictsPerSec: conflicts
      ? Object.fromEntries(Object.entries(conflicts).map(([k, n]) => [k, rates.rate(`sub:${sub}:confl_${k}`, n, at)]))
      : null,
    statsReset: str(row['stats_reset']),
  };
}

/** The catalog rows one poll reads besides pg_subscription itself, matched to subscriptions by OID. */
interface SubscriptionRelated {
  workers: { row: Row; table_name: string | null }[];
  rels: Row[];
  stats: { row: Row }[] | null;
  applied: Map<number, string>;
}

export async function readSubscriptions(
  client: pg.Client,
  v: number,
  rates: RateTracker,
  at: number,
  notes: string[],
): Promise<SubscriptionView[]> {
  const readable = (await client.query<{ name: string }>(SUBSCRIPTION_COLUMNS_SQL)).rows.map((r) => r.name);
  const subs = (await client.query<{ row: Row; owner: string }>(subscriptionsSql(readable))).rows;
  if (!subs.length) return [];
  if (!readable.includes('subconninfo'))
    notes.push('subscription connection strings: hidden (pg_subscription.subconninfo is readable only by superusers)');
  const workers = (await client.query<{ row: Row; table_name: string | null }>(SUBSCRIPTION_WORKERS_SQL)).rows;
  const rels = (await client.query<Row>(SUBSCRIPTION_RELS_SQL)).rows;
  const stats = v >= 150000 ? (await client.query<{ row: Row }>(SUBSCRIPTION_STATS_SQL)).rows : null;
  if (v < 170000) notes.push('subscription worker_type: not on this version (17+), derived from relid');
  if (v < 160000) notes.push('parallel apply workers (leader_pid): not on this version (16+)');
  if (!stats) notes.push('subscription error counters (pg_stat_subscription_stats): not on this version (15+)');
  if (v < 180000) notes.push('subscription conflict counters: not on this version (18+)');
  const applied = await readAppliedPositions(client, notes);
  const related: SubscriptionRelated = { workers, rels, stats, applied };
  return subs.map(({ row, owner }) => toSubscription(row, owner, related, rates, at));
}

/** Each subscription's applied remote LSN (replication origins), when this role may read them. */
async function readAppliedPositions(client: pg.Client, notes: string[]): Promise<Map<number, string>> {
  const applied = new Map<number, string>();
  const canApplied = (await client.query<{ ok: boolean }>(APPLIED_READABLE_SQL)).rows[0]?.ok === true;
  if (canApplied) {
    for (const r of (await client.query<{ subid: string; remote_lsn: string }>(APPLIED_SQL)).rows)
      // 0/0 until the first change is applied after the initial copy: no position yet.
      if (r.remote_lsn !== '0/0') applied.set(Number(r.subid), r.remote_lsn);
  } else notes.push('applied position: hidden (pg_replication_origin_status needs superuser)');
  return applied;
}

function toSubscription(
  row: Row,
  owner: string,
  related: SubscriptionRelated,
  rates: RateTracker,
  at: number,
): SubscriptionView {
  const oid = numOf(row['oid']);
  const raw = typeof row['subconninfo'] === 'string' ? row['subconninfo'] : null;
  const options: Record<string, Cell> = {};
  for (const [k, val] of Object.entries(row)) {
    if (!NOT_OPTIONS.has(k)) options[OPTION_NAMES[k] ?? k] = optionValue(k, val);
  }
  const statRow = related.stats?.find((s) => numOf(s.row['subid']) === oid)?.row;
  return {
    oid,
    name: String(row['subname']),
    owner,
    enabled: row['subenabled'] === true,
    slotName: str(row['subslotname']),
    publications: Array.isArray(row['subpublications']) ? (row['subpublications'] as string[]) : [],
    conninfo: raw === null ? null : redactConninfo(raw),
    target: subscriptionTarget(raw),
    options,
    // pg_stat_subscription has a row with a null pid for a subscription with no worker running.
    workers: related.workers
      .filter((w) => numOf(w.row['subid']) === oid && w.row['pid'] !== null)
      .map((w) => toWorker(w.row, w.table_name)),
    tables: related.rels.filter((r) => numOf(r['subid']) === oid).map(toSyncTable),
    stats: statRow ? toStats(statRow, rates, at) : null,
    appliedLsn: related.applied.get(oid) ?? null,
  };
}

function toSyncTable(r: Row): SubscriptionTable {
  return {
    schema: String(r['schemaname']),
    table: String(r['tablename']),
    code: String(r['state']),
    state: syncStateName(String(r['state'])),
    lsn: str(r['lsn']),
  };
}

export async function readCopyProgress(client: pg.Client, v: number, notes: string[]): Promise<CopyProgress[]> {
  if (v < 140000) {
    notes.push('COPY progress (pg_stat_progress_copy): not on this version (14+)');
    return [];
  }
  return (await client.query<Row>(COPY_PROGRESS_SQL)).rows.map((r) => ({
    pid: numOf(r['pid']),
    table: str(r['table_name']),
    command: String(r['command']),
    type: String(r['type']),
    bytesProcessed: numOf(r['bytes_processed']),
    bytesTotal: numOf(r['bytes_total']),
    tuplesProcessed: numOf(r['tuples_processed']),
  }));
}

export async function readWalReceiver(client: pg.Client, v: number): Promise<WalReceiver | null> {
  const r = (await client.query<Row & { row: Row }>(walReceiverSql(v))).rows[0];
  if (!r) return null;
  const w = r.row;
  const conninfo = typeof w['conninfo'] === 'string' ? redactConninfo(w['conninfo']) : null;
  return {
    pid: numOf(w['pid']),
    status: String(w['status']),
    senderHost: str(w['sender_host']),
    senderPort: numOrNull(w['sender_port']),
    slotName: str(w['slot_name']),
    receivedLsn: str(w['written_lsn'] ?? w['received_lsn']),
    flushedLsn: str(r['flushed']),
    latestEndLsn: str(w['latest_end_lsn']),
    latestEndTime: str(w['latest_end_time']),
    lastMsgReceiptTime: str(w['last_msg_receipt_time']),
    replayLsn: str(r['replay_lsn']),
    replayLagBytes: numOrNull(r['replay_lag_bytes']),
    replayLagMs: numOrNull(r['replay_lag_ms']),
    conninfo,
  };
}
