import type { Alert, SlotView, StandbyView } from '../../shared/contract';
import { humanBytes } from './format';

export type Health = 'ok' | 'warn' | 'bad' | 'reconnecting';

/**
 * A server's dot in the sidebar: reconnecting while its catalog session is, bad when it is gone or
 * has a critical alert (a lost slot, WAL about to be removed), warn on a warning alert, else ok.
 */
export function serverHealth(state: 'connected' | 'reconnecting' | 'closed' | 'failed', alerts: Alert[]): Health {
  switch (state) {
    case 'reconnecting':
      return 'reconnecting';
    case 'closed':
    case 'failed':
      return 'bad';
    case 'connected':
      if (alerts.some((a) => a.severity === 'critical')) return 'bad';
      return alerts.some((a) => a.severity === 'warning') ? 'warn' : 'ok';
    default: {
      const never: never = state;
      throw new Error(`unknown session state ${String(never)}`);
    }
  }
}

export interface WorstLag {
  bytes: number;
  /** What the figure is, for the tooltip: "slot s1 retains", "standby a1 replay lag". */
  what: string;
}

/**
 * The largest of: each slot's retained WAL and pending (not yet confirmed) bytes, and each
 * standby's replay lag in bytes. Null when the server has none of them.
 */
export function worstLag(slots: SlotView[], standbys: StandbyView[]): WorstLag | null {
  let worst: WorstLag | null = null;
  const consider = (bytes: number | null, what: string): void => {
    if (bytes !== null && (worst === null || bytes > worst.bytes)) worst = { bytes, what };
  };
  for (const s of slots) {
    consider(s.retainedBytes, `slot ${s.name} retains`);
    consider(s.pendingBytes, `slot ${s.name} has pending`);
  }
  for (const s of standbys) consider(s.replayLagBytes, `standby ${s.applicationName} replay lag`);
  return worst;
}

/** The sidebar's tooltip for a worst lag. */
export function worstLagTitle(w: WorstLag | null): string {
  const rule = 'Worst lag: the largest of the slots’ retained and pending bytes and the standbys’ replay lag';
  return w ? `${rule}. Now: ${w.what} ${humanBytes(w.bytes)}.` : `${rule}. No slots or standbys.`;
}
