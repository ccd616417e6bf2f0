import type pg from 'pg';
import type { Duplex } from 'node:stream';
import { frameGuardOf, type FrameGuard } from '../connection/frame-guard';
import { toWalscopeError } from './pg-errors';
import { ReadPacer, type PacedSocket } from './read-pacer';
import type { WalscopeError } from '../../shared/errors';

/**
 * The one place that touches node-postgres internals for CopyBoth (see
 * docs/decisions/0012-own-copyboth-framing.md). CopyData from the server is framed by our
 * FrameGuard, which sits in front of pg's parser on the socket: while this channel is open its
 * payloads come to `onData` without pg building a message object and emitting an event for each.
 * Everything else the server sends (CopyDone, errors, notices, the result set after CopyDone,
 * CommandComplete, ReadyForQuery) still goes through pg, which settles the query as before. A
 * payload may be a view into a socket chunk or into pg's reused buffer (without a guard), so
 * `onData` must decode or copy it before returning. Outgoing CopyData (standby status updates) and
 * CopyDone go through pg's serializer.
 */
interface PgWire {
  stream: Duplex;
  on(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): void;
  off(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): void;
  on(event: 'copyDone', listener: () => void): void;
  off(event: 'copyDone', listener: () => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

export class CopyBothChannel {
  /** Settles when the server ends the command: resolves after CopyDone both ways, rejects on error. */
  readonly done: Promise<void>;
  private readonly wire: PgWire;
  /** Where CopyData comes from: our framer, or (a client made without one) pg's events. */
  private readonly guard: FrameGuard | undefined;
  /** Reads the socket less often while we are ahead of the server (with a guard only). */
  private readonly pacer: ReadPacer | undefined;
  private listener: ((msg: { chunk: Buffer }) => void) | undefined;
  private handler: ((payload: Buffer) => void) | undefined;
  private ended = false;
  private paused = false;

  constructor(client: pg.Client, sql: string) {
    this.wire = (client as unknown as { connection: PgWire }).connection;
    this.guard = frameGuardOf(client);
    // Taken from the first CopyData on: set before the command is sent. Until a handler is
    // attached (synchronously after this, by the runner) payloads are dropped, as pg's were.
    if (this.guard) {
      this.guard.copyData = (payload) => this.handler?.(payload);
      const pacer = new ReadPacer(this.wire.stream as unknown as PacedSocket);
      this.guard.afterChunk = (bytes) => pacer.afterChunk(bytes);
      this.pacer = pacer;
    }
    // The server ends the copy first at the end of a timeline (a promoted standby's walsender at
    // the switch point); it then waits for our CopyDone before it sends the next timeline and
    // ends the command. Without an answer both ends would wait for ever.
    this.wire.on('copyDone', this.onServerDone);
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
    if (this.guard) {
      this.handler = handler;
      return;
    }
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
    this.pacer?.stop();
    this.wire.endCopyFrom();
  }

  /** Backpressure: stop reading the socket (the server then blocks on its send buffer, not us on memory). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (this.pacer) this.pacer.pauseForSink();
    else this.wire.stream.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.pacer) this.pacer.resumeForSink();
    else this.wire.stream.resume();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  private readonly onServerDone = (): void => this.end();

  private detach(): void {
    this.wire.off('copyDone', this.onServerDone);
    // The command has ended (ReadyForQuery came through pg): later CopyData belongs to pg again.
    if (this.guard) {
      this.guard.copyData = undefined;
      this.guard.afterChunk = undefined;
    }
    this.pacer?.stop();
    this.handler = undefined;
    if (this.listener) this.wire.off('copyData', this.listener);
    this.listener = undefined;
  }
}
