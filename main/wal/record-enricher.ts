import type { RelationNames, RelKey } from './relation-names';
import type { WalRecord } from './wal-record';

const RM_SMGR_ID = 2;
const XLOG_SMGR_CREATE = 0x10;

/**
 * Hands records on in WAL order once the relations their blocks name are resolved (one batched
 * lookup per wait, not one per record). Bounded: `push` returns false when the queue is full so
 * the stream pauses instead of growing.
 */
export class RecordEnricher {
  private readonly queue: WalRecord[] = [];
  private resolving = false;
  private drained: (() => void)[] = [];
  /** Called when the queue has drained (a paused stream may resume). */
  onIdle: (() => void) | undefined;

  constructor(
    private readonly names: RelationNames | undefined,
    private readonly emit: (r: WalRecord) => void,
    private readonly onError: (err: unknown) => void,
    private readonly maxQueue = 20_000,
  ) {}

  push(r: WalRecord): boolean {
    this.invalidate(r);
    if (!this.resolving && this.queue.length === 0 && this.allKnown(r)) {
      this.emit(r);
      return true;
    }
    this.queue.push(r);
    this.kick();
    return this.queue.length < this.maxQueue;
  }

  /** Resolves when every record pushed so far has been handed on. */
  flushed(): Promise<void> {
    if (this.queue.length === 0 && !this.resolving) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  get pending(): number {
    return this.queue.length;
  }

  get busy(): boolean {
    return this.resolving;
  }

  private allKnown(r: WalRecord): boolean {
    if (!this.names) return true;
    for (const b of r.blocks) if (this.names.known(b) === undefined) return false;
    return true;
  }

  private kick(): void {
    if (this.resolving) return;
    this.resolving = true;
    this.resolveLoop().catch((err: unknown) => {
      this.resolving = false;
      this.onError(err);
    });
  }

  private async resolveLoop(): Promise<void> {
    while (this.queue.length > 0) {
      // This batch is looked up, then handed on; records arriving meanwhile wait for the next turn.
      const batch = this.queue.splice(0, this.queue.length);
      const names = this.names;
      if (names) {
        const keys: RelKey[] = [];
        for (const r of batch) for (const b of r.blocks) if (names.known(b) === undefined) keys.push(b);
        if (keys.length) await names.resolve(keys);
      }
      for (const r of batch) this.emit(r);
    }
    // Cleared in the same turn as the loop's last check: a record pushed from now on kicks anew.
    this.resolving = false;
    this.onIdle?.();
    const waiters = this.drained;
    this.drained = [];
    for (const w of waiters) w();
  }

  /** A new relation file: whatever was cached for its relfilenode no longer applies. */
  private invalidate(r: WalRecord): void {
    if (!this.names || r.rmid !== RM_SMGR_ID || (r.info & 0xf0) !== XLOG_SMGR_CREATE || r.mainDataLength < 12) return;
    const at = r.mainDataOffset;
    this.names.forget({
      tablespace: r.bytes.readUInt32LE(at),
      database: r.bytes.readUInt32LE(at + 4),
      relfilenode: r.bytes.readUInt32LE(at + 8),
    });
  }
}
