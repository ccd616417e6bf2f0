import type pg from 'pg';
import { WalscopeError, type ErrorInfo } from '../../shared/errors';
import type { Lsn } from '../../shared/lsn';
import type { DecodedMessage } from '../../shared/messages';
import { createDecoder, type Decoder, type DecoderOptions } from '../decoders/decoder';
import { startLogicalReplicationSql } from '../protocol/commands';
import type { FeedbackMode } from '../protocol/feedback';
import { backoffDelayMs, DEFAULT_BACKOFF, sleep, type BackoffPolicy } from './backoff';
import { CopyBothRunner, type KeepaliveInfo, type RunOutcome } from './copy-both-runner';
import { isTransient, toWalscopeError } from './pg-errors';
import { couldBeSynchronous } from './sync-standby';
import { pluginOptionsFor } from './plugin-options';
import { ReplicationConnection } from './replication-connection';
import { ResumeFilter } from './resume-filter';
import {
  DEFAULT_SLOT_PREFIX,
  prepareSlot,
  refuseSlotChangingOptions,
  twoPhaseForCopy,
  type Gap,
  type PreparedSlot,
  type StreamSource,
} from './slot-source';
import { newProgress, type StreamProgress } from './stream-progress';
import { watchWait, type WaitReport } from './wait-report';
import { checkWalsenderReserve, type WalsenderReserve } from './walsender-reserve';

export type StreamState = 'connecting' | 'streaming' | 'reconnecting' | 'stopped' | 'failed';

export interface StreamStateEvent {
  state: StreamState;
  slot?: string;
  /** While reconnecting: this attempt (1-based) of at most maxAttempts. */
  attempt?: number;
  maxAttempts?: number;
  delayMs?: number;
  error?: ErrorInfo;
  backendPid?: number;
}

export interface ChangeStreamHandlers {
  /** Each decoded message exactly once. `raw` is a view of the payload: copy it to keep it. */
  message(m: DecodedMessage, raw: Buffer): boolean | void;
  keepalive?(k: KeepaliveInfo): void;
  state?(e: StreamStateEvent): void;
  gap?(g: Gap): void;
  /**
   * A server call has been waiting for more than a second (CREATE_REPLICATION_SLOT waits for the
   * transactions open when it started): what it waits for, repeated while it lasts.
   */
  waiting?(w: WaitReport): void;
  /** Something the user should know about what is (not) shown, e.g. a limit of the slot copy. */
  notice?(text: string): void;
}

export interface ChangeStreamOptions {
  connection: pg.ClientConfig;
  source: StreamSource;
  /** `inspect` (default) confirms nothing; `consume` confirms what was handed on (direct slots only). */
  mode?: FeedbackMode;
  publications?: string[];
  /** Plugin options that override the defaults (e.g. proto_version). */
  pluginOptions?: Record<string, string>;
  startLsn?: Lsn;
  /** Stop cleanly at this position (see CopyBothRunner for the exact rule). */
  endLsn?: Lsn;
  backoff?: BackoffPolicy;
  slotPrefix?: string;
  /** Stream even when synchronous_standby_names could select this connection (never by default). */
  allowSynchronousMatch?: boolean;
  /** Aborting is stop(): a server call still waiting is cancelled (CancelRequest). */
  signal?: AbortSignal;
  /**
   * Row images as WireTuples: checked at decode time, values made only when read. For handlers
   * that write rows out as JSON (main/output/message-bytes.ts) and read few values themselves.
   */
  lazyRowImages?: boolean;
  /** Refuse to start (not to reconnect) when fewer walsender slots would stay free; none if unset. */
  walsenderReserve?: WalsenderReserve;
}

/**
 * A decoded change stream that survives disconnects: connect, prepare the slot, stream, and on a
 * transient failure reconnect with jittered backoff and resume after the last change handed on
 * (ResumeFilter de-duplicates the re-sent part). Where the position cannot be reached again, it
 * reports a gap instead of splicing silently.
 */
export class ChangeStream {
  readonly progress: StreamProgress = newProgress();
  private readonly filter = new ResumeFilter();
  private readonly abort = new AbortController();
  private readonly mode: FeedbackMode;
  private conn: ReplicationConnection | undefined;
  private runner: CopyBothRunner | undefined;
  private decoder: Decoder | undefined;
  private paused = false;
  private stopping = false;
  private slotName: string | undefined;

  constructor(
    private readonly options: ChangeStreamOptions,
    private readonly handlers: ChangeStreamHandlers,
  ) {
    this.mode = options.mode ?? 'inspect';
    if (this.mode === 'consume' && options.source.kind !== 'direct') {
      throw new WalscopeError({
        code: 'INVALID_ARGUMENT',
        message: 'consume mode confirms positions on a slot, so it needs a slot opened directly',
        hint: 'Use --direct with --consume on a slot you own; inspect mode never moves a slot.',
      });
    }
    refuseSlotChangingOptions(options.source, this.mode, options.pluginOptions);
    options.signal?.addEventListener('abort', () => void this.stop(), { once: true });
  }

  /** The slot currently streamed (the temporary slot or copy name for those sources). */
  get currentSlot(): string | undefined {
    return this.slotName;
  }

  /** The output plugin being decoded (known once the slot is open). */
  get plugin(): string | undefined {
    return this.decoder?.plugin;
  }

  get backendPid(): number | undefined {
    return this.conn?.backendPid;
  }

  /**
   * Runs until stopped, the end position, or an error (rejects with WalscopeError). A stream that
   * never streamed fails with the first error and its cause: nothing was running to resume, and
   * "reconnecting" would hide a wrong host or password. A stream that was running reconnects on a
   * transient failure, at most `backoff.maxAttempts` times per outage, then fails saying so.
   */
  async run(): Promise<RunOutcome> {
    const policy = this.options.backoff ?? DEFAULT_BACKOFF;
    let attempt = 0;
    let connectedOnce = false;
    for (;;) {
      if (this.stopping) return this.finish('stopped');
      if (!connectedOnce) this.emitState({ state: 'connecting' });
      try {
        const outcome = await this.runOnce(connectedOnce, () => {
          attempt = 0;
          connectedOnce = true;
        });
        return this.finish(outcome);
      } catch (err) {
        const e = toWalscopeError(err);
        await this.closeConnection();
        if (this.stopping) return this.finish('stopped');
        if (!connectedOnce || !isTransient(e)) return this.fail(e);
        if (attempt >= policy.maxAttempts) return this.fail(gaveUp(e, attempt));
        const delayMs = backoffDelayMs(policy, attempt);
        attempt++;
        this.progress.reconnects++;
        this.emitState({ state: 'reconnecting', attempt, maxAttempts: policy.maxAttempts, delayMs, error: e.toInfo() });
        await sleep(delayMs, this.abort.signal);
      }
    }
  }

  /** Ends the stream: CopyDone, then the connection closes (which drops a temporary slot). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    if (this.runner) this.runner.stop('stopped');
    else this.cancelCommand();
  }

  /**
   * Before streaming, a command may be waiting on the server (slot creation waits for open
   * transactions, prepared ones too): a CancelRequest ends it at once, the server removes the
   * half-made slot, and run() returns 'stopped'. Should the cancel not get through, the socket is
   * dropped after 1.5 s so stopping never hangs.
   */
  private cancelCommand(): void {
    const conn = this.conn;
    if (!conn) return;
    void conn.cancel();
    setTimeout(() => {
      if (this.conn === conn && !this.runner) conn.destroy();
    }, 1500).unref();
  }

  pause(): void {
    this.paused = true;
    this.runner?.pause();
  }

  resume(): void {
    this.paused = false;
    this.runner?.resume();
  }

  private async runOnce(reconnect: boolean, onStreaming: () => void): Promise<RunOutcome> {
    const conn = await ReplicationConnection.open(this.options.connection, 'database');
    this.conn = conn;
    if (this.stopping) return 'stopped';
    const prepared = await this.openSlot(conn, reconnect);
    const pluginOptions = await pluginOptionsFor(conn, prepared.plugin, this.options);
    const decoder = this.decoderFor(prepared.plugin, pluginOptions.decoder);
    const twoPhase = twoPhaseForCopy(prepared, pluginOptions.wire, conn.serverVersionNum);
    if (twoPhase.note) this.handlers.notice?.(twoPhase.note);
    const channel = conn.startCopyBoth(startLogicalReplicationSql(prepared.slot, prepared.startLsn, twoPhase.wire));
    const runner = new CopyBothRunner({
      channel,
      decoder,
      filter: this.filter,
      progress: this.progress,
      mode: this.mode,
      walSenderTimeoutMs: conn.walSenderTimeoutMs,
      endLsn: this.options.endLsn,
      sink: this.handlers,
      onSilence: () => conn.destroy(),
    });
    this.runner = runner;
    if (this.paused) runner.pause();
    onStreaming();
    this.emitState({ state: 'streaming', slot: prepared.slot, backendPid: conn.backendPid });
    if (this.stopping) runner.stop('stopped');
    try {
      return await runner.run();
    } finally {
      this.runner = undefined;
    }
  }

  /**
   * The checks before any slot is touched, then the slot itself (made, copied or opened), with
   * the resume filter told whether the stream continues where it was or after a gap.
   */
  private async openSlot(conn: ReplicationConnection, reconnect: boolean): Promise<PreparedSlot> {
    await this.refuseIfSynchronousCandidate(conn);
    // Counted with this connection already holding its walsender, before any slot is made: two
    // streams starting at once both count each other and cannot together overshoot the reserve.
    if (!reconnect && this.options.walsenderReserve !== undefined) {
      await checkWalsenderReserve((sql) => conn.run(sql), this.options.walsenderReserve, 'starting this stream');
    }
    // Started only now: a refusal above must not leave the watcher (a timer and a session) running.
    const waiting = this.handlers.waiting;
    const watch = waiting
      ? watchWait(this.options.connection, slotCommand(this.options.source), conn.backendPid, waiting)
      : undefined;
    const prepared = await prepareSlot(conn, this.options.source, {
      prefix: this.options.slotPrefix ?? DEFAULT_SLOT_PREFIX,
      requestedStart: this.options.startLsn,
      resumeFrom: this.progress.handedOn,
      received: this.progress.received,
      reconnect,
    }).finally(() => watch?.stop());
    this.slotName = prepared.slot;
    if (prepared.gap) {
      // The part of a transaction handed on before the gap will never be completed.
      this.filter.discardOpen();
      this.handlers.gap?.(prepared.gap);
    } else {
      this.filter.reconnected();
    }
    return prepared;
  }

  /** One decoder per stream; a reconnection keeps it (its state is reset, not its options). */
  private decoderFor(plugin: string, options: DecoderOptions): Decoder {
    if (!this.decoder || this.decoder.plugin !== plugin) {
      this.decoder = createDecoder(plugin, { ...options, lazyRows: this.options.lazyRowImages ?? false });
    } else {
      this.decoder.reset(); // the server re-sends Relation messages on a new connection
    }
    return this.decoder;
  }

  /** A walsender that never confirms a flush must not be eligible as a synchronous standby. */
  private async refuseIfSynchronousCandidate(conn: ReplicationConnection): Promise<void> {
    if (this.options.allowSynchronousMatch) return;
    const setting = String((await conn.run('SHOW synchronous_standby_names')).rows[0]?.[0] ?? '');
    const appName = this.options.connection.application_name ?? '';
    if (couldBeSynchronous(setting, appName)) {
      throw new WalscopeError({
        code: 'UNSAFE',
        message: `synchronous_standby_names = '${setting}' could make this connection ("${appName}") a synchronous standby; it never confirms a flush, so commits on the server would wait for it`,
        hint: 'List your standbys by name in synchronous_standby_names (no *), or connect with an application_name it does not list.',
      });
    }
  }

  private fail(e: WalscopeError): never {
    this.emitState({ state: 'failed', error: e.toInfo() });
    throw e;
  }

  private async finish(outcome: RunOutcome): Promise<RunOutcome> {
    await this.closeConnection();
    this.emitState({ state: 'stopped' });
    return outcome;
  }

  private async closeConnection(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    if (conn) await conn.close();
  }

  private emitState(e: StreamStateEvent): void {
    this.handlers.state?.(e);
  }
}

function slotCommand(source: StreamSource): string {
  switch (source.kind) {
    case 'temporary':
      return 'CREATE_REPLICATION_SLOT';
    case 'copy':
      return 'pg_copy_logical_replication_slot';
    case 'direct':
      return 'reading the slot';
    default: {
      const never: never = source;
      return never;
    }
  }
}

/** The error after the last reconnection attempt: what was tried, and the last cause. */
function gaveUp(last: WalscopeError, attempts: number): WalscopeError {
  const info = last.toInfo();
  return new WalscopeError(
    {
      ...info,
      message: `the stream was lost and ${attempts === 0 ? 'reconnecting is turned off' : `${attempts} reconnection attempt${attempts === 1 ? '' : 's'} failed`}; last error: ${info.message}`,
      hint: `${info.hint ? `${info.hint} ` : ''}Start the stream again when the server is back${attempts === 0 ? '' : ', or allow more attempts'}.`,
    },
    { cause: last },
  );
}
