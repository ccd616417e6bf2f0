import type { WalscopeClientConfig } from '../connection/pg-config';
import { buildFamilies, type ServerState } from './families';
import type { MetricFamily } from './exposition';
import { Semaphore, ServerPoller } from './server-poller';

export interface FleetTarget {
  name: string;
  config: WalscopeClientConfig;
}

export interface FleetOptions {
  intervalMs: number;
  /** Per-server bound on one poll, connecting included. */
  timeoutMs: number;
  /** Polls in flight at once across all servers. */
  concurrency: number;
  now?: () => number;
}

/**
 * Many servers, each polled on its own timer in the background (starts spread over one interval)
 * through a shared cap on concurrent polls. A scrape never waits for a server: it reads the last
 * result of each, so one slow or unreachable server delays nobody else, and several Prometheus
 * replicas scraping add no load to the databases. A result older than three intervals (polls kept
 * waiting for the cap) counts as down.
 */
export class Fleet {
  private readonly pollers: ServerPoller[];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly gate: Semaphore;
  private readonly now: () => number;

  constructor(
    targets: readonly FleetTarget[],
    private readonly opts: FleetOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.gate = new Semaphore(opts.concurrency);
    this.pollers = targets.map((t) => new ServerPoller(t.name, t.config, { timeoutMs: opts.timeoutMs, now: this.now }));
  }

  start(): void {
    this.pollers.forEach((p, i) => {
      const tick = (): void => void this.pollThroughGate(p);
      const offset = Math.floor((i * this.opts.intervalMs) / this.pollers.length);
      const first = setTimeout(() => {
        tick();
        this.timers.push(setInterval(tick, this.opts.intervalMs));
      }, offset);
      this.timers.push(first);
    });
  }

  /** Polls every server once now (for a first scrape that has data, and for tests). */
  async pollAll(): Promise<void> {
    await Promise.all(this.pollers.map((p) => this.pollThroughGate(p)));
  }

  private async pollThroughGate(p: ServerPoller): Promise<void> {
    const release = await this.gate.acquire();
    try {
      await p.poll();
    } finally {
      release();
    }
  }

  states(): ServerState[] {
    const now = this.now();
    return this.pollers.map((p) => {
      const s = p.current();
      const stale = s.readings !== null && now - s.readings.at > 3 * this.opts.intervalMs;
      return stale ? { ...s, up: false, readings: null } : s;
    });
  }

  families(): MetricFamily[] {
    return buildFamilies(this.states(), this.now());
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await Promise.all(this.pollers.map((p) => p.close()));
  }
}
