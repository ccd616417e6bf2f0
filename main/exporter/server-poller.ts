import type pg from 'pg';
import type { WalscopeClientConfig } from '../connection/pg-config';
import { readOverview, readSlots, readStandbys } from '../monitor/catalog';
import { openSqlClient } from '../monitor/sql-client';
import { DEFAULT_SLOT_PREFIX } from '../stream/slot-source';
import type { ServerReadings, ServerState } from './families';
import { readSubscriptions } from './subscriptions';

/** A cap on polls in flight across all servers: a slot is taken before a poll and given back after. */
export class Semaphore {
  private inUse = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  async acquire(): Promise<() => void> {
    if (this.inUse >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.inUse--;
    };
  }
}

export interface PollerOptions {
  /** Bound on one poll (connect included); a poll past it counts as down and its session is dropped. */
  timeoutMs: number;
  now?: () => number;
}

/**
 * One watched server: a read-only SQL session kept open between polls and read with the monitor's
 * catalog readers (main/monitor/catalog.ts: the same SQL as ServerMonitor.poll, without the
 * history, alerts and slot operations a window needs). A poll is bounded by `timeoutMs`: past it,
 * or on any error, the session is dropped (not awaited: a black-holed socket must not hold the
 * poller) and the next poll connects again. A session the server ends between polls marks the
 * server down at once.
 */
export class ServerPoller {
  private client: pg.Client | undefined;
  private readonly inactiveSeen = new Map<string, number>();
  private readonly now: () => number;
  private state: ServerState;
  private busy = false;

  constructor(
    readonly name: string,
    private readonly config: WalscopeClientConfig,
    private readonly opts: PollerOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.state = { name, up: false, pollSeconds: null, readings: null };
  }

  current(): ServerState {
    return this.state;
  }

  /** Runs one poll unless one is still running (polls never overlap or pile up). */
  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const started = this.now();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`poll of ${this.name} timed out`));
      }, this.opts.timeoutMs);
    });
    try {
      const readings = await Promise.race([this.read(abort.signal), deadline]);
      this.state = { name: this.name, up: true, pollSeconds: (this.now() - started) / 1000, readings };
    } catch {
      this.drop();
      this.state = { name: this.name, up: false, pollSeconds: (this.now() - started) / 1000, readings: null };
    } finally {
      clearTimeout(timer);
      this.busy = false;
    }
  }

  private async read(signal: AbortSignal): Promise<ServerReadings> {
    const client = this.client ?? (await this.connect(signal));
    const at = this.now();
    const overview = await readOverview(client);
    const { slots } = await readSlots(client, {
      serverVersionNum: overview.serverVersionNum,
      prefix: DEFAULT_SLOT_PREFIX,
      registry: new Set(),
      inactiveSeen: this.inactiveSeen,
      now: at,
    });
    const standbys = await readStandbys(client);
    const subscriptions = await readSubscriptions(client, overview.serverVersionNum);
    if (signal.aborted) throw new Error('timed out');
    return { at, currentLsn: overview.currentLsn, inRecovery: overview.inRecovery, slots, standbys, subscriptions };
  }

  private async connect(signal: AbortSignal): Promise<pg.Client> {
    const client = await openSqlClient(this.config, {
      readOnly: true,
      statementTimeoutMs: this.opts.timeoutMs,
      signal,
    });
    if (signal.aborted) {
      void client.end().catch(() => undefined);
      throw new Error('timed out');
    }
    // The server ended the session (shutdown, terminate): down now, not at the next poll.
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.state = { ...this.state, up: false, readings: null };
    });
    this.client = client;
    return client;
  }

  private drop(): void {
    const c = this.client;
    this.client = undefined;
    void c?.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
