import type pg from 'pg';
import type { Duplex } from 'node:stream';
import { toWalscopeError } from './pg-errors';
import type { WalscopeError } from '../../shared/errors';

/**
 * The one place that touches node-postgres internals for CopyBoth (see
 * docs/decisions/0001-copyboth-through-pg.md). pg parses the frames and emits each CopyData as an
 * event; its payload is a view into pg's reused read buffer, so `onData` must decode or copy it
 * before returning. Outgoing CopyData (standby status updates) and CopyDone go through pg's
 * serializer.
 */
interface PgWire {
  stream: Duplex;
  on(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): void;
  off(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

export class CopyBothChannel {
  /** Settles when the server ends the command: resolves after CopyDone both ways, rejects on error. */
  readonly done: Promise<void>;
  private readonly wire: PgWire;
  private listener: ((msg: { chunk: Buffer }) => void) | undefined;
  private ended = false;
  private paused = false;

  constructor(client: pg.Client, sql: string) {
    this.wire = (client as unknown as { connection: PgWire }).connection;
    this.done = client.query(sql).then(
      () => this.detach(),
      (err: unknown) => {
        this.detach();
        throw toWalscopeError(err);
      },
    );
    // Keep an unobserved rejection from crashing the process; callers await `done`.
    this.done.catch((_e: WalscopeError) => undefined);
  }

  onData(handler: (payload: Buffer) => void): void {
    this.detach();
    this.listener = (msg) => handler(msg.chunk);
    this.wire.on('copyData', this.listener);
  }

  send(payload: Buffer): void {
    if (this.ended) return;
    this.wire.sendCopyFromChunk(payload);
  }

  /** Sends CopyDone: the server finishes what it is sending and ends the command. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.wire.endCopyFrom();
  }

  /** Backpressure: stop reading the socket (the server then blocks on its send buffer, not us on memory). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.wire.stream.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.wire.stream.resume();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  private detach(): void {
    if (this.listener) this.wire.off('copyData', this.listener);
    this.listener = undefined;
  }
}
