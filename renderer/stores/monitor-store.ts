import { create } from 'zustand';
import type { Alert, EventPayload, LagPoint, ServerOverview, SlotView, StandbyView } from '../../shared/contract';

/** Columnar lag series (uPlot-ready), kept outside React state; bounded to the longest window. */
export interface LagSeries {
  t: number[];
  bytes: (number | null)[];
  timeLagMs: (number | null)[];
  lsn: (string | null)[];
}

const MAX_POINTS = 3600;
export const lagSeries = new Map<string, LagSeries>();

function appendLag(points: LagPoint[]): void {
  for (const p of points) {
    let s = lagSeries.get(p.series);
    if (!s) lagSeries.set(p.series, (s = { t: [], bytes: [], timeLagMs: [], lsn: [] }));
    s.t.push(p.t / 1000);
    s.bytes.push(p.bytes);
    s.timeLagMs.push(p.timeLagMs);
    s.lsn.push(p.lsn);
    if (s.t.length > MAX_POINTS) {
      const drop = s.t.length - MAX_POINTS;
      s.t.splice(0, drop);
      s.bytes.splice(0, drop);
      s.timeLagMs.splice(0, drop);
      s.lsn.splice(0, drop);
    }
  }
}

interface MonitorState {
  at: number;
  overview: ServerOverview | null;
  slots: SlotView[];
  standbys: StandbyView[];
  alerts: Alert[];
  orphans: string[];
  lagVersion: number;
  applySnapshot(s: EventPayload<'monitor.snapshot'>): void;
  applyLag(points: LagPoint[]): void;
  reset(): void;
}

export const useMonitor = create<MonitorState>((set, get) => ({
  at: 0,
  overview: null,
  slots: [],
  standbys: [],
  alerts: [],
  orphans: [],
  lagVersion: 0,
  applySnapshot(s) {
    set({ at: s.at, overview: s.overview, slots: s.slots, standbys: s.standbys, alerts: s.alerts, orphans: s.orphans });
  },
  applyLag(points) {
    appendLag(points);
    set({ lagVersion: get().lagVersion + 1 });
  },
  reset() {
    lagSeries.clear();
    set({ at: 0, overview: null, slots: [], standbys: [], alerts: [], orphans: [] });
  },
}));

export type SlotSortKey = 'name' | 'retainedBytes' | 'pendingBytes' | 'status' | 'slotType';

/** Pure: sorted copy, nulls last. */
export function sortSlots(slots: SlotView[], key: SlotSortKey, dir: 1 | -1): SlotView[] {
  return [...slots].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === y) return a.name.localeCompare(b.name);
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * dir;
  });
}
