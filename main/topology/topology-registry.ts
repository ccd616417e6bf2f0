import type { ConnectTarget } from '../../shared/contract/dto';
import type { TopologySnapshot } from '../../shared/contract/topology';
import type { WalscopeClientConfig } from '../connection';
import type { MonitorSnapshot } from '../monitor/server-monitor';
import { buildTopology, type TopologyMember } from './topology';

/** Which part of the demo a connect target reaches, for the topology's connect suggestions. */
export function demoPartOf(target: ConnectTarget): TopologyMember['demo'] {
  switch (target.kind) {
    case 'demo':
      return 'primary';
    case 'demoStandby':
      return 'standby';
    case 'demoSubscriber':
      return 'subscriber';
    case 'dsn':
    case 'fields':
    case 'profile':
    case 'service':
      return null;
    default: {
      const never: never = target;
      return never;
    }
  }
}

/** How a session reached its server, as the topology matches addresses (no password). */
export function viaOf(config: WalscopeClientConfig): TopologyMember['via'] {
  return {
    host: String(config.host ?? ''),
    port: config.port === undefined ? null : Number(config.port),
    database: String(config.database ?? ''),
    user: String(config.user ?? ''),
  };
}

/**
 * The latest snapshot of every session of one SessionManager, and the topology built from them:
 * recomputed after any member polls, at most once per `delayMs` (members poll on their own
 * timers; one recomputation covers snapshots that arrive together).
 */
export class TopologyRegistry {
  private readonly members = new Map<string, TopologyMember>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly publish: (t: TopologySnapshot) => void,
    private readonly delayMs = 150,
    private readonly now: () => number = Date.now,
  ) {}

  observe(member: Omit<TopologyMember, 'snapshot'>, snapshot: MonitorSnapshot): void {
    this.members.set(member.sessionId, { ...member, snapshot });
    this.schedule();
  }

  forget(sessionId: string): void {
    if (this.members.delete(sessionId)) this.schedule();
  }

  /** Publishes again without a new snapshot (a member's polls are failing: its snapshot ages). */
  refresh(): void {
    this.schedule();
  }

  current(): TopologySnapshot {
    return buildTopology([...this.members.values()], this.now());
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.publish(this.current());
    }, this.delayMs);
  }
}
