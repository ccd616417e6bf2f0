import type { Alert, SlotView, StandbyView } from '../../shared/contract/dto';
import { humanBytes } from '../../shared/format';

export { humanBytes };

export interface AlertThresholds {
  inactiveSlotSeconds: number;
  retainedWalBytes: number;
  standbyLagBytes: number;
  standbyLagMs: number;
}

/** Defaults a DBA can live with: an idle slot for 5 min, 1 GiB retained, 64 MiB or 30 s of standby lag. */
export const DEFAULT_THRESHOLDS: AlertThresholds = {
  inactiveSlotSeconds: 300,
  retainedWalBytes: 1024 ** 3,
  standbyLagBytes: 64 * 1024 ** 2,
  standbyLagMs: 30_000,
};

/** The conditions a DBA wants to see without reading numbers. */
export function computeAlerts(slots: SlotView[], standbys: StandbyView[], t: AlertThresholds, now: number): Alert[] {
  return [...slots.flatMap((s) => slotAlerts(s, t, now)), ...standbys.flatMap((sb) => standbyAlerts(sb, t))];
}

/** A slot that is invalidated, about to be, idle too long, or holding too much WAL. */
function slotAlerts(s: SlotView, t: AlertThresholds, now: number): Alert[] {
  const alerts: Alert[] = [];
  const subject = `slot ${s.name}`;
  if (s.status === 'lost') {
    alerts.push({
      key: `slot:${s.name}:lost`,
      severity: 'critical',
      subject,
      message: 'WAL needed by this slot was removed: the slot is invalidated (wal_status lost).',
    });
  } else if (s.status === 'unreserved') {
    alerts.push({
      key: `slot:${s.name}:unreserved`,
      severity: 'critical',
      subject,
      message:
        'The slot retains more WAL than max_slot_wal_keep_size allows and will be invalidated at the next checkpoint.',
    });
  }
  if (s.status === 'conflicting') {
    alerts.push({
      key: `slot:${s.name}:conflicting`,
      severity: 'critical',
      subject,
      message: 'The slot conflicts with recovery and was invalidated.',
    });
  }
  if (
    !s.active &&
    !s.temporary &&
    s.inactiveSinceMs !== null &&
    now - s.inactiveSinceMs > t.inactiveSlotSeconds * 1000
  ) {
    alerts.push({
      key: `slot:${s.name}:inactive`,
      severity: 'warning',
      subject,
      message: `Inactive for ${Math.round((now - s.inactiveSinceMs) / 1000)} s: nothing consumes it, and it keeps WAL.`,
    });
  }
  if (s.retainedBytes !== null && s.retainedBytes > t.retainedWalBytes) {
    alerts.push({
      key: `slot:${s.name}:retained`,
      severity: 'warning',
      subject,
      message: `Retains ${humanBytes(s.retainedBytes)} of WAL (threshold ${humanBytes(t.retainedWalBytes)}).`,
    });
  }
  return alerts;
}

/** A standby whose replay is too far behind, in bytes or in time. */
function standbyAlerts(sb: StandbyView, t: AlertThresholds): Alert[] {
  const alerts: Alert[] = [];
  const subject = `standby ${sb.applicationName || sb.pid}`;
  const bytes = sb.replayLagBytes ?? sb.flushLagBytes ?? sb.writeLagBytes;
  if (bytes !== null && bytes > t.standbyLagBytes) {
    alerts.push({
      key: `standby:${sb.pid}:bytes`,
      severity: 'warning',
      subject,
      message: `Replay is ${humanBytes(bytes)} behind.`,
    });
  }
  const ms = sb.replayLagMs ?? sb.flushLagMs ?? sb.writeLagMs;
  if (ms !== null && ms > t.standbyLagMs) {
    alerts.push({
      key: `standby:${sb.pid}:time`,
      severity: 'warning',
      subject,
      message: `Replay is ${(ms / 1000).toFixed(1)} s behind.`,
    });
  }
  return alerts;
}
