import { randomBytes } from 'node:crypto';
import {
  CONTRACT_VERSION,
  type CommandName,
  type ConnectTarget,
  type EventName,
  type EventPayload,
  type ServerOverview,
} from '../../shared/contract';
import { WalscopeError } from '../../shared/errors';
import { createDispatcher, type Dispatcher, type Handlers } from '../bridge/dispatcher';
import type { WalscopeClientConfig } from '../connection';
import type { DemoHandle } from '../demo/demo-database';
import { ServerMonitor, type MonitorSnapshot } from '../monitor/server-monitor';
import { APP_VERSION } from '../version';
import type { ProfileStore } from './profile-store';
import { LiveStream } from './live-stream';
import {
  clientLimitsFrom,
  sessionAllowance,
  streamAllowance,
  type Allowance,
  type ClientLimits,
} from './client-limits';
import { LiveWal } from './live-wal';
import { formatLsn, parseLsn } from '../../shared/lsn';
import { LinkRegistry } from './logical-link';
import { configFor, connectionDefaults } from './connect-target';
import { listServices, serviceFiles } from '../connection';
import { RecentConnections } from './recent-connections';
import { demoPartOf, TopologyRegistry, viaOf } from '../topology/topology-registry';
import type { TopologyMember } from '../topology/graph';

/** The handlers for the commands in these namespaces (`slots` → slots.create, slots.drop, …). */
type HandlerGroup<Namespace extends string> = Pick<Handlers, Extract<CommandName, `${Namespace}.${string}`>>;

export type EventSink = <K extends EventName>(name: K, payload: EventPayload<K>) => void;

export interface SessionManagerOptions {
  shell: 'electron' | 'serve';
  profiles: ProfileStore;
  /** Starts (once) and returns the demo database. */
  demo: () => Promise<DemoHandle>;
  env?: NodeJS.ProcessEnv;
  pollIntervalMs?: number;
  /** False while the transport is still busy delivering earlier events (backpressure for rows). */
  transportReady?: () => boolean;
  /** Caps for this client; unset fields come from WALSCOPE_* variables, then the defaults. */
  limits?: Partial<ClientLimits>;
  /** The recent servers list (in the user data dir); kept in memory when absent. */
  recent?: RecentConnections;
}

interface Session {
  id: string;
  label: string;
  config: WalscopeClientConfig;
  monitor: ServerMonitor;
  streams: Map<string, LiveStream>;
  /** Live WAL decoders (the WAL tab); a stopped one answers for its records until the next start. */
  wals: Map<string, LiveWal>;
  /** Slot creations still waiting, cancellable by name. */
  creating: Map<string, AbortController>;
  demo: boolean;
  /** Allowances this session holds until it closes: its own, and one per temporary slot. */
  releases: (() => void)[];
}

/**
 * One renderer's view of the world: several servers at once, each a session with its own
 * monitor (poller, lag history, slot operations) and its own streams. Closing a session (or the
 * window, or quitting) stops its streams — their temporary slots go with their connections — and
 * closes the monitor.
 */
export class SessionManager {
  readonly dispatcher: Dispatcher;
  readonly limits: ClientLimits;
  private readonly sessions = new Map<string, Session>();
  /** Replication connections (streams, peeks, temporary slots) across all of this client's servers. */
  private readonly replication: Allowance;
  private readonly connections: Allowance;
  /** session.connect calls in progress, by the renderer's connectId, for session.cancelConnect. */
  private readonly connecting = new Map<string, AbortController>();
  private readonly links = new LinkRegistry();
  private readonly recent: RecentConnections;
  /** The topology of this client's servers, pushed as `topology.snapshot` after their polls. */
  private readonly topology = new TopologyRegistry((t) => this.emit('topology.snapshot', t));

  constructor(
    private readonly opts: SessionManagerOptions,
    private readonly emit: EventSink,
  ) {
    this.limits = clientLimitsFrom(this.env, opts.limits);
    this.recent = opts.recent ?? new RecentConnections(undefined);
    this.replication = streamAllowance(this.limits.maxStreams);
    this.connections = sessionAllowance(this.limits.maxSessions);
    this.dispatcher = createDispatcher(this.handlers());
  }

  private get env(): NodeJS.ProcessEnv {
    return this.opts.env ?? process.env;
  }

  private session(id: string): Session {
    const s = this.sessions.get(id);
    if (!s)
      throw new WalscopeError({
        code: 'INVALID_ARGUMENT',
        message: `no open session ${JSON.stringify(id)}`,
        hint: 'Connect again.',
      });
    return s;
  }

  private wal(sessionId: string, walId: string): LiveWal {
    const live = this.session(sessionId).wals.get(walId);
    if (!live) throw new WalscopeError({ code: 'INVALID_ARGUMENT', message: 'no such WAL stream in this session' });
    return live;
  }

  private handlers(): Handlers {
    return {
      ...this.appHandlers(),
      ...this.sessionHandlers(),
      ...this.slotHandlers(),
      ...this.streamHandlers(),
      ...this.walHandlers(),
      ...this.demoHandlers(),
      'topology.get': async () => this.topology.current(),
    };
  }

  private appHandlers(): HandlerGroup<'app' | 'profiles' | 'services' | 'recent'> {
    return {
      'app.info': async () => ({
        version: APP_VERSION,
        contractVersion: CONTRACT_VERSION,
        shell: this.opts.shell,
        passwordStorage: this.opts.profiles.passwordStorage,
        defaults: connectionDefaults(this.env),
      }),
      'profiles.list': async () => this.opts.profiles.list(),
      'profiles.save': async (r) =>
        this.opts.profiles.save(r.profile, r.password, r.allowFixedKey ? { allowFixedKey: true } : {}),
      'profiles.delete': async (r) => {
        this.opts.profiles.delete(r.id);
        return {};
      },
      'services.list': async () => listServices(serviceFiles(this.env)),
      'recent.list': async () => this.recent.list(),
    };
  }

  private sessionHandlers(): HandlerGroup<'session'> {
    return {
      'session.connect': async (r) => {
        const abort = new AbortController();
        if (r.connectId) this.connecting.set(r.connectId, abort);
        const release = this.connections.acquire();
        try {
          const connected = await this.connect(r.target, abort.signal, release);
          this.recent.record(r.target, connected.label);
          return connected;
        } catch (e) {
          release();
          throw e;
        } finally {
          if (r.connectId) this.connecting.delete(r.connectId);
        }
      },
      'session.cancelConnect': async (r) => {
        const pending = this.connecting.get(r.connectId);
        pending?.abort();
        return { cancelled: pending !== undefined };
      },
      'session.disconnect': async (r) => {
        await this.closeSession(r.sessionId);
        return {};
      },
    };
  }

  private slotHandlers(): HandlerGroup<'slots'> {
    return {
      'slots.create': async (r) => {
        const s = this.session(r.sessionId);
        // A temporary slot holds its replication connection until the session closes.
        const release = r.temporary ? this.replication.acquire() : () => undefined;
        const abort = new AbortController();
        s.creating.set(r.name, abort);
        try {
          const created = await s.monitor.createSlot(r, abort.signal);
          s.releases.push(release);
          return created;
        } catch (e) {
          release();
          throw e;
        } finally {
          s.creating.delete(r.name);
        }
      },
      'slots.cancelCreate': async (r) => {
        const pending = this.session(r.sessionId).creating.get(r.name);
        pending?.abort();
        return { cancelled: pending !== undefined };
      },
      'slots.describeDrop': async (r) => this.session(r.sessionId).monitor.describeDrop(r.name),
      'slots.drop': async (r) =>
        this.session(r.sessionId).monitor.drop(r.name, r.token, { terminateConsumer: r.terminateConsumer }),
      'slots.describeAdvance': async (r) => this.session(r.sessionId).monitor.describeAdvance(r.name, r.lsn),
      'slots.advance': async (r) => this.session(r.sessionId).monitor.advance(r.name, r.token),
      'slots.peek': async (r) => {
        const monitor = this.session(r.sessionId).monitor;
        const release = this.replication.acquire(); // a peek streams a temporary copy
        try {
          return await monitor.peek(r.name, r.limit);
        } finally {
          release();
        }
      },
    };
  }

  private streamHandlers(): HandlerGroup<'stream'> {
    return {
      'stream.start': async (r) => {
        const s = this.session(r.sessionId);
        // A stopped stream stays in the map, answering for its rows' raw bytes, until the next start.
        for (const [id, other] of s.streams) if (other.finished) s.streams.delete(id);
        const streamId = randomBytes(6).toString('hex');
        const live = this.holdingReplication(
          () =>
            new LiveStream(s.id, streamId, s.config, r.source, this.emit, {
              ready: this.opts.transportReady,
              walsenderReserve: this.limits.walsenderReserve,
            }),
        );
        s.streams.set(streamId, live);
        const slot = await live.started;
        return { streamId, slot };
      },
      'stream.stop': async (r) => {
        const live = this.session(r.sessionId).streams.get(r.streamId);
        await live?.stop();
        return {};
      },
      'stream.raw': async (r) => {
        const live = this.session(r.sessionId).streams.get(r.streamId);
        if (!live) throw new WalscopeError({ code: 'INVALID_ARGUMENT', message: 'no such stream in this session' });
        return { hex: live.rawHex(r.seq) };
      },
    };
  }

  private walHandlers(): HandlerGroup<'wal'> {
    return {
      'wal.start': async (r) => {
        const s = this.session(r.sessionId);
        for (const [id, other] of s.wals) if (other.finished) s.wals.delete(id);
        const walId = randomBytes(6).toString('hex');
        // The physical stream holds a walsender: it counts like any stream of this client.
        const live = this.holdingReplication(
          () =>
            new LiveWal(
              s.id,
              walId,
              s.config,
              {
                ...(r.startLsn ? { startLsn: parseLsn(r.startLsn) } : {}),
                windowSeconds: r.windowSeconds,
                walsenderReserve: this.limits.walsenderReserve,
              },
              this.emit,
              this.opts.transportReady,
            ),
        );
        s.wals.set(walId, live);
        const info = await live.started;
        return { walId, startLsn: formatLsn(info.startLsn), major: info.major };
      },
      'wal.stop': async (r) => {
        await this.session(r.sessionId).wals.get(r.walId)?.stop();
        return {};
      },
      'wal.window': async (r) => {
        this.wal(r.sessionId, r.walId).setWindow(r.seconds);
        return {};
      },
      'wal.record': async (r) => this.wal(r.sessionId, r.walId).record(r.seq),
    };
  }

  private demoHandlers(): HandlerGroup<'demo'> {
    return {
      'demo.setRate': async (r) => {
        if (!this.session(r.sessionId).demo)
          throw new WalscopeError({ code: 'INVALID_ARGUMENT', message: 'not the demo database' });
        return { changesPerSecond: (await this.opts.demo()).setRate(r.changesPerSecond) };
      },
    };
  }

  /**
   * Starts a stream that holds one of this client's replication connections until it is done;
   * a stream that cannot even be constructed gives the allowance back at once.
   */
  private holdingReplication<T extends { done: Promise<unknown> }>(start: () => T): T {
    const release = this.replication.acquire();
    let live: T;
    try {
      live = start();
    } catch (e) {
      release();
      throw e;
    }
    void live.done.finally(release);
    return live;
  }

  /**
   * Opens a session: the monitor's connection (bounded by connect_timeout) and a first poll.
   * Aborting `signal` ends whichever is in progress and closes what was opened, so a cancelled
   * connect leaves no connection behind.
   */
  private async connect(
    target: ConnectTarget,
    signal: AbortSignal,
    release: () => void,
  ): Promise<{ sessionId: string; label: string; demo: boolean; overview: ServerOverview }> {
    const { config, label, demo } = await configFor(target, { ...this.opts, env: this.env });
    if (signal.aborted) throw cancelled(label);
    const monitor = await ServerMonitor.open(config, {
      intervalMs: this.opts.pollIntervalMs ?? 1000,
      signal,
      walsenderReserve: this.limits.walsenderReserve,
    });
    const onAbort = (): void => void monitor.close();
    signal.addEventListener('abort', onAbort, { once: true });
    let snapshot;
    try {
      snapshot = await monitor.poll();
      if (signal.aborted) throw cancelled(label);
    } catch (e) {
      await monitor.close();
      throw signal.aborted ? cancelled(label) : e;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    const id = randomBytes(8).toString('hex');
    const session: Session = {
      id,
      label,
      config,
      monitor,
      streams: new Map(),
      wals: new Map(),
      creating: new Map(),
      demo,
      releases: [release],
    };
    this.sessions.set(id, session);
    this.watch(session, { sessionId: id, label, via: viaOf(config), demo: demoPartOf(target) }, snapshot);
    this.emit('session.state', { sessionId: id, state: 'connected' });
    return { sessionId: id, label, demo, overview: snapshot.overview };
  }

  /** Starts a session's polls: each snapshot goes to the client, the logical links and the topology. */
  private watch(session: Session, member: Omit<TopologyMember, 'snapshot'>, first: MonitorSnapshot): void {
    const { id: sessionId, label, monitor } = session;
    const host = String(session.config.host ?? '');
    this.links.observe({ sessionId, label, host, snapshot: first });
    this.topology.observe(member, first);
    let failing = false; // a poll failed: the next good one says the catalog session is back
    monitor.start(
      (snap, lag) => {
        if (failing) this.emit('session.state', { sessionId, state: 'connected' });
        failing = false;
        this.emit('monitor.snapshot', { sessionId, ...snap });
        if (lag.length) this.emit('lag.delta', { sessionId, points: lag });
        const links = this.links.observe({ sessionId, label, host, snapshot: snap });
        if (links) this.emit('logical.link', { links });
        this.topology.observe(member, snap);
      },
      (error) => {
        failing = true;
        this.emit('session.state', { sessionId, state: 'reconnecting', error });
        this.topology.refresh(); // its last snapshot ages: once stale, the node turns bad
      },
    );
  }

  async closeSession(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    this.links.forget(id);
    this.topology.forget(id);
    await Promise.all([...s.streams.values(), ...s.wals.values()].map((l) => l.stop()));
    await s.monitor.close();
    for (const release of s.releases) release();
    this.emit('session.state', { sessionId: id, state: 'closed' });
  }

  /** Stops every stream and session (window closed, socket gone, app quitting). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.closeSession(id)));
    this.topology.close();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }
}

function cancelled(label: string): WalscopeError {
  return new WalscopeError({ code: 'CANCELLED', message: `connecting to ${label} was cancelled` });
}
