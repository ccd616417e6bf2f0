/**
 * Exit code when the reader of stdout went away (`walscope stream … | head`): 128 + SIGPIPE, what a
 * shell reports for pg_recvlogical, cat or any C program the kernel ends with SIGPIPE in a pipe.
 * Node ignores SIGPIPE and reports EPIPE instead, so we end quietly with the same status.
 */
export const EXIT_OUTPUT_CLOSED = 141;

/**
 * Buffered NDJSON output: lines are joined into ~64 KiB writes (one write per line costs more
 * than the decoding), flushed at the latest on the next turn of the event loop so a slow stream
 * still shows up at once. `write` returns false while the destination is full; the caller pauses
 * the stream and `onDrain` resumes it. When the destination fails (EPIPE: the reader closed the
 * pipe) everything after is dropped and `onClosed` tells the caller to stop.
 */
export class NdjsonWriter {
  private parts: string[] = [];
  private size = 0;
  private blocked = false;
  private scheduled = false;
  private closedBy: Error | undefined;
  private drainWaiters: (() => void)[] = [];
  onDrain: (() => void) | undefined;
  onClosed: ((err: Error) => void) | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly highWater = 64 * 1024,
  ) {
    out.on('error', (err: Error) => {
      if (this.closedBy) return;
      this.closedBy = err;
      this.parts = [];
      this.size = 0;
      for (const w of this.drainWaiters.splice(0)) w();
      this.onClosed?.(err);
    });
  }

  /** The error that closed the destination, if it was closed. */
  get closedError(): Error | undefined {
    return this.closedBy;
  }

  write(value: unknown): boolean {
    return this.writeJson(JSON.stringify(value));
  }

  /** One line of JSON text made elsewhere (a message's `messageJson`, which keeps row images in order). */
  writeJson(json: string): boolean {
    if (this.closedBy) return true; // nobody reads any more: never pause the stream for it
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
    if (this.size === 0 || this.closedBy) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.out.write(text) && !this.blocked) {
      this.blocked = true;
      this.out.once('drain', () => {
        this.blocked = false;
        for (const w of this.drainWaiters.splice(0)) w();
        this.onDrain?.();
      });
    }
  }

  /** Flushes everything and waits until the destination has taken it (or has failed). */
  async close(): Promise<void> {
    this.flush();
    if (this.blocked && !this.closedBy) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }
}

/** True for the errors a write gets when the reading end of the pipe or socket has gone. */
export function isOutputClosed(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ECONNRESET';
}
