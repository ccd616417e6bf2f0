import type pg from 'pg';
import type { Alert, LagPoint, ServerOverview, SlotView, StandbyView, WireMessage } from '../../shared/contract/dto';
import { WalscopeError, type ErrorInfo } from '../../shared/errors';
import { parseLsn, type Lsn } from '../../shared/lsn';
import { toWireMessage } from '../../shared/messages-json';
import type { WalscopeClientConfig } from '../connection/pg-config';
import { ChangeStream } from '../stream/change-stream';
import { toWalscopeError } from '../stream/pg-errors';
import { DEFAULT_SLOT_PREFIX } from '../stream/slot-source';
import { computeAlerts, DEFAULT_THRESHOLDS, type AlertThresholds } from './alerts';
import { readOverview, readSlots, readStandbys } from './catalog';
import { readLogical } from './logical-catalog';
import { RateTracker } from './rates';
import type { LogicalSnapshot } from '../../shared/contract/logical';
import { LagHistory } from './lag-history';
import type { WalsenderReserve } from '../stream/walsender-reserve';
import { SlotOperations, type CreateSlotRequest, type DropOptions, type OperationLog } from './slot-operations';
import { openSqlClient } from './sql-client';
import { couldBeSynchronous } from '../stream/sync-standby';

export interface MonitorOptions {
  intervalMs?: number;
  thresholds?: Partial<AlertThresholds>;
  slotPrefix?: string;
  /** Names of slots this app created (its local record), besides the prefix. */
  registry?: Iterable<string>;
  historySeconds?: number;
  log?: OperationLog;
  now?: () => number;
  /** Walsender slots a peek or a temporary slot must leave free (walsender-reserve.ts); none if unset. */
  walsenderReserve?: WalsenderReserve;
  /** Aborts opening the session (the connect dialog's Cancel). */
  signal?: AbortSignal;
}

export interface MonitorSnapshot {
  at: number;
  overview: ServerOverview;
  slots: SlotView[];
  standbys: StandbyView[];
  alerts: Alert[];
  orphans: string[];
  /** Publications, decoding statistics, subscriptions, WAL receiver (issue 16). */
  logical: LogicalSnapshot;
}

/**
 * The catalog poller and slot operations for one server: one read-only SQL session polled on an
 * interval (a poll in flight makes the next tick skip, so polls never overlap or pile up), lag
 * history, alerts, and the operations that change slots through separate short-lived sessions.
 */
export class ServerMonitor {
  readonly history: LagHistory;
  readonly operations: SlotOperations;
  private readonly thresholds: AlertThresholds;
  private readonly prefix: string;
  private readonly registry: Set<string>;
  private readonly inactiveSeen = new Map<string, number>();
  private readonly now: () => number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private versionNum = 0;
  private lastOverview: ServerOverview | undefined;
  private readonly walsenderReserve: WalsenderReserve | undefined;
  private readonly rates = new RateTracker();

  private constructor(
    private readonly client: pg.Client,
    private readonly config: WalscopeClientConfig,
    opts: MonitorOptions,
  ) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...opts.thresholds };
    this.prefix = opts.slotPrefix ?? DEFAULT_SLOT_PREFIX;
    this.registry = new Set(opts.registry ?? []);
    this.now = opts.now ?? Date.now;
    const seconds = opts.historySeconds ?? 3600;
    this.history = new LagHistory(Math.max(2, Math.ceil((seconds * 1000) / this.intervalMs)), seconds * 1000);
    this.walsenderReserve = opts.walsenderReserve;
    this.operations = new SlotOperations({
      config,
      log: opts.log ?? (() => undefined),
      describe: (name) => this.describeSlot(name),
      advanceCeiling: () => this.advanceCeiling(),
      ...(opts.walsenderReserve !== undefined ? { walsenderReserve: opts.walsenderReserve } : {}),
    });
  }

  static async open(config: WalscopeClientConfig, opts: MonitorOptions = {}): Promise<ServerMonitor> {
    let versionNum = 0;
    const client = await openSqlClient(config, {
      readOnly: true,
      statementTimeoutMs: 5000,
      ...(opts.signal ? { signal: opts.signal } : {}),
      init: async (c) => {
        versionNum = Number(
          (await c.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v,
        );
      },
    });
    const m = new ServerMonitor(client, config, opts);
    m.versionNum = versionNum;
    return m;
  }

  /** Remembers a slot the app created (so it is never mistaken for someone else's). */
  register(name: string): void {
    this.registry.add(name);
  }

  async overview(): Promise<ServerOverview> {
    return (await this.poll()).overview;
  }

  async poll(): Promise<MonitorSnapshot> {
    try {
      const now = this.now();
      const base = await readOverview(this.client);
      const { slots } = await readSlots(this.client, {
        serverVersionNum: this.versionNum,
        prefix: this.prefix,
        registry: this.registry,
        inactiveSeen: this.inactiveSeen,
        now,
      });
      const standbys = await readStandbys(this.client);
      const logical = await readLogical(this.client, this.versionNum, this.rates, now);
      const overview: ServerOverview = { ...base, slotCount: slots.length, standbyCount: standbys.length };
      this.lastOverview = overview;
      this.history.add(lagPoints(slots, standbys, now), now);
      const alerts = computeAlerts(slots, standbys, this.thresholds, now);
      if (couldBeSynchronous(overview.synchronousStandbyNames, String(this.config.application_name ?? ''))) {
        alerts.unshift({
          key: 'server:synchronous_standby_names',
          severity: 'critical',
          subject: 'synchronous_standby_names',
          message: `'${overview.synchronousStandbyNames}' could pick a WALscope connection as a synchronous standby, so WALscope will not stream from this server. Name your standbys explicitly.`,
        });
      }
      return {
        at: now,
        overview,
        slots,
        standbys,
        alerts,
        orphans: slots.filter((s) => s.ownedByWalscope && !s.active && !s.temporary).map((s) => s.name),
        logical,
      };
    } catch (err) {
      throw toWalscopeError(err);
    }
  }

  start(
    onSnapshot: (s: MonitorSnapshot, lag: LagPoint[]) => void,
    onError?: (e: ErrorInfo) => void,
    intervalMs = this.intervalMs,
  ): void {
    this.stop();
    const tick = async (): Promise<void> => {
      if (this.polling) return;
      this.polling = true;
      try {
        const snap = await this.poll();
        onSnapshot(snap, this.history.delta());
      } catch (err) {
        onError?.(toWalscopeError(err).toInfo());
      } finally {
        this.polling = false;
      }
    };
    void tick();
    this.timer = setInterval(() => void tick(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  createSlot(
    req: CreateSlotRequest,
    signal?: AbortSignal,
  ): Promise<{ slotName: string; consistentPoint: string; warning?: string }> {
    return this.operations.create(req, signal).then((r) => {
      this.register(r.slotName);
      return r;
    });
  }

  describeDrop(name: string): ReturnType<SlotOperations['describeDrop']> {
    return this.operations.describeDrop(name);
  }

  drop(name: string, token: string, opts: DropOptions | boolean = {}): ReturnType<SlotOperations['drop']> {
    return this.operations.drop(name, token, typeof opts === 'boolean' ? { terminateConsumer: opts } : opts);
  }

  describeAdvance(name: string, lsn?: string): ReturnType<SlotOperations['describeAdvance']> {
    return this.operations.describeAdvance(name, lsn);
  }

  advance(name: string, token: string): ReturnType<SlotOperations['advance']> {
    return this.operations.advance(name, token);
  }

  /** pg_replication_slot_advance never moves a slot past flushed WAL (replayed WAL on a standby). */
  private async advanceCeiling(): Promise<Lsn> {
    const { rows } = await this.client.query<{ lsn: string }>(
      `SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_flush_lsn() END)::text AS lsn`,
    );
    return parseLsn(rows[0]!.lsn);
  }

  /**
   * The backlog of a logical slot without consuming it: a temporary copy streamed up to the WAL
   * position at the time of the call, at most `limit` messages. Never an unbounded peek.
   */
  async peek(
    name: string,
    limit: number,
    publications: string[] = [],
  ): Promise<{ messages: WireMessage[]; truncated: boolean }> {
    const { slot } = await this.describeSlot(name);
    if (slot.slotType !== 'logical') {
      throw new WalscopeError({
        code: 'UNSUPPORTED',
        message: `slot "${name}" is physical: it has no decoded backlog`,
      });
    }
    const end = this.lastOverview?.currentLsn ?? (await this.poll()).overview.currentLsn;
    const pubs = publications.length
      ? publications
      : slot.plugin === 'pgoutput'
        ? (this.lastOverview?.publications ?? [])
        : [];
    const messages: WireMessage[] = [];
    let truncated = false;
    const stream: ChangeStream = new ChangeStream(
      {
        connection: this.config,
        source: { kind: 'copy', slot: name },
        publications: pubs,
        ...(end ? { endLsn: parseLsn(end) } : {}),
        backoff: { initialMs: 100, maxMs: 1000, maxAttempts: 0 },
        ...(this.walsenderReserve !== undefined ? { walsenderReserve: this.walsenderReserve } : {}),
      },
      {
        message: (m) => {
          if (messages.length >= limit) {
            truncated = true;
            void stream.stop();
            return false;
          }
          messages.push(toWireMessage(m, messages.length));
          return true;
        },
      },
    );
    const timer = setTimeout(() => void stream.stop(), 15_000);
    try {
      await stream.run();
    } finally {
      clearTimeout(timer);
    }
    return { messages, truncated };
  }

  private async describeSlot(
    name: string,
  ): Promise<{ slot: SlotView; usedByStandby: string | null; maxSlotWalKeepSize: string }> {
    const { slots, usedByStandby } = await readSlots(this.client, {
      serverVersionNum: this.versionNum,
      prefix: this.prefix,
      registry: this.registry,
      inactiveSeen: this.inactiveSeen,
      now: this.now(),
    });
    const slot = slots.find((s) => s.name === name);
    if (!slot) {
      throw new WalscopeError({ code: 'SLOT_NOT_FOUND', message: `replication slot "${name}" does not exist` });
    }
    const keep = (
      await this.client.query<{ v: string | null }>(`SELECT current_setting('max_slot_wal_keep_size', true) AS v`)
    ).rows[0]!.v;
    return { slot, usedByStandby: usedByStandby.get(name) ?? null, maxSlotWalKeepSize: keep ?? '' };
  }

  async close(): Promise<void> {
    this.stop();
    await this.operations.close();
    await this.client.end().catch(() => undefined);
  }
}

function lagPoints(slots: SlotView[], standbys: StandbyView[], now: number): LagPoint[] {
  return [
    ...slots.map((s) => ({
      series: `slot:${s.name}`,
      t: now,
      bytes: s.slotType === 'logical' ? (s.pendingBytes ?? s.retainedBytes) : s.retainedBytes,
      timeLagMs: null,
      lsn: s.confirmedFlushLsn ?? s.restartLsn,
    })),
    ...standbys.map((sb) => ({
      series: `standby:${sb.applicationName}:${sb.pid}`,
      t: now,
      bytes: sb.replayLagBytes,
      timeLagMs: sb.replayLagMs,
      lsn: sb.replayLsn,
    })),
  ];
}
