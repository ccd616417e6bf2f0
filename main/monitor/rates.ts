/**
 * Per-second rates of cumulative counters, keeping the previous sample per key. A counter that
 * went down (stats reset, slot recreated) starts over: no negative rate is ever reported.
 */
export class RateTracker {
  private readonly last = new Map<string, { value: number; at: number }>();

  /** Rate since the previous sample of `key`; null on the first sample, after a reset or with no time elapsed. */
  rate(key: string, value: number, at: number): number | null {
    const prev = this.last.get(key);
    this.last.set(key, { value, at });
    if (!prev || value < prev.value || at <= prev.at) return null;
    return ((value - prev.value) * 1000) / (at - prev.at);
  }

  /** Forgets the counters of things gone from the latest poll (dropped slots or subscriptions). */
  retain(keep: (key: string) => boolean): void {
    for (const k of [...this.last.keys()]) if (!keep(k)) this.last.delete(k);
  }
}
