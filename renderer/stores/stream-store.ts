import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EventPayload, StreamSourceRequest, StreamStats, WireRow } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import { getApi } from '../bridge/api';
import { EMPTY_FILTER, type StreamFilter } from '../lib/filters';
import { RingBuffer } from '../lib/ring-buffer';
import { IncrementalRows } from '../lib/visible-rows';
import { useSessionScope } from './session-context';

export { indexOfSeq, nextTransaction, visibleRows, type RowView } from '../lib/visible-rows';

const ROW_CAPACITY = 100_000;

/**
 * Rows live in a ring buffer outside React (one per server); the store holds only `version`,
 * bumped at most once per animation frame (ten times a second under a heavy stream), so a
 * 20,000-rows/s stream re-renders per refresh, not per row. While paused, rows keep arriving and
 * counting into a bounded holding area, shown on resume.
 */
interface RowData {
  rows: RingBuffer<WireRow>;
  /** The list's rows under the current filter, updated per frame from what the ring received. */
  shownRows: IncrementalRows;
  held: WireRow[];
}

export interface StreamState {
  /** This server's rows (the same object for the store's life; `version` says when it changed). */
  rows: RingBuffer<WireRow>;
  shownRows: IncrementalRows;
  streamId: string | null;
  /** The stream being started (known from its state events before stream.start answers). */
  startingId: string | null;
  /** What the starting stream waits for on the server, if it waits. */
  waiting: string | null;
  /** The stream whose rows the ring holds; unlike streamId it outlives a stop (raw bytes stay asked of it). */
  rowsStreamId: string | null;
  slot: string | null;
  mode: 'inspect' | 'consume' | null;
  state: EventPayload<'stream.state'>['state'] | null;
  /** While reconnecting: attempt n of at most max, after which the stream fails. */
  retry: { attempt: number; max: number } | null;
  error: ErrorInfo | null;
  gaps: { from: string; to: string; reason: string }[];
  stats: StreamStats | null;
  received: number;
  droppedInView: number;
  paused: boolean;
  follow: boolean;
  filter: StreamFilter;
  selectedSeq: number | null;
  collapsed: ReadonlySet<number>;
  version: number;
  start(sessionId: string, source: StreamSourceRequest): Promise<boolean>;
  /** Cancels a start that waits on the server (CancelRequest; the half-made slot is removed). */
  cancelStart(sessionId: string): Promise<void>;
  stop(sessionId: string): Promise<void>;
  applyBatch(b: EventPayload<'stream.batch'>): void;
  applyState(s: EventPayload<'stream.state'>): void;
  setPaused(p: boolean): void;
  setFollow(f: boolean): void;
  setFilter(f: Partial<StreamFilter>): void;
  select(seq: number | null): void;
  toggleCollapsed(xid: number): void;
  setStats(s: StreamStats): void;
  /** Another render of the list without new rows (a filter still filling in older matches). */
  refresh(): void;
}

/** Above this many new rows per refresh the list refreshes at most every HEAVY_REFRESH_MS. */
const HEAVY_ROWS = 200;
const HEAVY_REFRESH_MS = 100;

type SetState = (partial: Partial<StreamState>) => void;
type GetState = () => StreamState;

/**
 * Rows scrolling past at thousands a second cannot be read, and every refresh of the list costs a
 * render, a layout and a software raster of the whole list: under a heavy stream the list refreshes
 * ten times a second, leaving the frames between free; a light stream refreshes every frame.
 * Counts are kept per batch but published with the refresh: every store update re-renders its
 * subscribers synchronously, and a render per WebSocket message was a third of each long frame.
 */
function listRefresher(set: SetState, get: GetState) {
  let frameRequested = false;
  let pendingRows = 0;
  let lastRefresh = 0;
  let unpublishedReceived = 0;
  let unpublishedDropped = 0;
  const run = (): void => {
    frameRequested = false;
    pendingRows = 0;
    lastRefresh = performance.now();
    const s = get();
    set({
      version: s.version + 1,
      received: s.received + unpublishedReceived,
      droppedInView: s.droppedInView + unpublishedDropped,
    });
    unpublishedReceived = 0;
    unpublishedDropped = 0;
  };
  const onFrame = (): void => {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
    else setTimeout(run, 16);
  };
  return {
    bump(rowsAdded: number): void {
      pendingRows += rowsAdded;
      if (frameRequested) return;
      frameRequested = true;
      const wait = pendingRows >= HEAVY_ROWS ? lastRefresh + HEAVY_REFRESH_MS - performance.now() : 0;
      if (wait > 0) setTimeout(onFrame, wait);
      else onFrame();
    },
    count(received: number, dropped: number): void {
      unpublishedReceived += received;
      unpublishedDropped += dropped;
    },
    reset(): void {
      unpublishedReceived = 0;
      unpublishedDropped = 0;
    },
  };
}

type Refresher = ReturnType<typeof listRefresher>;

const INITIAL = {
  streamId: null,
  startingId: null,
  waiting: null,
  rowsStreamId: null,
  slot: null,
  mode: null,
  state: null,
  retry: null,
  error: null,
  gaps: [],
  stats: null,
  received: 0,
  droppedInView: 0,
  paused: false,
  follow: true,
  filter: EMPTY_FILTER,
  selectedSeq: null,
  collapsed: new Set<number>(),
  version: 0,
} satisfies Partial<StreamState>;

/** Starting and stopping a stream. */
function lifecycleActions(set: SetState, get: GetState, refresher: Refresher, data: RowData) {
  return {
    async start(sessionId: string, source: StreamSourceRequest): Promise<boolean> {
      data.rows.clear();
      data.held = [];
      refresher.reset();
      set({
        error: null,
        gaps: [],
        received: 0,
        droppedInView: 0,
        selectedSeq: null,
        state: 'connecting',
        retry: null,
        stats: null,
        startingId: null,
        waiting: null,
      });
      const r = await getApi().invoke('stream.start', { sessionId, source });
      set({ startingId: null, waiting: null });
      if (!r.ok) {
        set({ error: r.error, state: 'failed' });
        return false;
      }
      set({
        streamId: r.value.streamId,
        rowsStreamId: r.value.streamId,
        slot: r.value.slot,
        mode: source.kind === 'direct' && source.consume ? 'consume' : 'inspect',
      });
      return true;
    },
    async cancelStart(sessionId: string): Promise<void> {
      const id = get().startingId;
      if (id) await getApi().invoke('stream.stop', { sessionId, streamId: id });
    },
    async stop(sessionId: string): Promise<void> {
      const id = get().streamId;
      if (id) await getApi().invoke('stream.stop', { sessionId, streamId: id });
      set({ streamId: null, state: 'stopped' });
    },
  };
}

/** The engine's events: row batches (held while paused) and state changes of our stream. */
function eventActions(set: SetState, get: GetState, refresher: Refresher, data: RowData) {
  return {
    applyBatch(b: EventPayload<'stream.batch'>): void {
      if (b.streamId !== get().streamId && get().streamId !== null) return;
      if (get().paused) {
        data.held.push(...b.rows);
        if (data.held.length > ROW_CAPACITY) data.held = data.held.slice(data.held.length - ROW_CAPACITY);
      } else for (const m of b.rows) data.rows.push(m);
      refresher.count(b.rows.length, b.dropped);
      refresher.bump(b.rows.length);
    },
    applyState(s: EventPayload<'stream.state'>): void {
      if (get().streamId !== null && s.streamId !== get().streamId) return;
      set({
        state: s.state,
        retry:
          s.state === 'reconnecting' && s.attempt !== undefined && s.maxAttempts !== undefined
            ? { attempt: s.attempt, max: s.maxAttempts }
            : null,
        ...(s.slot ? { slot: s.slot } : {}),
        ...(s.error ? { error: s.error } : {}),
        ...(s.gap ? { gaps: [...get().gaps, s.gap] } : {}),
        ...(get().streamId === null && s.state === 'connecting'
          ? { startingId: s.streamId, waiting: s.waiting ?? null }
          : {}),
      });
    },
    setStats(s: StreamStats): void {
      set({ stats: s });
    },
  };
}

/** What the user does to the view: pause, follow, filter, select, collapse. */
function viewActions(set: SetState, get: GetState, refresher: Refresher, data: RowData) {
  return {
    setPaused(p: boolean): void {
      if (!p) {
        for (const m of data.held) data.rows.push(m);
        refresher.bump(data.held.length);
        data.held = [];
      }
      set({ paused: p });
    },
    setFollow(f: boolean): void {
      set({ follow: f });
    },
    setFilter(f: Partial<StreamFilter>): void {
      set({ filter: { ...get().filter, ...f } });
    },
    select(seq: number | null): void {
      set({ selectedSeq: seq });
    },
    toggleCollapsed(xid: number): void {
      const next = new Set(get().collapsed);
      if (next.has(xid)) next.delete(xid);
      else next.add(xid);
      set({ collapsed: next });
    },
    refresh(): void {
      refresher.bump(0);
    },
  };
}

/** One server's stream tab: its rows, the stream's state and the view's settings. */
export function createStreamStore(): StoreApi<StreamState> {
  return createStore<StreamState>((set, get) => {
    const refresher = listRefresher(set, get);
    const data: RowData = { rows: new RingBuffer<WireRow>(ROW_CAPACITY), shownRows: new IncrementalRows(), held: [] };
    return {
      ...INITIAL,
      rows: data.rows,
      shownRows: data.shownRows,
      ...lifecycleActions(set, get, refresher, data),
      ...eventActions(set, get, refresher, data),
      ...viewActions(set, get, refresher, data),
    };
  });
}

/** The stream store of the server whose views these are (see SessionContext). */
export function useStream<T>(selector: (s: StreamState) => T): T {
  return useStore(useSessionScope().stores.stream, selector);
}

/** The store itself, for event handlers that read it when they run (`getState()`). */
export function useStreamApi(): StoreApi<StreamState> {
  return useSessionScope().stores.stream;
}
