/**
 * Buffered NDJSON output: lines are joined into ~64 KiB writes (one write per line costs more
 * than the decoding), flushed at the latest on the next turn of the event loop so a slow stream
 * still shows up at once. `write` returns false while the destination is full; the caller pauses
 * the stream and `onDrain` resumes it.
 */
export class NdjsonWriter {
  private parts: string[] = [];
  private size = 0;
  private blocked = false;
  private scheduled = false;
  onDrain: (() => void) | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly highWater = 64 * 1024,
  ) {}

  write(value: unknown): boolean {
    return this.writeJson(JSON.stringify(value));
  }

  /** One line of JSON text made elsewhere (a message's `messageJson`, which keeps row images in order). */
  writeJson(json: string): boolean {
    const line = json + '\n';
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= this.highWater) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
    return !this.blocked;
  }

  flush(): void {
    if (this.size === 0) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.out.write(text) && !this.blocked) {
      this.blocked = true;
      this.out.once('drain', () => {
        this.blocked = false;
        this.onDrain?.();
      });
    }
  }

  /** Flushes everything and waits until the destination has taken it. */
  async close(): Promise<void> {
    this.flush();
    if (this.blocked) await new Promise<void>((resolve) => this.out.once('drain', () => resolve()));
  }
}
