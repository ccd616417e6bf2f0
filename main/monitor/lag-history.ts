import type { LagPoint } from '../../shared/contract/dto';

/**
 * A bounded time series per slot and standby, kept in main: each series is a ring of fixed
 * capacity (e.g. 1 h at 1 s = 3,600 points), so memory stays flat however long the app runs.
 * Series that disappear (a dropped slot) are removed after they have been absent for a whole
 * window. `delta()` returns the points added since the previous call, for the renderer.
 */
class Ring {
  readonly t: Float64Array;
  readonly bytes: Float64Array;
  readonly timeLag: Float64Array;
  readonly lsn: (string | null)[];
  start = 0;
  size = 0;
  lastSeen = 0;

  constructor(readonly capacity: number) {
    this.t = new Float64Array(capacity);
    this.bytes = new Float64Array(capacity);
    this.timeLag = new Float64Array(capacity);
    this.lsn = new Array<string | null>(capacity).fill(null);
  }

  push(p: LagPoint): void {
    const i = (this.start + this.size) % this.capacity;
    this.t[i] = p.t;
    this.bytes[i] = p.bytes ?? NaN;
    this.timeLag[i] = p.timeLagMs ?? NaN;
    this.lsn[i] = p.lsn;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
    this.lastSeen = p.t;
  }

  point(series: string, k: number): LagPoint {
    const i = (this.start + k) % this.capacity;
    const bytes = this.bytes[i]!;
    const lag = this.timeLag[i]!;
    return {
      series,
      t: this.t[i]!,
      bytes: Number.isNaN(bytes) ? null : bytes,
      timeLagMs: Number.isNaN(lag) ? null : lag,
      lsn: this.lsn[i] ?? null,
    };
  }
}

export class LagHistory {
  private readonly series = new Map<string, Ring>();
  private pending: LagPoint[] = [];

  constructor(
    readonly capacity: number,
    private readonly windowMs: number,
  ) {}

  add(points: LagPoint[], now: number): void {
    for (const p of points) {
      let ring = this.series.get(p.series);
      if (!ring) this.series.set(p.series, (ring = new Ring(this.capacity)));
      ring.push(p);
      this.pending.push(p);
    }
    for (const [key, ring] of this.series) if (now - ring.lastSeen > this.windowMs) this.series.delete(key);
    // A renderer that never asks must not make the pending list grow without bound.
    if (this.pending.length > this.capacity * 4) this.pending = this.pending.slice(-this.capacity);
  }

  delta(): LagPoint[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  since(series: string, tMs: number): LagPoint[] {
    const ring = this.series.get(series);
    if (!ring) return [];
    const out: LagPoint[] = [];
    for (let k = 0; k < ring.size; k++) {
      const p = ring.point(series, k);
      if (p.t >= tMs) out.push(p);
    }
    return out;
  }

  seriesKeys(): string[] {
    return [...this.series.keys()];
  }

  /** Points held in total (for memory checks). */
  get pointCount(): number {
    let n = 0;
    for (const r of this.series.values()) n += r.size;
    return n;
  }
}
