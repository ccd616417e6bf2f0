/**
 * A fixed-capacity ring for high-rate rows: appending never allocates past the capacity and the
 * oldest rows fall off. React never holds the rows; it holds `version`, bumped once per frame.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;
  /** Rows that fell off the front since the beginning. */
  evicted = 0;
  /** Rows pushed since the last clear: row `i` is push number `pushed - size + i`. */
  pushed = 0;
  /** Bumped by every clear, so a consumer that follows the ring knows to start over. */
  generation = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    this.pushed++;
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
      this.evicted++;
    }
  }

  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.items[(this.start + i) % this.capacity];
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity]!);
    return out;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
    this.pushed = 0;
    this.generation++;
    this.items.fill(undefined);
  }
}
