import type { EventName, EventPayload, StreamSourceRequest } from '../../shared/contract';
import { WalscopeError } from '../../shared/errors';
import { formatLsn } from '../../shared/lsn';
import { toWireRow } from '../../shared/wire-row';
import { RawArena } from '../bridge/raw-arena';
import { JsonBytes } from '../output/json-bytes';
import { writeMessageJson } from '../output/message-bytes';
import { StreamBatcher } from '../bridge/stream-batcher';
import type { WalscopeClientConfig } from '../connection';
import { ChangeStream } from '../stream/change-stream';
import { toWalscopeError } from '../stream/pg-errors';
import type { StreamSource } from '../stream/slot-source';
import { StreamStatsMeter } from '../stream/stream-stats';
import { describeWait } from '../stream/wait-report';
import type { WalsenderReserve } from '../stream/walsender-reserve';

type Emit = <K extends EventName>(name: K, payload: EventPayload<K>) => void;

/** A ChangeStream wired to the bridge: rows batched for the view, state and stats as events. */
export class LiveStream {
  readonly started: Promise<string>;
  readonly done: Promise<void>;
  private readonly stream: ChangeStream;
  private readonly batcher: StreamBatcher;
  private readonly statsTimer: NodeJS.Timeout;
  private readonly raw = new RawArena();
  private readonly json = new JsonBytes(4096);
  private seq = 0;
  finished = false;

  constructor(
    sessionId: string,
    streamId: string,
    config: WalscopeClientConfig,
    req: StreamSourceRequest,
    emit: Emit,
    opts: { ready?: (() => boolean) | undefined; walsenderReserve?: WalsenderReserve } = {},
  ) {
    const mode = req.kind === 'direct' && req.consume ? 'consume' : 'inspect';
    const source: StreamSource =
      req.kind === 'temporary' ? { kind: 'temporary', plugin: req.plugin } : { kind: req.kind, slot: req.slot };
    this.batcher = new StreamBatcher(
      (rows, dropped) => emit('stream.batch', { sessionId, streamId, rows, dropped }),
      5000,
      33,
      opts.ready,
    );
    let resolveStarted!: (slot: string) => void;
    let rejectStarted!: (e: WalscopeError) => void;
    this.started = new Promise((res, rej) => {
      resolveStarted = res;
      rejectStarted = rej;
    });
    this.started.catch(() => undefined);
    this.stream = new ChangeStream(
      {
        connection: config,
        source,
        mode,
        publications: req.publications,
        lazyRowImages: true,
        ...(opts.walsenderReserve !== undefined ? { walsenderReserve: opts.walsenderReserve } : {}),
      },
      {
        message: (m, raw) => {
          const seq = this.seq++;
          this.raw.put(seq, raw);
          // The row's JSON once, written from the wire bytes (the same text as messageJson).
          writeMessageJson(this.json, m, this.stream.plugin === 'pgoutput', seq);
          this.batcher.push(toWireRow(m, seq, this.json.takeString()));
          return true;
        },
        state: (e) => {
          if (e.state === 'streaming' && e.slot) resolveStarted(e.slot);
          if (e.state === 'failed' && e.error) rejectStarted(new WalscopeError(e.error));
          emit('stream.state', {
            sessionId,
            streamId,
            state: e.state,
            mode,
            ...(e.slot ? { slot: e.slot } : {}),
            ...(e.error ? { error: e.error } : {}),
            ...(e.attempt !== undefined ? { attempt: e.attempt } : {}),
            ...(e.maxAttempts !== undefined ? { maxAttempts: e.maxAttempts } : {}),
          });
        },
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
      },
    );
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
    this.done = this.stream
      .run()
      .then(() => undefined)
      .catch((e: unknown) => rejectStarted(toWalscopeError(e)))
      .finally(() => {
        // Stopped before it streamed (e.g. cancelled while slot creation waited): the start ends too.
        rejectStarted(
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
