import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useSessionScope } from './session-context';
import type { Alert, EventPayload, LagPoint, ServerOverview, SlotView, StandbyView } from '../../shared/contract';

/** Columnar lag series (uPlot-ready), kept outside React state; bounded to the longest window. */
export interface LagSeries {
  t: number[];
  bytes: (number | null)[];
  timeLagMs: (number | null)[];
  lsn: (string | null)[];
}

const MAX_POINTS = 3600;

function appendLag(lagSeries: Map<string, LagSeries>, points: LagPoint[]): void {
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

export interface MonitorState {
  at: number;
  overview: ServerOverview | null;
  slots: SlotView[];
  standbys: StandbyView[];
  alerts: Alert[];
  orphans: string[];
  lagVersion: number;
  /** This server's lag series by key; the object stays, its arrays grow (see lagVersion). */
  lagSeries: Map<string, LagSeries>;
  applySnapshot(s: EventPayload<'monitor.snapshot'>): void;
  applyLag(points: LagPoint[]): void;
  reset(): void;
}

/** One server's monitor state: its latest snapshot and its lag series. */
export function createMonitorStore(): StoreApi<MonitorState> {
  return createStore<MonitorState>((set, get) => ({
    at: 0,
    overview: null,
    slots: [],
    standbys: [],
    alerts: [],
    orphans: [],
    lagVersion: 0,
    lagSeries: new Map(),
    applySnapshot(s) {
      set({
        at: s.at,
        overview: s.overview,
        slots: s.slots,
        standbys: s.standbys,
        alerts: s.alerts,
        orphans: s.orphans,
      });
    },
    applyLag(points) {
      appendLag(get().lagSeries, points);
      set({ lagVersion: get().lagVersion + 1 });
    },
    reset() {
      get().lagSeries.clear();
      set({ at: 0, overview: null, slots: [], standbys: [], alerts: [], orphans: [] });
    },
  }));
}

/** The monitor of the server whose views these are (see SessionContext). */
export function useMonitor(): MonitorState;
export function useMonitor<T>(selector: (s: MonitorState) => T): T;
export function useMonitor<T>(selector?: (s: MonitorState) => T): T | MonitorState {
  const api = useSessionScope().stores.monitor;
  return useStore(api, selector ?? ((s: MonitorState) => s as T));
}

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
