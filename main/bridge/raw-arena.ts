/**
 * The raw bytes of the last rows a stream sent to the view, kept in main and handed out one row at
 * a time when the detail pane asks. Sending them hex-encoded in every row made each batch a third
 * larger, and at 20,000 rows/s parsing the batches was the renderer's biggest cost.
 *
 * One preallocated circular byte buffer plus fixed index arrays: memory is bounded by bytes and
 * by rows, whatever the row sizes, and rows cost no per-row objects. A row whose bytes have been
 * overwritten, or that was larger than a quarter of the arena, is simply no longer held.
 */
export class RawArena {
  private readonly buf: Buffer;
  private readonly seqs: Float64Array;
  private readonly starts: Float64Array;
  private readonly lens: Int32Array;
  /** Bytes written so far, counting the tail skipped at each wrap: a row's bytes stay intact while
   * fewer than `buf.length` bytes have been written after its start. */
  private written = 0;

  constructor(
    readonly bytes = 16 * 1024 * 1024,
    readonly rows = 100_000,
  ) {
    this.buf = Buffer.allocUnsafe(bytes);
    this.seqs = new Float64Array(rows).fill(-1);
    this.starts = new Float64Array(rows);
    this.lens = new Int32Array(rows);
  }

  put(seq: number, raw: Uint8Array): void {
    const slot = seq % this.rows;
    if (raw.length > this.bytes / 4) {
      this.seqs[slot] = -1;
      return;
    }
    let pos = this.written % this.bytes;
    if (pos + raw.length > this.bytes) {
      this.written += this.bytes - pos;
      pos = 0;
    }
    this.buf.set(raw, pos);
    this.seqs[slot] = seq;
    this.starts[slot] = this.written;
    this.lens[slot] = raw.length;
    this.written += raw.length;
  }

  /** The row's bytes (a copy), or undefined when the arena no longer holds them. */
  get(seq: number): Buffer | undefined {
    if (!Number.isSafeInteger(seq) || seq < 0) return undefined;
    const slot = seq % this.rows;
    if (this.seqs[slot] !== seq) return undefined;
    const start = this.starts[slot]!;
    if (this.written - start > this.bytes) return undefined;
    const pos = start % this.bytes;
    return Buffer.from(this.buf.subarray(pos, pos + this.lens[slot]!));
  }
}
