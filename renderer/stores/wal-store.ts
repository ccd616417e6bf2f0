import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EventPayload, WalRow, WalSecond, WAL_WINDOWS } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import type { WalRecordJson } from '../../shared/wal';
import { getApi } from '../bridge/api';
import { RingBuffer } from '../lib/ring-buffer';
import { useSessionScope } from './session-context';

type WalWindowSeconds = (typeof WAL_WINDOWS)[number];

export const WAL_ROW_CAPACITY = 50_000;
/** Seconds of rate history the chart keeps (its longest window). */
const RATE_POINTS = 900;

/**
 * The WAL tab. Records arrive at tens of thousands a second: they live in a ring outside React (one
 * per server) and the store only bumps `version`, at most ten times a second. The rate chart reads
 * columnar arrays (`rateSeries`), appended once a second.
 */
export interface RateSeries {
  t: number[];
  bytes: number[];
  fpi: number[];
  marks: WalSecond[];
}

export interface WalFilter {
  rmgr: string;
  recordType: string;
  relation: string;
  xid: string;
}
export const EMPTY_WAL_FILTER: WalFilter = { rmgr: '', recordType: '', relation: '', xid: '' };

export function rowMatches(r: WalRow, f: WalFilter): boolean {
  if (f.rmgr && r.rmgr !== f.rmgr) return false;
  if (f.recordType && r.recordType !== f.recordType) return false;
  if (f.relation && !r.relation.toLowerCase().includes(f.relation.toLowerCase())) return false;
  if (f.xid && String(r.xid) !== f.xid.trim()) return false;
  return true;
}

/** The rows the list shows: all of them, or those matching the filter, oldest first. */
export function filteredRows(walRows: RingBuffer<WalRow>, f: WalFilter): { length: number; at(i: number): WalRow } {
  const any = f.rmgr || f.recordType || f.relation || f.xid;
  if (!any) return { length: walRows.size, at: (i) => walRows.at(i)! };
  const idx: number[] = [];
  for (let i = 0; i < walRows.size; i++) if (rowMatches(walRows.at(i)!, f)) idx.push(i);
  return { length: idx.length, at: (i) => walRows.at(idx[i]!)! };
}

export interface WalState {
  /** This server's records and rate history (the same objects for the store's life). */
  walRows: RingBuffer<WalRow>;
  rateSeries: RateSeries;
  walId: string | null;
  state: 'starting' | 'streaming' | 'stopped' | 'failed' | null;
  startLsn: string | null;
  major: number | null;
  error: ErrorInfo | null;
  gaps: { from: string; to: string; reason: string }[];
  stats: EventPayload<'wal.stats'> | null;
  window: WalWindowSeconds;
  received: number;
  droppedInView: number;
  follow: boolean;
  filter: WalFilter;
  selectedSeq: number | null;
  detail: { seq: number; record: WalRecordJson; hex: string } | { seq: number; error: ErrorInfo } | null;
  version: number;
  statsVersion: number;
  start(sessionId: string, startLsn?: string): Promise<void>;
  stop(sessionId: string): Promise<void>;
  setWindow(sessionId: string, seconds: WalWindowSeconds): Promise<void>;
  select(sessionId: string, seq: number | null): Promise<void>;
  setFilter(f: Partial<WalFilter>): void;
  setFollow(f: boolean): void;
  applyBatch(b: EventPayload<'wal.batch'>): void;
  applyStats(s: EventPayload<'wal.stats'>): void;
  applyState(s: EventPayload<'wal.state'>): void;
}

const REFRESH_MS = 100;

type SetState = (partial: Partial<WalState>) => void;
type GetState = () => WalState;

/** Counts batches as they come and publishes them (and a new list version) at most every REFRESH_MS. */
function batchPublisher(set: SetState, get: GetState) {
  let scheduled = false;
  let unpublished = 0;
  let unpublishedDropped = 0;
  return (rowsAdded: number, dropped: number): void => {
    unpublished += rowsAdded;
    unpublishedDropped += dropped;
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      const s = get();
      set({
        version: s.version + 1,
        received: s.received + unpublished,
        droppedInView: s.droppedInView + unpublishedDropped,
      });
      unpublished = 0;
      unpublishedDropped = 0;
    }, REFRESH_MS);
  };
}

/** Appends one second to the rate chart's columns, keeping RATE_POINTS and the marks inside them. */
function pushRateSecond(rateSeries: RateSeries, second: WalSecond): void {
  rateSeries.t.push(second.at / 1000);
  rateSeries.bytes.push(second.bytes);
  rateSeries.fpi.push(second.fpiBytes);
  if (second.checkpoints || second.switches) rateSeries.marks.push(second);
  if (rateSeries.t.length > RATE_POINTS) {
    rateSeries.t.shift();
    rateSeries.bytes.shift();
    rateSeries.fpi.shift();
  }
  while (rateSeries.marks.length && rateSeries.marks[0]!.at / 1000 < rateSeries.t[0]!) rateSeries.marks.shift();
}

const INITIAL = {
  walId: null,
  state: null,
  startLsn: null,
  major: null,
  error: null,
  gaps: [],
  stats: null,
  window: 60,
  received: 0,
  droppedInView: 0,
  follow: true,
  filter: EMPTY_WAL_FILTER,
  selectedSeq: null,
  detail: null,
  version: 0,
  statsVersion: 0,
} satisfies Partial<WalState>;

/** Requests to the engine: start, stop, the aggregation window, a record's detail. */
function commandActions(set: SetState, get: GetState) {
  return {
    async start(sessionId: string, startLsn?: string): Promise<void> {
      const { walRows, rateSeries } = get();
      walRows.clear();
      rateSeries.t = [];
      rateSeries.bytes = [];
      rateSeries.fpi = [];
      rateSeries.marks = [];
      set({
        state: 'starting',
        error: null,
        gaps: [],
        stats: null,
        received: 0,
        droppedInView: 0,
        detail: null,
        selectedSeq: null,
      });
      const res = await getApi().invoke('wal.start', {
        sessionId,
        windowSeconds: get().window,
        ...(startLsn ? { startLsn } : {}),
      });
      if (res.ok)
        set({ walId: res.value.walId, startLsn: res.value.startLsn, major: res.value.major, state: 'streaming' });
      else set({ state: 'failed', error: res.error });
    },
    async stop(sessionId: string): Promise<void> {
      const id = get().walId;
      if (id) await getApi().invoke('wal.stop', { sessionId, walId: id });
      set({ state: 'stopped' });
    },
    async setWindow(sessionId: string, seconds: WalState['window']): Promise<void> {
      set({ window: seconds });
      const id = get().walId;
      if (id && get().state === 'streaming') await getApi().invoke('wal.window', { sessionId, walId: id, seconds });
    },
    async select(sessionId: string, seq: number | null): Promise<void> {
      set({ selectedSeq: seq, detail: null });
      const id = get().walId;
      if (seq === null || !id) return;
      const res = await getApi().invoke('wal.record', { sessionId, walId: id, seq });
      if (get().selectedSeq !== seq) return;
      set({ detail: res.ok ? { seq, ...res.value } : { seq, error: res.error } });
    },
  };
}

/** The engine's events for our WAL stream: record batches, per-second stats, state and gaps. */
function eventActions(set: SetState, get: GetState) {
  const publish = batchPublisher(set, get);
  return {
    applyBatch(b: EventPayload<'wal.batch'>): void {
      if (b.walId !== get().walId) return;
      for (const r of b.rows) get().walRows.push(r);
      publish(b.rows.length, b.dropped);
    },
    applyStats(s: EventPayload<'wal.stats'>): void {
      if (s.walId !== get().walId) return;
      pushRateSecond(get().rateSeries, s.second);
      set({ stats: s, statsVersion: get().statsVersion + 1 });
    },
    applyState(s: EventPayload<'wal.state'>): void {
      if (s.walId !== get().walId) return;
      if (s.gap) set({ gaps: [...get().gaps, s.gap] });
      else set({ state: s.state, ...(s.error ? { error: s.error } : {}) });
    },
  };
}

/** One server's WAL tab: its records, rate history, window aggregates and the view's settings. */
export function createWalStore(): StoreApi<WalState> {
  return createStore<WalState>((set, get) => ({
    ...INITIAL,
    walRows: new RingBuffer<WalRow>(WAL_ROW_CAPACITY),
    rateSeries: { t: [], bytes: [], fpi: [], marks: [] },
    ...commandActions(set, get),
    ...eventActions(set, get),
    setFilter(f) {
      set({ filter: { ...get().filter, ...f } });
    },
    setFollow(follow) {
      set({ follow });
    },
  }));
}

/** The WAL store of the server whose views these are (see SessionContext). */
export function useWal<T>(selector: (s: WalState) => T): T {
  return useStore(useSessionScope().stores.wal, selector);
}

/** The store itself, for event handlers that read it when they run (`getState()`). */
export function useWalApi(): StoreApi<WalState> {
  return useSessionScope().stores.wal;
}
