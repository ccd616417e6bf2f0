import type { SlotView, StandbyView } from '../../shared/contract/dto';
import { parseLsn } from '../../shared/lsn';
import { unreachable } from '../../shared/unreachable';
import type { MetricFamily, MetricType, Sample } from './exposition';
import { subscriptionLags, type SubscriptionReading } from './subscriptions';

/** One poll's readings of one server (from the monitor's catalog readers). */
export interface ServerReadings {
  at: number;
  currentLsn: string | null;
  inRecovery: boolean;
  slots: SlotView[];
  standbys: StandbyView[];
  subscriptions: SubscriptionReading[];
}

/** What the exporter knows of one watched server at scrape time. */
export interface ServerState {
  /** The `server` label: the service or --dsn name. */
  name: string;
  /** The last poll succeeded and is recent; only then are `readings` exposed. */
  up: boolean;
  /** How long the last poll took (including a failed or timed-out one); null before the first. */
  pollSeconds: number | null;
  readings: ServerReadings | null;
}

export const WAL_STATUSES = ['reserved', 'extended', 'unreserved', 'lost'] as const;
export const LAG_STAGES = ['write', 'flush', 'replay'] as const;

type Builder = (labels: Record<string, string>, value: number | null) => void;

class Families {
  readonly list: MetricFamily[] = [];
  add(name: string, type: MetricType, help: string): Builder {
    const samples: Sample[] = [];
    this.list.push({ name, type, help, samples });
    return (labels, value) => {
      if (value !== null && Number.isFinite(value)) samples.push({ labels, value });
    };
  }
}

/**
 * Every metric family the exporter serves. Labels are bounded: server, slot and slot_type,
 * standby application_name and client address, subscription, database, stage, status — never an
 * LSN, pid or time. Temporary slots are left out: their names change per session (WALscope's
 * own, pg_basebackup's) and each would add series that never come back.
 */
export function buildFamilies(states: readonly ServerState[], now: number): MetricFamily[] {
  // Registration order is the exposition order: server, slot, standby, then subscription families.
  const f = new Families();
  const server = serverFamilies(f);
  const slots = slotFamilies(f);
  const standbys = standbyFamilies(f);
  const subLag = f.add(
    'walscope_subscription_lag_bytes',
    'gauge',
    "How far the subscription is behind its publisher's WAL (only when the exporter watches the publisher too).",
  );

  const polled = states.filter((s) => s.up && s.readings);
  const candidates = polled.map((s) => ({
    server: s.name,
    currentLsn: s.readings!.currentLsn ? parseLsn(s.readings!.currentLsn) : null,
    slots: s.readings!.slots,
  }));
  for (const s of states) {
    const name = s.name;
    server.up({ server: name }, s.up ? 1 : 0);
    server.duration({ server: name }, s.pollSeconds);
    const r = s.up ? s.readings : null;
    if (!r) continue;
    server.inRecovery({ server: name }, r.inRecovery ? 1 : 0);
    server.lsn({ server: name }, r.currentLsn ? Number(parseLsn(r.currentLsn)) : null);
    for (const slot of r.slots) if (!slot.temporary) slots.sample(name, slot, now);
    standbys.sample(name, r.standbys);
    for (const lag of subscriptionLags(name, r.subscriptions, candidates)) {
      subLag(
        { server: name, subscription: lag.subscription, database: lag.database, publisher: lag.publisher },
        lag.bytes,
      );
    }
  }
  return f.list;
}

function serverFamilies(f: Families): Record<'up' | 'duration' | 'inRecovery' | 'lsn', Builder> {
  return {
    up: f.add('walscope_up', 'gauge', 'Whether the last poll of the server succeeded (1) or not (0).'),
    duration: f.add(
      'walscope_scrape_duration_seconds',
      'gauge',
      "How long the exporter's last poll of the server took.",
    ),
    inRecovery: f.add('walscope_server_in_recovery', 'gauge', 'Whether the server is a standby (1) or not (0).'),
    lsn: f.add(
      'walscope_server_wal_lsn_bytes',
      'gauge',
      "The server's current WAL position as a byte count (pg_current_wal_lsn; on a standby the last received).",
    ),
  };
}

function slotFamilies(f: Families): { sample(server: string, slot: SlotView, now: number): void } {
  const retained = f.add(
    'walscope_slot_retained_bytes',
    'gauge',
    'WAL the slot keeps on disk: current WAL position minus restart_lsn.',
  );
  const pending = f.add(
    'walscope_slot_pending_bytes',
    'gauge',
    'WAL a logical slot has not confirmed yet: current WAL position minus confirmed_flush_lsn.',
  );
  const active = f.add('walscope_slot_active', 'gauge', 'Whether a consumer is attached to the slot (1) or not (0).');
  const inactive = f.add(
    'walscope_slot_inactive_seconds',
    'gauge',
    'How long the slot has had no consumer (0 while active); before PostgreSQL 17, since the exporter first saw it idle.',
  );
  const safe = f.add(
    'walscope_slot_safe_wal_size_bytes',
    'gauge',
    'WAL that can still be written before the slot is in danger of being lost (absent when max_slot_wal_keep_size = -1).',
  );
  const walStatus = f.add(
    'walscope_slot_wal_status',
    'gauge',
    "The slot's wal_status (PostgreSQL 13+): 1 for the current status, 0 for the others.",
  );
  const spill = f.add(
    'walscope_slot_spill_bytes_total',
    'counter',
    'Bytes of decoded transactions the logical slot spilled to disk (pg_stat_replication_slots, PostgreSQL 14+).',
  );
  return {
    sample(server, slot, now) {
      const l = { server, slot: slot.name, slot_type: slot.slotType };
      retained(l, slot.retainedBytes);
      pending(l, slot.pendingBytes);
      active(l, slot.active ? 1 : 0);
      inactive(l, slot.active || slot.inactiveSinceMs === null ? 0 : Math.max(0, (now - slot.inactiveSinceMs) / 1000));
      safe(l, slot.safeWalSize);
      if (slot.walStatus !== null)
        for (const st of WAL_STATUSES) walStatus({ ...l, status: st }, slot.walStatus === st ? 1 : 0);
      const spilled = slot.columns['stats_spill_bytes'];
      if (slot.slotType === 'logical' && spilled !== undefined && spilled !== null) spill(l, Number(spilled));
    },
  };
}

function standbyFamilies(f: Families): { sample(server: string, standbys: StandbyView[]): void } {
  const lagBytes = f.add(
    'walscope_standby_lag_bytes',
    'gauge',
    "How far the standby is behind the primary's current WAL position, per stage (write, flush, replay).",
  );
  const lagSeconds = f.add(
    'walscope_standby_lag_seconds',
    'gauge',
    'Time lag the primary measured for the standby, per stage; 0 when the server reports none (caught up and idle).',
  );
  return {
    sample(server, standbys) {
      const seen = new Set<string>();
      for (const sb of standbys) {
        const key = `${sb.applicationName}\u0000${sb.clientAddr ?? ''}`;
        if (seen.has(key)) continue; // two walsenders alike in both labels: keep one series, the first
        seen.add(key);
        // inet as text carries a host mask ("10.0.0.2/32"): the label is the address alone.
        const l = {
          server,
          application_name: sb.applicationName,
          client_addr: (sb.clientAddr ?? '').replace(/\/(32|128)$/, ''),
        };
        for (const stage of LAG_STAGES) {
          lagBytes({ ...l, stage }, standbyBytes(sb, stage));
          lagSeconds({ ...l, stage }, standbyMs(sb, stage) / 1000);
        }
      }
    },
  };
}

function standbyBytes(sb: StandbyView, stage: (typeof LAG_STAGES)[number]): number | null {
  switch (stage) {
    case 'write':
      return sb.writeLagBytes;
    case 'flush':
      return sb.flushLagBytes;
    case 'replay':
      return sb.replayLagBytes;
    default:
      return unreachable(stage, 'lag stage');
  }
}

/** pg_stat_replication's *_lag is NULL once a standby has caught up and nothing new is written. */
function standbyMs(sb: StandbyView, stage: (typeof LAG_STAGES)[number]): number {
  switch (stage) {
    case 'write':
      return sb.writeLagMs ?? 0;
    case 'flush':
      return sb.flushLagMs ?? 0;
    case 'replay':
      return sb.replayLagMs ?? 0;
    default:
      return unreachable(stage, 'lag stage');
  }
}
