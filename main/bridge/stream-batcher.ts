import type { WireRow } from '../../shared/contract';

/**
 * Rows for the view, batched and bounded: at most one batch per `intervalMs`, at most `capacity`
 * rows waiting. When the view falls behind, the oldest undisplayed rows are dropped and counted —
 * the engine and the CLI keep everything; only the view is lossy, and it says how much. `ready` is
 * asked before every event, not once per flush: when the transport says the view is behind (serve
 * mode: the page has not acknowledged earlier batches), the rest waits, newer rows coalesce with
 * it, and what exceeds `capacity` is dropped, instead of queueing in front of the page.
 */
export class StreamBatcher<Row = WireRow> {
  private queue: Row[] = [];
  private head = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  totalDropped = 0;

  constructor(
    private readonly flushBatch: (rows: Row[], dropped: number) => void,
    private readonly capacity = 5000,
    private readonly intervalMs = 33,
    /** False while the transport is still busy with earlier batches (the view is behind). */
    private readonly ready: () => boolean = () => true,
    private readonly maxPerEvent = 500,
  ) {}

  push(row: Row): void {
    this.queue.push(row);
    if (this.queue.length - this.head > this.capacity) {
      this.head++;
      this.dropped++;
      this.totalDropped++;
    }
    if (this.head > 4096) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  flush(force = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === 0 && this.dropped === 0) return;
    if (!force && !this.ready()) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      return;
    }
    // Several events of at most `maxPerEvent` rows rather than one large one: the renderer parses
    // each event in one task, and a 5,000-row event kept it from painting for a whole frame or more.
    do {
      const end = Math.min(this.queue.length, this.head + this.maxPerEvent);
      const rows = this.queue.slice(this.head, end);
      const dropped = this.dropped;
      this.head = end;
      this.dropped = 0;
      this.flushBatch(rows, dropped);
    } while (this.pending > 0 && (force || this.ready()));
    if (this.pending > 0) this.timer = setTimeout(() => this.flush(), this.intervalMs);
    else {
      this.queue = [];
      this.head = 0;
    }
  }

  /** Drains what is left (at shutdown) and stops the timer. */
  close(): void {
    this.flush(true);
  }
}
