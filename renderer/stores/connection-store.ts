import { useRef } from 'react';
import { create } from 'zustand';
import type {
  CommandResponse,
  ConnectTarget,
  Profile,
  RecentConnection,
  ServerOverview,
  ServiceEntry,
} from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import { getApi } from '../bridge/api';
import { useSessionScope } from './session-context';
import { sessionRegistry } from './session-registry';

/** The label main gives the demo's subscriber (main/sessions/connect-target.ts). */
const DEMO_SUBSCRIBER = 'demo subscriber';

export type SessionState = 'connected' | 'reconnecting' | 'closed' | 'failed';

export interface SessionInfo {
  id: string;
  label: string;
  demo: boolean;
  overview: ServerOverview;
  state: SessionState;
  /** Why the catalog session is reconnecting, while it is. */
  error: ErrorInfo | null;
}

interface ConnectionState {
  info: CommandResponse<'app.info'> | null;
  profiles: Profile[];
  services: ServiceEntry[];
  recent: RecentConnection[];
  /** The connected servers, in the order they were connected. */
  sessions: SessionInfo[];
  /** The server shown in the window. */
  activeId: string | null;
  /** The shown server (the one of activeId), or null. */
  session: SessionInfo | null;
  /** The connect form is shown in place of the active server (which stays connected). */
  adding: boolean;
  connecting: boolean;
  /** Names the connect in progress, for cancelConnect. */
  connectId: string | null;
  /** The last connect's error, shown by the connect form. */
  error: ErrorInfo | null;
  loadInfo(): Promise<void>;
  /**
   * Connects one more server and shows it; the others stay connected. `show: false` keeps the
   * shown server (the Topology tab connects a seen server and stays on the graph).
   */
  connect(target: ConnectTarget, opts?: { show?: boolean }): Promise<boolean>;
  /** Ends the connect in progress: main closes whatever it had opened, and connect() fails with CANCELLED. */
  cancelConnect(): Promise<void>;
  /** Disconnects one server (default: the shown one); the others stay. */
  disconnect(sessionId?: string): Promise<void>;
  /** Shows another connected server; nothing is stopped. */
  select(sessionId: string): void;
  /** Shows (true) or leaves (false) the connect form. */
  setAdding(adding: boolean): void;
  /** `allowFixedKey`: save the password even where only a fixed key (no keyring) would keep it. */
  saveProfile(
    profile: Omit<Profile, 'hasPassword'>,
    password?: string,
    allowFixedKey?: boolean,
  ): Promise<string | undefined>;
  deleteProfile(id: string): Promise<void>;
  setSessionState(sessionId: string, state: SessionState, error?: ErrorInfo): void;
}

/** The sessions and the active one, with `session` kept equal to the active session. */
function shown(sessions: SessionInfo[], activeId: string | null): Partial<ConnectionState> {
  const session = sessions.find((s) => s.id === activeId) ?? null;
  return { sessions, activeId: session?.id ?? null, session };
}

type SetState = (partial: Partial<ConnectionState>) => void;
type GetState = () => ConnectionState;

/** Connecting, cancelling, disconnecting one server. */
function sessionActions(set: SetState, get: GetState) {
  return {
    async connect(target: ConnectTarget, opts: { show?: boolean } = {}): Promise<boolean> {
      const connectId = newConnectId();
      set({ connecting: true, connectId, error: null });
      const r = await getApi().invoke('session.connect', { target, connectId });
      if (!r.ok) {
        // A one-click connect from the sidebar shows its error in the connect form.
        set({
          connecting: false,
          connectId: null,
          error: r.error,
          adding: opts.show !== false && get().sessions.length > 0,
        });
        return false;
      }
      const { sessionId: id, label, demo, overview } = r.value;
      sessionRegistry.ensure(id);
      const info: SessionInfo = { id, label, demo, overview, state: 'connected', error: null };
      const showId = opts.show === false && get().activeId ? get().activeId : id;
      set({ connecting: false, connectId: null, adding: false, ...shown([...get().sessions, info], showId) });
      // The demo has a subscriber: connect it too (listed, not shown) for both ends of logical replication.
      if (demo && !get().sessions.some((s) => s.label === DEMO_SUBSCRIBER))
        void get().connect({ kind: 'demoSubscriber' }, { show: false });
      void get().loadInfo(); // the recent list has this server first now
      return true;
    },
    async cancelConnect(): Promise<void> {
      const connectId = get().connectId;
      if (connectId) await getApi().invoke('session.cancelConnect', { connectId });
    },
    async disconnect(sessionId = get().activeId ?? undefined): Promise<void> {
      if (!sessionId) return;
      const stores = sessionRegistry.get(sessionId);
      stores?.monitor.getState().reset();
      stores?.logical.getState().reset();
      const left = get().sessions.filter((s) => s.id !== sessionId);
      const activeId = get().activeId === sessionId ? (left[left.length - 1]?.id ?? null) : get().activeId;
      set(shown(left, activeId));
      await getApi().invoke('session.disconnect', { sessionId });
      sessionRegistry.delete(sessionId);
    },
    setSessionState(sessionId: string, state: SessionState, error?: ErrorInfo): void {
      const sessions = get().sessions.map((s) =>
        s.id === sessionId ? { ...s, state, error: state === 'connected' ? null : (error ?? s.error) } : s,
      );
      set(shown(sessions, get().activeId));
    },
  };
}

/** What the connect screen and the sidebar offer: app info, profiles, services, recent servers. */
function choiceActions(set: SetState, get: GetState) {
  return {
    async loadInfo(): Promise<void> {
      const api = getApi();
      const [info, profiles, services, recent] = await Promise.all([
        api.invoke('app.info', {}),
        api.invoke('profiles.list', {}),
        api.invoke('services.list', {}),
        api.invoke('recent.list', {}),
      ]);
      set({
        info: info.ok ? info.value : null,
        profiles: profiles.ok ? profiles.value : [],
        services: services.ok ? services.value : [],
        recent: recent.ok ? recent.value : [],
      });
    },
    async saveProfile(
      profile: Omit<Profile, 'hasPassword'>,
      password?: string,
      allowFixedKey?: boolean,
    ): Promise<string | undefined> {
      const r = await getApi().invoke('profiles.save', {
        profile,
        ...(password ? { password } : {}),
        ...(password && allowFixedKey ? { allowFixedKey: true } : {}),
      });
      await get().loadInfo();
      return r.ok ? r.value.note : r.error.message;
    },
    async deleteProfile(id: string): Promise<void> {
      await getApi().invoke('profiles.delete', { id });
      await get().loadInfo();
    },
  };
}

export const useConnection = create<ConnectionState>((set, get) => ({
  info: null,
  profiles: [],
  services: [],
  recent: [],
  sessions: [],
  activeId: null,
  session: null,
  adding: false,
  connecting: false,
  connectId: null,
  error: null,
  ...sessionActions(set, get),
  ...choiceActions(set, get),
  select(sessionId) {
    set({ adding: false, ...shown(get().sessions, sessionId) });
  },
  setAdding(adding) {
    set({ adding, error: null });
  },
}));

/** The server whose views these are (see SessionContext); it is connected while they are mounted. */
export function useSession(): SessionInfo {
  const { sessionId } = useSessionScope();
  const session = useConnection((s) => s.sessions.find((x) => x.id === sessionId));
  // While a disconnected server's views unmount they may render once more: keep its last info.
  const last = useRef(session);
  if (session) last.current = session;
  if (!last.current) throw new Error(`server view of a session that is not connected: ${sessionId}`);
  return last.current;
}

/** Not a secret (it only names this window's own request); getRandomValues works outside secure contexts too. */
function newConnectId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
