import type { EventName, EventPayload, StreamSourceRequest, WireRow } from '../../shared/contract';
import { WalscopeError } from '../../shared/errors';
import { formatLsn } from '../../shared/lsn';
import type { DecodedMessage } from '../../shared/messages';
import { toWireRow } from '../../shared/wire-row';
import { RawArena } from '../bridge/raw-arena';
import { JsonBytes } from '../output/json-bytes';
import { writeMessageJson } from '../output/message-bytes';
import { StreamBatcher } from '../bridge/stream-batcher';
import type { WalscopeClientConfig } from '../connection';
import {
  ChangeStream,
  type ChangeStreamHandlers,
  type ChangeStreamOptions,
  type StreamStateEvent,
} from '../stream/change-stream';
import { toWalscopeError } from '../stream/pg-errors';
import type { StreamSource } from '../stream/slot-source';
import { StreamStatsMeter } from '../stream/stream-stats';
import { describeWait } from '../stream/wait-report';
import type { WalsenderReserve } from '../stream/walsender-reserve';

type Emit = <K extends EventName>(name: K, payload: EventPayload<K>) => void;
type Mode = 'consume' | 'inspect';
interface LiveStreamOptions {
  ready?: (() => boolean) | undefined;
  walsenderReserve?: WalsenderReserve;
}

/** A promise settled from outside: the start of a stream, known only when its state says so. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: WalscopeError) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: WalscopeError) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // nobody may await it; a rejection is not unhandled
  return { promise, resolve, reject };
}

/** The ChangeStream options for a bridge request: row images lazy, as the view writes them as JSON. */
function streamOptions(
  config: WalscopeClientConfig,
  req: StreamSourceRequest,
  mode: Mode,
  opts: LiveStreamOptions,
): ChangeStreamOptions {
  const source: StreamSource =
    req.kind === 'temporary' ? { kind: 'temporary', plugin: req.plugin } : { kind: req.kind, slot: req.slot };
  return {
    connection: config,
    source,
    mode,
    publications: req.publications,
    lazyRowImages: true,
    ...(opts.walsenderReserve !== undefined ? { walsenderReserve: opts.walsenderReserve } : {}),
  };
}

/**
 * A message waiting for the view. Its row (JSON text, summary, LSN text) is made only when its batch
 * is sent: at a rate the page cannot draw, the batcher drops most rows before then, and making
 * each row's text first cost serve the CPU it needed to keep reading the socket.
 */
interface PendingRow {
  m: DecodedMessage;
  seq: number;
}

/** A ChangeStream wired to the bridge: rows batched for the view, state and stats as events. */
export class LiveStream {
  readonly started: Promise<string>;
  readonly done: Promise<void>;
  private readonly stream: ChangeStream;
  private readonly batcher: StreamBatcher<PendingRow>;
  private readonly statsTimer: NodeJS.Timeout;
  private readonly raw = new RawArena();
  private readonly json = new JsonBytes(4096);
  private readonly start = deferred<string>();
  private readonly mode: Mode;
  private seq = 0;
  finished = false;

  constructor(
    private readonly sessionId: string,
    private readonly streamId: string,
    config: WalscopeClientConfig,
    req: StreamSourceRequest,
    private readonly emit: Emit,
    opts: LiveStreamOptions = {},
  ) {
    this.mode = req.kind === 'direct' && req.consume ? 'consume' : 'inspect';
    this.batcher = new StreamBatcher<PendingRow>(
      (pending, dropped) => emit('stream.batch', { sessionId, streamId, ...this.wireRows(pending, dropped) }),
      5000,
      33,
      opts.ready,
    );
    this.started = this.start.promise;
    this.stream = new ChangeStream(streamOptions(config, req, this.mode, opts), this.handlers());
    const meter = new StreamStatsMeter();
    this.statsTimer = setInterval(
      () =>
        emit('stream.stats', {
          sessionId,
          streamId,
          stats: meter.sample(this.stream.progress, this.batcher.totalDropped),
        }),
      1000,
    );
    this.done = this.runToEnd();
  }

  /** Rows into the batcher; state, waits and gaps as `stream.state` events. */
  private handlers(): ChangeStreamHandlers {
    const { sessionId, streamId, mode, emit } = this;
    return {
      message: (m, raw) => {
        const seq = this.seq++;
        this.raw.put(seq, raw);
        this.batcher.push({ m, seq });
        return true;
      },
      state: (e) => this.onState(e),
      waiting: (w) =>
        emit('stream.state', { sessionId, streamId, state: 'connecting', mode, waiting: describeWait(w) }),
      gap: (g) =>
        emit('stream.state', {
          sessionId,
          streamId,
          state: 'streaming',
          mode,
          gap: { from: formatLsn(g.from), to: formatLsn(g.to), reason: g.reason },
        }),
    };
  }

  /**
   * Each row's JSON once, written from the wire bytes (the same text as messageJson). This runs on
   * the batcher's timer, outside the stream's own error handling: a row that cannot be written is
   * counted as dropped for the view rather than thrown into a process other sessions share.
   */
  private wireRows(pending: PendingRow[], dropped: number): { rows: WireRow[]; dropped: number } {
    const rows: WireRow[] = [];
    let lost = 0;
    for (const { m, seq } of pending) {
      try {
        writeMessageJson(this.json, m, this.stream.plugin === 'pgoutput', seq);
        rows.push(toWireRow(m, seq, this.json.takeString()));
      } catch {
        this.json.reset();
        lost++;
      }
    }
    this.batcher.totalDropped += lost;
    return { rows, dropped: dropped + lost };
  }

  private onState(e: StreamStateEvent): void {
    if (e.state === 'streaming' && e.slot) this.start.resolve(e.slot);
    if (e.state === 'failed' && e.error) this.start.reject(new WalscopeError(e.error));
    this.emit('stream.state', {
      sessionId: this.sessionId,
      streamId: this.streamId,
      state: e.state,
      mode: this.mode,
      ...(e.slot ? { slot: e.slot } : {}),
      ...(e.error ? { error: e.error } : {}),
      ...(e.attempt !== undefined ? { attempt: e.attempt } : {}),
      ...(e.maxAttempts !== undefined ? { maxAttempts: e.maxAttempts } : {}),
    });
  }

  /** Runs the stream; when it ends, for whatever reason, the start settles and the timers stop. */
  private runToEnd(): Promise<void> {
    return this.stream
      .run()
      .then(() => undefined)
      .catch((e: unknown) => this.start.reject(toWalscopeError(e)))
      .finally(() => {
        // Stopped before it streamed (e.g. cancelled while slot creation waited): the start ends too.
        this.start.reject(
          new WalscopeError({
            code: 'CANCELLED',
            message: 'the stream was stopped before it started; no slot was left',
          }),
        );
        this.finished = true;
        clearInterval(this.statsTimer);
        this.batcher.close();
      });
  }

  /** Raw bytes of row `seq`, in hex; held for the last rows sent, also after the stream stopped. */
  rawHex(seq: number): string {
    const raw = this.raw.get(seq);
    if (raw) return raw.toString('hex');
    throw new WalscopeError({
      code: 'INVALID_ARGUMENT',
      message: `the raw bytes of row ${seq} are no longer held`,
      hint: 'WALscope keeps the bytes of the last 100,000 rows (up to 16 MB); the decoded values are still shown.',
    });
  }

  async stop(): Promise<void> {
    await this.stream.stop();
    await this.done;
  }
}
