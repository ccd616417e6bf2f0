import { formatLsn, type Lsn } from '../../shared/lsn';
import type { DecodedMessage } from '../../shared/messages';
import { nowPgMicros } from '../../shared/pgtime';
import { unreachable } from '../../shared/unreachable';
import { toWalscopeError } from './pg-errors';
import { WalscopeError } from '../../shared/errors';
import { parseLogicalCopyData, type PrimaryKeepalive } from '../protocol/copy-messages';
import { buildStandbyStatusUpdate, feedbackIntervalMs, statusFieldsFor, type FeedbackMode } from '../protocol/feedback';
import type { Decoder } from '../decoders/decoder';
import { ProtocolError } from '../protocol/protocol-error';
import type { CopyBothChannel } from './copy-both-channel';
import type { ResumeFilter } from './resume-filter';
import type { StreamProgress } from './stream-progress';

export interface KeepaliveInfo {
  walEnd: Lsn;
  sendTime: bigint;
  receivedAtMs: number;
  replyRequested: boolean;
}

export interface RunnerSink {
  /** Returns false when the consumer is full: reading pauses until `resume()` is called. */
  message(m: DecodedMessage, raw: Buffer): boolean | void;
  keepalive?(k: KeepaliveInfo): void;
}

export interface RunnerOptions {
  channel: CopyBothChannel;
  decoder: Decoder;
  filter: ResumeFilter;
  progress: StreamProgress;
  mode: FeedbackMode;
  walSenderTimeoutMs: number;
  endLsn?: Lsn | undefined;
  sink: RunnerSink;
  /** Called when the server went silent (no bytes after a ping): the caller drops the socket. */
  onSilence: () => void;
}

export type RunOutcome = 'endpos' | 'stopped';

/** Messages whose end LSN marks a transaction fully handed downstream. */
function transactionEnd(m: DecodedMessage): Lsn | undefined {
  switch (m.type) {
    case 'commit':
    case 'stream_commit':
    case 'prepare':
    case 'stream_prepare':
    case 'commit_prepared':
      return m.endLsn;
    case 'rollback_prepared':
      return m.rollbackEndLsn;
    case 'json':
      return m.endLsn; // wal2json: set on the document that ends a transaction
    case 'begin':
    case 'origin':
    case 'relation':
    case 'type':
    case 'insert':
    case 'update':
    case 'delete':
    case 'truncate':
    case 'message':
    case 'stream_start':
    case 'stream_stop':
    case 'stream_abort':
    case 'begin_prepare':
      return undefined;
    default:
      return unreachable(m, 'message type');
  }
}

/**
 * A CopyData that cannot even be framed has no LSN of its own: name the last position received, so
 * the error still says where in the WAL it happened.
 */
function withPosition(err: WalscopeError, received: Lsn): WalscopeError {
  if (!(err instanceof ProtocolError) || err.details.lsn !== undefined || received === 0n) return err;
  const code = err.code === 'DECODE' ? 'DECODE' : 'PROTOCOL';
  return new ProtocolError(
    { ...err.details, message: `${err.details.message} after LSN ${formatLsn(received)}` },
    code,
  );
}

/**
 * One connection's CopyBoth session: parse, decode, de-duplicate, hand on, and answer the server.
 * Status updates come from one place (protocol/feedback) on a timer well inside
 * wal_sender_timeout and at once when a keepalive asks; never hot-standby feedback.
 */
export class CopyBothRunner {
  private readonly interval: number;
  private timer: NodeJS.Timeout | undefined;
  private settle: ((o: RunOutcome) => void) | undefined;
  private reject: ((e: WalscopeError) => void) | undefined;
  private outcome: RunOutcome | undefined;
  /**
   * Set by the first fatal error. pg emits every CopyData of a socket chunk synchronously, so
   * messages that arrived with (or after) the bad one still reach onData: they must not be handed
   * on, or the output would skip the failed message and continue as if nothing happened.
   */
  private failed = false;
  private lastPingAtMs: number | undefined;

  constructor(private readonly o: RunnerOptions) {
    this.interval = feedbackIntervalMs(o.walSenderTimeoutMs);
  }

  run(): Promise<RunOutcome> {
    const { channel } = this.o;
    const result = new Promise<RunOutcome>((resolve, reject) => {
      this.settle = resolve;
      this.reject = reject;
    });
    channel.onData((payload) => this.onData(payload));
    channel.done.then(
      () => this.finish(this.outcome ?? 'stopped'),
      (err: unknown) => this.fail(toWalscopeError(err)),
    );
    this.timer = setInterval(() => this.tick(), Math.max(50, Math.floor(this.interval / 2)));
    return result;
  }

  /** Ends the stream cleanly (CopyDone); resolves `run()` once the server has finished. */
  stop(outcome: RunOutcome = 'stopped'): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.sendStatus(false);
    this.o.channel.resume();
    this.o.channel.end();
  }

  sendStatus(ping: boolean): void {
    const p = this.o.progress;
    const fields = statusFieldsFor(this.o.mode, { received: p.received, handedOn: p.handedOn });
    p.confirmed = fields.flush;
    this.o.channel.send(buildStandbyStatusUpdate(fields, nowPgMicros(), ping));
  }

  private lastStatusAtMs = 0;

  private tick(): void {
    const now = Date.now();
    const p = this.o.progress;
    const lastHeard = Math.max(p.lastDataAtMs ?? 0, p.lastKeepaliveAtMs ?? 0);
    if (
      this.lastPingAtMs !== undefined &&
      lastHeard < this.lastPingAtMs &&
      now - this.lastPingAtMs > this.interval + 2000
    ) {
      // Asked the server to answer and heard nothing since: the link is dead (blackholed).
      this.fail(
        new WalscopeError({
          code: 'CONNECTION',
          message: `no data from the server for ${Math.round((now - lastHeard) / 1000)} s after a ping`,
          hint: 'The network path to the server stopped delivering; WALscope reconnects.',
        }),
      );
      this.o.onSilence();
      return;
    }
    if (now - this.lastStatusAtMs >= this.interval) {
      // Ask for an answer when the server has been quiet, so an idle link still shows a heartbeat
      // and a dead one is noticed.
      const ping = now - lastHeard >= this.interval;
      if (ping && this.lastPingAtMs === undefined) this.lastPingAtMs = now;
      this.sendStatus(ping);
      this.lastStatusAtMs = now;
    }
  }

  private onData(payload: Buffer): void {
    if (this.outcome || this.failed) return;
    try {
      const msg = parseLogicalCopyData(payload);
      const p = this.o.progress;
      const now = Date.now();
      this.lastPingAtMs = undefined;
      if (msg.kind === 'keepalive') {
        this.onKeepalive(msg, now);
        return;
      }
      p.lastDataAtMs = now;
      p.bytes += msg.data.length;
      if (msg.walStart > p.received) p.received = msg.walStart;
      const endLsn = this.o.endLsn;
      if (endLsn !== undefined && msg.walStart > endLsn && this.atBoundary()) {
        this.stop('endpos');
        return;
      }
      const decoded = this.o.decoder.decode(msg.data, msg.walStart);
      this.raw = msg.data;
      this.full = false;
      this.o.filter.accept(decoded, this.handOn);
      if (this.full && !this.outcome) this.o.channel.pause();
      if (endLsn !== undefined && msg.walStart >= endLsn && this.atBoundary()) this.stop('endpos');
    } catch (err) {
      this.fail(withPosition(toWalscopeError(err), this.o.progress.received));
      this.o.channel.end();
    }
  }

  /** The CopyData payload being handed on, and whether the sink said it is full (see handOn). */
  private raw: Buffer = Buffer.alloc(0);
  private full = false;

  /** Each message the resume filter lets through: to the sink, then the handed-on position. */
  private readonly handOn = (m: DecodedMessage): void => {
    const p = this.o.progress;
    p.messages++;
    if (this.o.sink.message(m, this.raw) === false) this.full = true;
    const end = transactionEnd(m);
    if (end !== undefined && end > p.handedOn) p.handedOn = end;
    else if (m.type === 'message' && !m.transactional && m.lsn > p.handedOn && !this.o.filter.inTransaction) {
      p.handedOn = m.lsn;
    }
  };

  private onKeepalive(k: PrimaryKeepalive, now: number): void {
    const p = this.o.progress;
    p.lastKeepaliveAtMs = now;
    p.serverWalEnd = k.walEnd;
    const idle = !this.o.filter.inTransaction;
    // Between transactions, everything up to the server's WAL end has been received: reporting it
    // as written lets a fast shutdown of the server complete (it waits for write to reach sentPtr).
    if (idle && k.walEnd > p.received) p.received = k.walEnd;
    if (idle && this.o.mode === 'consume' && k.walEnd > p.handedOn) p.handedOn = k.walEnd;
    this.o.sink.keepalive?.({
      walEnd: k.walEnd,
      sendTime: k.sendTime,
      receivedAtMs: now,
      replyRequested: k.replyRequested,
    });
    if (k.replyRequested) {
      this.sendStatus(false);
      this.lastStatusAtMs = now;
    }
    const endLsn = this.o.endLsn;
    if (endLsn !== undefined && this.atBoundary() && k.walEnd >= endLsn) this.stop('endpos');
  }

  /**
   * Where the end position may stop the stream so the output stays well-formed: outside a
   * transaction (after Commit, Prepare, Commit/Rollback Prepared, Stream Commit/Abort/Prepare) and
   * outside a streamed block (after Stream Stop). Never between Begin and Commit, nor between
   * Stream Start and Stream Stop.
   */
  private atBoundary(): boolean {
    return !this.o.filter.inTransaction && !this.o.filter.inStreamBlock;
  }

  resume(): void {
    this.o.channel.resume();
  }

  pause(): void {
    this.o.channel.pause();
  }

  private finish(outcome: RunOutcome): void {
    this.cleanup();
    this.settle?.(outcome);
    this.settle = undefined;
    this.reject = undefined;
  }

  private fail(err: WalscopeError): void {
    this.failed = true;
    this.cleanup();
    this.reject?.(err);
    this.settle = undefined;
    this.reject = undefined;
  }

  private cleanup(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
