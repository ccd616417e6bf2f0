import { create } from 'zustand';
import type { EventPayload, StreamSourceRequest, StreamStats, WireMessage } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import { getApi } from '../bridge/api';
import { EMPTY_FILTER, type StreamFilter } from '../lib/filters';
import { RingBuffer } from '../lib/ring-buffer';
import { IncrementalRows } from '../lib/visible-rows';

export { indexOfSeq, nextTransaction, visibleRows, type RowView } from '../lib/visible-rows';

export const ROW_CAPACITY = 100_000;

/**
 * Rows live in a ring buffer outside React; the store holds only `version`, bumped at most once
 * per animation frame, so a 20,000-rows/s stream re-renders per frame, not per row. While paused,
 * rows keep arriving and counting into a bounded holding area, shown on resume.
 */
export const rows = new RingBuffer<WireMessage>(ROW_CAPACITY);
/** The list's rows under the current filter, updated per frame from what the ring received. */
export const shownRows = new IncrementalRows();
let held: WireMessage[] = [];
let frameRequested = false;

interface StreamState {
  streamId: string | null;
  slot: string | null;
  mode: 'inspect' | 'consume' | null;
  state: EventPayload<'stream.state'>['state'] | null;
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
  stop(sessionId: string): Promise<void>;
  applyBatch(b: EventPayload<'stream.batch'>): void;
  applyState(s: EventPayload<'stream.state'>): void;
  setPaused(p: boolean): void;
  setFollow(f: boolean): void;
  setFilter(f: Partial<StreamFilter>): void;
  select(seq: number | null): void;
  toggleCollapsed(xid: number): void;
  setStats(s: StreamStats): void;
}

export const useStream = create<StreamState>((set, get) => {
  const bump = (): void => {
    if (frameRequested) return;
    frameRequested = true;
    const run = (): void => {
      frameRequested = false;
      set({ version: get().version + 1 });
    };
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
    else setTimeout(run, 16);
  };
  return {
    streamId: null,
    slot: null,
    mode: null,
    state: null,
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
      set({
        error: null,
        gaps: [],
        received: 0,
        droppedInView: 0,
        selectedSeq: null,
        state: 'connecting',
        stats: null,
      });
      const r = await getApi().invoke('stream.start', { sessionId, source });
      if (!r.ok) {
        set({ error: r.error, state: 'failed' });
        return false;
      }
      set({
        streamId: r.value.streamId,
        slot: r.value.slot,
        mode: source.kind === 'direct' && source.consume ? 'consume' : 'inspect',
      });
      return true;
    },
    async stop(sessionId) {
      const id = get().streamId;
      if (id) await getApi().invoke('stream.stop', { sessionId, streamId: id });
      set({ streamId: null, state: 'stopped' });
    },
    applyBatch(b) {
      if (b.streamId !== get().streamId && get().streamId !== null) return;
      if (get().paused) {
        held.push(...b.messages);
        if (held.length > ROW_CAPACITY) held = held.slice(held.length - ROW_CAPACITY);
      } else for (const m of b.messages) rows.push(m);
      set({ received: get().received + b.messages.length, droppedInView: get().droppedInView + b.dropped });
      bump();
    },
    applyState(s) {
      if (get().streamId !== null && s.streamId !== get().streamId) return;
      set({
        state: s.state,
        ...(s.slot ? { slot: s.slot } : {}),
        ...(s.error ? { error: s.error } : {}),
        ...(s.gap ? { gaps: [...get().gaps, s.gap] } : {}),
      });
    },
    setPaused(p) {
      if (!p) {
        for (const m of held) rows.push(m);
        held = [];
        bump();
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
  };
});
