import type pg from 'pg';
import type { ServerOverview, SlotView, StandbyView } from '../../shared/contract/dto';
import { OVERVIEW_SQL, slotsSql, STANDBYS_SQL } from './catalog-sql';

type Cell = string | number | boolean | null;

/** Known output plugins; pgoutput is built in, test_decoding ships with contrib, wal2json is optional. */
const KNOWN_PLUGINS = ['pgoutput', 'test_decoding', 'wal2json'];

function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export async function readOverview(client: pg.Client): Promise<Omit<ServerOverview, 'slotCount' | 'standbyCount'>> {
  const { rows } = await client.query<Record<string, unknown>>(OVERVIEW_SQL);
  const r = rows[0]!;
  const slotPlugins = (r['slot_plugins'] as string[]) ?? [];
  return {
    systemId: String(r['system_id']),
    timeline: Number(r['timeline']),
    serverVersion: String(r['server_version']),
    serverVersionNum: Number(r['server_version_num']),
    walLevel: String(r['wal_level']),
    currentLsn: str(r['current_lsn']),
    inRecovery: Boolean(r['in_recovery']),
    maxSlotWalKeepSize: String(r['max_slot_wal_keep_size']),
    walSenderTimeout: String(r['wal_sender_timeout']),
    synchronousStandbyNames: String(r['synchronous_standby_names'] ?? ''),
    clusterName: String(r['cluster_name'] ?? ''),
    database: String(r['database']),
    user: String(r['user']),
    canReplicate: r['can_replicate'] === true,
    host: String(r['host']),
    plugins: [...new Set([...KNOWN_PLUGINS.slice(0, 2), ...slotPlugins, ...KNOWN_PLUGINS.slice(2)])],
    publications: (r['publications'] as string[]) ?? [],
  };
}

export interface SlotReadContext {
  serverVersionNum: number;
  prefix: string;
  registry: ReadonlySet<string>;
  /** When our poller first saw each slot inactive (for servers without inactive_since, < 17). */
  inactiveSeen: Map<string, number>;
  now: number;
}

const DERIVED = new Set(['consumer_application_name', 'retained_bytes', 'pending_bytes', 'used_by_standby']);

export function slotStatus(row: {
  active: boolean;
  walStatus: string | null;
  conflicting: boolean;
}): SlotView['status'] {
  if (row.walStatus === 'lost') return 'lost';
  if (row.conflicting) return 'conflicting';
  if (row.walStatus === 'unreserved') return 'unreserved';
  return row.active ? 'active' : 'inactive';
}

export function toSlotView(r: Record<string, unknown>, ctx: SlotReadContext): SlotView {
  const name = String(r['slot_name']);
  const columns: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(r)) if (!DERIVED.has(k)) columns[k] = cell(v);
  const active = Boolean(r['active']);
  const walStatus = str(r['wal_status']);
  const status = slotStatus({ active, walStatus, conflicting: r['conflicting'] === true });
  let inactiveSinceMs: number | null = null;
  if (!active) {
    if (r['inactive_since'] instanceof Date) inactiveSinceMs = r['inactive_since'].getTime();
    else {
      if (!ctx.inactiveSeen.has(name)) ctx.inactiveSeen.set(name, ctx.now);
      inactiveSinceMs = ctx.inactiveSeen.get(name)!;
    }
  } else ctx.inactiveSeen.delete(name);
  const slotType = r['slot_type'] === 'physical' ? 'physical' : 'logical';
  return {
    name,
    columns,
    slotType,
    plugin: str(r['plugin']),
    database: str(r['database']),
    active,
    activePid: num(r['active_pid']),
    consumer: str(r['consumer_application_name']),
    temporary: r['temporary'] === true,
    restartLsn: str(r['restart_lsn']),
    confirmedFlushLsn: str(r['confirmed_flush_lsn']),
    retainedBytes: num(r['retained_bytes']),
    pendingBytes: slotType === 'logical' ? num(r['pending_bytes']) : null,
    safeWalSize: num(r['safe_wal_size']),
    walStatus,
    status,
    inactiveSinceMs,
    ownedByWalscope: name.startsWith(ctx.prefix) || ctx.registry.has(name),
  };
}

export async function readSlots(
  client: pg.Client,
  ctx: SlotReadContext,
): Promise<{ slots: SlotView[]; usedByStandby: Map<string, string> }> {
  const { rows } = await client.query<Record<string, unknown>>(slotsSql(ctx.serverVersionNum));
  const usedByStandby = new Map<string, string>();
  for (const r of rows) {
    if (r['slot_type'] === 'physical' && typeof r['used_by_standby'] === 'string') {
      usedByStandby.set(String(r['slot_name']), r['used_by_standby']);
    }
  }
  for (const name of [...ctx.inactiveSeen.keys()]) {
    if (!rows.some((r) => r['slot_name'] === name)) ctx.inactiveSeen.delete(name);
  }
  return { slots: rows.map((r) => toSlotView(r, ctx)), usedByStandby };
}

export async function readStandbys(client: pg.Client): Promise<StandbyView[]> {
  const { rows } = await client.query<Record<string, unknown>>(STANDBYS_SQL);
  return rows.map((r) => ({
    pid: Number(r['pid']),
    applicationName: String(r['application_name']),
    clientAddr: str(r['client_addr']),
    state: String(r['state']),
    syncState: String(r['sync_state']),
    sentLsn: str(r['sent_lsn']),
    writeLsn: str(r['write_lsn']),
    flushLsn: str(r['flush_lsn']),
    replayLsn: str(r['replay_lsn']),
    writeLagBytes: num(r['write_lag_bytes']),
    flushLagBytes: num(r['flush_lag_bytes']),
    replayLagBytes: num(r['replay_lag_bytes']),
    writeLagMs: num(r['write_lag_ms']),
    flushLagMs: num(r['flush_lag_ms']),
    replayLagMs: num(r['replay_lag_ms']),
    replyTime: r['reply_time'] instanceof Date ? r['reply_time'].toISOString() : str(r['reply_time']),
    slotName: str(r['slot_name']),
  }));
}
