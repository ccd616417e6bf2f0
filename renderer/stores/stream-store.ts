import { create } from 'zustand';
import type { EventPayload, StreamSourceRequest, StreamStats, WireRow } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import { getApi } from '../bridge/api';
import { EMPTY_FILTER, type StreamFilter } from '../lib/filters';
import { RingBuffer } from '../lib/ring-buffer';
import { IncrementalRows } from '../lib/visible-rows';

export { indexOfSeq, nextTransaction, visibleRows, type RowView } from '../lib/visible-rows';

const ROW_CAPACITY = 100_000;

/**
 * Rows live in a ring buffer outside React; the store holds only `version`, bumped at most once
 * per animation frame (ten times a second under a heavy stream), so a 20,000-rows/s stream
 * re-renders per refresh, not per row. While paused,
 * rows keep arriving and counting into a bounded holding area, shown on resume.
 */
export const rows = new RingBuffer<WireRow>(ROW_CAPACITY);
/** The list's rows under the current filter, updated per frame from what the ring received. */
export const shownRows = new IncrementalRows();
let held: WireRow[] = [];
let frameRequested = false;

interface StreamState {
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

export const useStream = create<StreamState>((set, get) => {
  // Rows scrolling past at thousands a second cannot be read, and every refresh of the list costs
  // a render, a layout and a software raster of the whole list: under a heavy stream the list
  // refreshes ten times a second, leaving the frames between free; a light stream refreshes every
  // frame.
  let pendingRows = 0;
  let lastRefresh = 0;
  // Counted per batch but published with the refresh: every store update re-renders its
  // subscribers synchronously, and a render per WebSocket message was a third of each long frame.
  let unpublishedReceived = 0;
  let unpublishedDropped = 0;
  const bump = (rowsAdded: number): void => {
    pendingRows += rowsAdded;
    if (frameRequested) return;
    frameRequested = true;
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
    const wait = pendingRows >= HEAVY_ROWS ? lastRefresh + HEAVY_REFRESH_MS - performance.now() : 0;
    if (wait > 0) setTimeout(onFrame, wait);
    else onFrame();
  };
  return {
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
    collapsed: new Set(),
    version: 0,
    async start(sessionId, source) {
      rows.clear();
      held = [];
      unpublishedReceived = 0;
      unpublishedDropped = 0;
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
    async cancelStart(sessionId) {
      const id = get().startingId;
      if (id) await getApi().invoke('stream.stop', { sessionId, streamId: id });
    },
    async stop(sessionId) {
      const id = get().streamId;
      if (id) await getApi().invoke('stream.stop', { sessionId, streamId: id });
      set({ streamId: null, state: 'stopped' });
    },
    applyBatch(b) {
      if (b.streamId !== get().streamId && get().streamId !== null) return;
      if (get().paused) {
        held.push(...b.rows);
        if (held.length > ROW_CAPACITY) held = held.slice(held.length - ROW_CAPACITY);
      } else for (const m of b.rows) rows.push(m);
      unpublishedReceived += b.rows.length;
      unpublishedDropped += b.dropped;
      bump(b.rows.length);
    },
    applyState(s) {
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
    setPaused(p) {
      if (!p) {
        for (const m of held) rows.push(m);
        bump(held.length);
        held = [];
      }
      set({ paused: p });
    },
    setFollow(f) {
      set({ follow: f });
    },
    setFilter(f) {
      set({ filter: { ...get().filter, ...f } });
    },
    select(seq) {
      set({ selectedSeq: seq });
    },
    toggleCollapsed(xid) {
      const next = new Set(get().collapsed);
      if (next.has(xid)) next.delete(xid);
      else next.add(xid);
      set({ collapsed: next });
    },
    setStats(s) {
      set({ stats: s });
    },
    refresh() {
      bump(0);
    },
  };
});
