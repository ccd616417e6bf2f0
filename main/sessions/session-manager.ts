import { randomBytes } from 'node:crypto';
import {
  CONTRACT_VERSION,
  type ConnectionFields,
  type ConnectTarget,
  type EventName,
  type EventPayload,
} from '../../shared/contract';
import { WalscopeError } from '../../shared/errors';
import { createDispatcher, type Dispatcher, type Handlers } from '../bridge/dispatcher';
import {
  resolveConnectionSettings,
  toPgClientConfig,
  type SettingsInput,
  type WalscopeClientConfig,
} from '../connection';
import type { DemoHandle } from '../demo/demo-database';
import { MonitorSession } from '../monitor/monitor-session';
import { APP_VERSION } from '../version';
import type { ProfileStore } from './profile-store';
import { LiveStream } from './live-stream';
import { LinkRegistry } from './logical-link';

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
}

interface Session {
  id: string;
  label: string;
  config: WalscopeClientConfig;
  monitor: MonitorSession;
  streams: Map<string, LiveStream>;
  /** Slot creations still waiting, cancellable by name. */
  creating: Map<string, AbortController>;
  demo: boolean;
}

/**
 * One renderer's view of the world: several servers at once, each a session with its own
 * monitor (poller, lag history, slot operations) and its own streams. Closing a session (or the
 * window, or quitting) stops its streams — their temporary slots go with their connections — and
 * closes the monitor.
 */
export class SessionManager {
  readonly dispatcher: Dispatcher;
  private readonly sessions = new Map<string, Session>();
  private readonly links = new LinkRegistry();

  constructor(
    private readonly opts: SessionManagerOptions,
    private readonly emit: EventSink,
  ) {
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

  private async configFor(
    target: ConnectTarget,
  ): Promise<{ config: WalscopeClientConfig; label: string; demo: boolean }> {
    const applicationName = `walscope/${APP_VERSION}`;
    if (target.kind === 'demo') {
      const demo = await this.opts.demo();
      const s = resolveConnectionSettings({ dsn: demo.dsn, applicationName }, {});
      return { config: toPgClientConfig(s), label: 'Demo database', demo: true };
    }
    if (target.kind === 'demoSubscriber') {
      const dsn = await (await this.opts.demo()).subscriber();
      const s = resolveConnectionSettings({ dsn, applicationName }, {});
      return { config: toPgClientConfig(s), label: 'Demo subscriber', demo: false };
    }
    if (target.kind === 'profile') {
      const p = this.opts.profiles.resolve(target.profileId);
      if (!p) throw new WalscopeError({ code: 'INVALID_ARGUMENT', message: 'that saved profile no longer exists' });
      const overrides = overridesFrom({ ...p.profile.fields, ...(p.password ? { password: p.password } : {}) });
      const s = resolveConnectionSettings({ overrides, applicationName }, this.env);
      return { config: toPgClientConfig(s), label: p.profile.name, demo: false };
    }
    const s =
      target.kind === 'dsn'
        ? resolveConnectionSettings(
            {
              dsn: target.dsn,
              applicationName,
              ...(target.password ? { overrides: { password: target.password } } : {}),
            },
            this.env,
          )
        : resolveConnectionSettings({ applicationName, overrides: overridesFrom(target.fields) }, this.env);
    return { config: toPgClientConfig(s), label: `${s.user}@${s.host}:${s.port}/${s.database}`, demo: false };
  }

  private handlers(): Handlers {
    return {
      'app.info': async () => {
        const env = this.env;
        return {
          version: APP_VERSION,
          contractVersion: CONTRACT_VERSION,
          shell: this.opts.shell,
          passwordStorage: this.opts.profiles.passwordStorage,
          defaults: {
            ...(env['PGHOST'] ? { host: env['PGHOST'] } : {}),
            ...(env['PGPORT'] && Number(env['PGPORT']) ? { port: Number(env['PGPORT']) } : {}),
            ...(env['PGDATABASE'] ? { database: env['PGDATABASE'] } : {}),
            ...(env['PGUSER'] ? { user: env['PGUSER'] } : {}),
          },
        };
      },
      'profiles.list': async () => this.opts.profiles.list(),
      'profiles.save': async (r) => this.opts.profiles.save(r.profile, r.password),
      'profiles.delete': async (r) => {
        this.opts.profiles.delete(r.id);
        return {};
      },
      'session.connect': async (r) => {
        const { config, label, demo } = await this.configFor(r.target);
        const monitor = await MonitorSession.open(config, { intervalMs: this.opts.pollIntervalMs ?? 1000 });
        let snapshot;
        try {
          snapshot = await monitor.poll();
        } catch (e) {
          await monitor.close();
          throw e;
        }
        const id = randomBytes(8).toString('hex');
        const session: Session = { id, label, config, monitor, streams: new Map(), creating: new Map(), demo };
        this.sessions.set(id, session);
        const host = String(config.host ?? '');
        this.links.observe({ sessionId: id, label, host, snapshot });
        monitor.start(
          (snap, lag) => {
            this.emit('monitor.snapshot', { sessionId: id, ...snap });
            if (lag.length) this.emit('lag.delta', { sessionId: id, points: lag });
            const links = this.links.observe({ sessionId: id, label, host, snapshot: snap });
            if (links) this.emit('logical.link', { links });
          },
          (error) => this.emit('session.state', { sessionId: id, state: 'reconnecting', error }),
        );
        this.emit('session.state', { sessionId: id, state: 'connected' });
        return { sessionId: id, label, demo, overview: snapshot.overview };
      },
      'session.disconnect': async (r) => {
        await this.closeSession(r.sessionId);
        return {};
      },
      'slots.create': async (r) => {
        const s = this.session(r.sessionId);
        const abort = new AbortController();
        s.creating.set(r.name, abort);
        try {
          return await s.monitor.createSlot(r, abort.signal);
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
      'slots.drop': async (r) => this.session(r.sessionId).monitor.drop(r.name, r.token, r.terminateConsumer),
      'slots.advance': async (r) => this.session(r.sessionId).monitor.advance(r.name, r.lsn),
      'slots.peek': async (r) => this.session(r.sessionId).monitor.peek(r.name, r.limit),
      'stream.start': async (r) => {
        const s = this.session(r.sessionId);
        // A stopped stream stays in the map, answering for its rows' raw bytes, until the next start.
        for (const [id, other] of s.streams) if (other.finished) s.streams.delete(id);
        const streamId = randomBytes(6).toString('hex');
        const live = new LiveStream(s.id, streamId, s.config, r.source, this.emit, this.opts.transportReady);
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
      'logical.link': async (r) => {
        this.session(r.sessionId);
        this.session(r.otherSessionId);
        if (r.sessionId === r.otherSessionId)
          throw new WalscopeError({ code: 'INVALID_ARGUMENT', message: 'a session cannot be linked to itself' });
        return { links: this.links.link(r.sessionId, r.otherSessionId) };
      },
      'logical.unlink': async (r) => {
        this.links.unlink(r.sessionId);
        return {};
      },
      'demo.setRate': async (r) => {
        if (!this.session(r.sessionId).demo)
          throw new WalscopeError({ code: 'INVALID_ARGUMENT', message: 'not the demo database' });
        return { changesPerSecond: (await this.opts.demo()).setRate(r.changesPerSecond) };
      },
    };
  }

  async closeSession(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    this.links.forget(id);
    await Promise.all([...s.streams.values()].map((l) => l.stop()));
    await s.monitor.close();
    this.emit('session.state', { sessionId: id, state: 'closed' });
  }

  /** Stops every stream and session (window closed, socket gone, app quitting). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.closeSession(id)));
  }

  get sessionCount(): number {
    return this.sessions.size;
  }
}

/** UI connection fields as libpq keywords; empty fields fall through to PG* variables and defaults. */
function overridesFrom(f: ConnectionFields): SettingsInput['overrides'] {
  return {
    ...(f.host ? { host: f.host } : {}),
    ...(f.port ? { port: String(f.port) } : {}),
    ...(f.database ? { dbname: f.database } : {}),
    ...(f.user ? { user: f.user } : {}),
    ...(f.password ? { password: f.password } : {}),
    ...(f.sslmode ? { sslmode: f.sslmode } : {}),
    ...(f.sslrootcert ? { sslrootcert: f.sslrootcert } : {}),
  };
}
