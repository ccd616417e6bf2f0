import { Socket } from 'node:net';
import type { DecodedMessage } from '../../shared/messages';
import { JsonBytes } from '../output/json-bytes';
import { writeMessageJson } from '../output/message-bytes';

/**
 * Exit code when the reader of stdout went away (`walscope stream … | head`): 128 + SIGPIPE, what a
 * shell reports for pg_recvlogical, cat or any C program the kernel ends with SIGPIPE in a pipe.
 * Node ignores SIGPIPE and reports EPIPE instead, so we end quietly with the same status.
 */
export const EXIT_OUTPUT_CLOSED = 141;

/**
 * At most one write per this many ms while lines keep coming (unless the buffer fills first). A
 * reader faster than the server wakes for every few messages (~8 per socket read in the bench):
 * one write per wake-up was ~60,000 write(2) calls for 500,000 rows, an eighth of the CLI's CPU.
 */
export const FLUSH_PACE_MS = 2;

/**
 * Buffered NDJSON output: lines are written as UTF-8 into one byte buffer and handed on in ~64 KiB
 * writes (one write per line costs more than the decoding). A line after a quiet spell is flushed
 * on the next turn of the event loop, so a slow stream still shows up at once; while lines keep
 * coming, the next flush waits until FLUSH_PACE_MS after the previous one (or a full buffer).
 * `write` returns false while the destination is full; the caller pauses the stream and `onDrain`
 * resumes it. When the destination fails (EPIPE: the reader closed the pipe) everything after is
 * dropped and `onClosed` tells the caller to stop.
 */
export class NdjsonWriter {
  private readonly buf: JsonBytes;
  private readonly reusable: boolean;
  private blocked = false;
  private scheduled = false;
  private lastFlushAtMs = -Infinity;
  private closedBy: Error | undefined;
  private drainWaiters: (() => void)[] = [];
  onDrain: (() => void) | undefined;
  onClosed: ((err: Error) => void) | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly highWater = 64 * 1024,
  ) {
    this.buf = new JsonBytes(highWater + 16 * 1024);
    this.reusable = out === process.stdout || out instanceof Socket;
    out.on('error', (err: Error) => {
      if (this.closedBy) return;
      this.closedBy = err;
      this.buf.take();
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
    this.buf.utf8(json);
    return this.endLine();
  }

  /**
   * One decoded message as a line, written from its bytes where it can (`writeMessageJson`, the
   * same text as `messageJson`). `pgoutput`: it comes from the pgoutput decoder.
   */
  writeMessage(m: DecodedMessage, pgoutput: boolean): boolean {
    if (this.closedBy) return true;
    writeMessageJson(this.buf, m, pgoutput);
    return this.endLine();
  }

  private endLine(): boolean {
    this.buf.byte(0x0a);
    if (this.buf.pos >= this.highWater) this.flush();
    else if (!this.scheduled) this.schedule();
    return !this.blocked;
  }

  private schedule(): void {
    this.scheduled = true;
    const wait = this.lastFlushAtMs + FLUSH_PACE_MS - performance.now();
    const run = (): void => {
      this.scheduled = false;
      this.flush();
    };
    if (wait > 0) setTimeout(run, wait);
    else setImmediate(run);
  }

  flush(): void {
    if (this.buf.pos === 0 || this.closedBy) return;
    this.lastFlushAtMs = performance.now();
    const chunk = this.buf.view();
    const ok = this.out.write(chunk);
    // Standard output (a file, /dev/null, a pipe or a terminal) or a socket with nothing left queued
    // has written the bytes out: the buffer can be filled again. Any other stream (a PassThrough)
    // may hand the same Buffer on to its reader, so it gets a new one each time.
    if (this.reusable && (this.out as { writableLength?: number }).writableLength === 0) this.buf.reset();
    else this.buf.take();
    if (!ok && !this.blocked) {
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
