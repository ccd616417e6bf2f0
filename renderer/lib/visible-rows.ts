import type { WireRow } from '../../shared/contract';
import { isFilterActive, matches, type StreamFilter } from './filters';
import type { RingBuffer } from './ring-buffer';

/** What the list renders: a length and random access, so the unfiltered case copies nothing. */
export interface RowView {
  readonly length: number;
  at(i: number): WireRow;
}

/** A row that opens a transaction (the line a collapsed transaction is reduced to). */
export const isBegin = (m: { type: string }): boolean => m.type === 'begin' || m.type === 'begin_prepare';

/**
 * Whether the list shows a row: the filter, and collapsed transactions reduced to their BEGIN line
 * (shown even when the filter would hide it, so it can be expanded again). Decided by the row's
 * own xid, which the decoders stamp on every row of a transaction, so it holds for interleaved
 * streamed transactions too and needs no state carried from row to row.
 */
function shows(m: WireRow, filter: StreamFilter, collapsed: ReadonlySet<number>): boolean {
  if (m.xid !== undefined && collapsed.has(m.xid)) return isBegin(m);
  return matches(m, filter);
}

const unfiltered = (filter: StreamFilter, collapsed: ReadonlySet<number>): boolean =>
  !isFilterActive(filter) && collapsed.size === 0;

function ringView(all: RingBuffer<WireRow>): RowView {
  return { length: all.size, at: (i) => all.at(i)! };
}

/** The rows to show, in one pass over the ring (the reference the incremental view must equal). */
export function visibleRows(all: RingBuffer<WireRow>, filter: StreamFilter, collapsed: ReadonlySet<number>): RowView {
  if (unfiltered(filter, collapsed)) return ringView(all);
  const out: WireRow[] = [];
  for (let i = 0; i < all.size; i++) if (shows(all.at(i)!, filter, collapsed)) out.push(all.at(i)!);
  return { length: out.length, at: (i) => out[i]! };
}

/**
 * The same rows as `visibleRows`, kept up to date frame by frame: with a filter on, each frame
 * looks only at the rows pushed since the previous one and forgets those evicted from the ring,
 * instead of re-filtering all 100,000 rows 60 times a second (which at 20,000 rows/s made frames
 * several times too long). A new filter shows its newest matches at once and fills in older ones
 * at most `backfillPerView` rows per frame, newest first, so typing never waits for a full scan;
 * until then `complete` is false and the view is the newest part of the result.
 */
export class IncrementalRows {
  private filter: StreamFilter | undefined;
  private collapsed: ReadonlySet<number> | undefined;
  private generation = -1;
  /** Next push number to examine going forward (rows that arrive). */
  private next = 0;
  /** Next push number to examine going back (rows held when the filter changed). */
  private cursor = -1;
  private oldest = 0;
  /** Matches found going forward, oldest first from `head`. */
  private newer: WireRow[] = [];
  private newerNo: number[] = [];
  private head = 0;
  /** Matches found going back, newest first. */
  private older: WireRow[] = [];
  private olderNo: number[] = [];

  constructor(private readonly backfillPerView = 5_000) {}

  /** False while rows held before the filter changed are still being examined. */
  get complete(): boolean {
    return this.filter === undefined || this.cursor < this.oldest;
  }

  view(all: RingBuffer<WireRow>, filter: StreamFilter, collapsed: ReadonlySet<number>): RowView {
    if (unfiltered(filter, collapsed)) {
      this.filter = undefined;
      return ringView(all);
    }
    const oldest = all.pushed - all.size;
    this.oldest = oldest;
    if (filter !== this.filter || collapsed !== this.collapsed || all.generation !== this.generation) {
      this.filter = filter;
      this.collapsed = collapsed;
      this.generation = all.generation;
      this.restart(all.pushed);
    }
    // More rows may have arrived since the last frame than the ring holds.
    for (let n = Math.max(this.next, oldest); n < all.pushed; n++) {
      const m = all.at(n - oldest)!;
      if (shows(m, filter, collapsed)) {
        this.newer.push(m);
        this.newerNo.push(n);
      }
    }
    this.next = all.pushed;
    const stop = Math.max(oldest, this.cursor - this.backfillPerView + 1);
    for (let n = this.cursor; n >= stop; n--) {
      const m = all.at(n - oldest)!;
      if (shows(m, filter, collapsed)) {
        this.older.push(m);
        this.olderNo.push(n);
      }
    }
    this.cursor = stop - 1;
    this.forgetEvicted(oldest);
    const older = this.older;
    const olderCount = older.length;
    const newer = this.newer;
    const head = this.head;
    return {
      length: olderCount + newer.length - head,
      at: (i) => (i < olderCount ? older[olderCount - 1 - i]! : newer[head + i - olderCount]!),
    };
  }

  private forgetEvicted(oldest: number): void {
    while (this.olderNo.length && this.olderNo[this.olderNo.length - 1]! < oldest) {
      this.older.pop();
      this.olderNo.pop();
    }
    while (this.head < this.newer.length && this.newerNo[this.head]! < oldest) this.head++;
    if (this.head > 4096 && this.head * 2 > this.newer.length) {
      this.newer = this.newer.slice(this.head);
      this.newerNo = this.newerNo.slice(this.head);
      this.head = 0;
    }
  }

  private restart(pushed: number): void {
    this.next = pushed;
    this.cursor = pushed - 1;
    this.newer = [];
    this.newerNo = [];
    this.head = 0;
    this.older = [];
    this.olderNo = [];
  }
}

/** Index of the next (dir 1) or previous (dir -1) BEGIN from `from` in `list`. */
export function nextTransaction(list: RowView, from: number, dir: 1 | -1): number {
  for (let i = from + dir; i >= 0 && i < list.length; i += dir) if (isBegin(list.at(i))) return i;
  return from;
}

/** Position of the row with sequence number `seq`, searching from the end (where the user usually is). */
export function indexOfSeq(list: RowView, seq: number | null): number {
  if (seq === null) return -1;
  for (let i = list.length - 1; i >= 0; i--) if (list.at(i).seq === seq) return i;
  return -1;
}
