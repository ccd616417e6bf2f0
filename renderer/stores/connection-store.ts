import { create } from 'zustand';
import type { CommandResponse, ConnectTarget, Profile, ServerOverview } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import { getApi } from '../bridge/api';

export interface SessionInfo {
  id: string;
  label: string;
  demo: boolean;
  overview: ServerOverview;
}

interface ConnectionState {
  info: CommandResponse<'app.info'> | null;
  profiles: Profile[];
  session: SessionInfo | null;
  connecting: boolean;
  /** Names the connect in progress, for cancelConnect. */
  connectId: string | null;
  error: ErrorInfo | null;
  sessionState: 'connected' | 'reconnecting' | 'closed' | 'failed' | null;
  loadInfo(): Promise<void>;
  connect(target: ConnectTarget): Promise<boolean>;
  /** Ends the connect in progress: main closes whatever it had opened, and connect() fails with CANCELLED. */
  cancelConnect(): Promise<void>;
  disconnect(): Promise<void>;
  /** `allowFixedKey`: save the password even where only a fixed key (no keyring) would keep it. */
  saveProfile(
    profile: Omit<Profile, 'hasPassword'>,
    password?: string,
    allowFixedKey?: boolean,
  ): Promise<string | undefined>;
  deleteProfile(id: string): Promise<void>;
  setSessionState(state: ConnectionState['sessionState'], error?: ErrorInfo): void;
}

export const useConnection = create<ConnectionState>((set, get) => ({
  info: null,
  profiles: [],
  session: null,
  connecting: false,
  connectId: null,
  error: null,
  sessionState: null,
  async loadInfo() {
    const [info, profiles] = await Promise.all([getApi().invoke('app.info', {}), getApi().invoke('profiles.list', {})]);
    set({ info: info.ok ? info.value : null, profiles: profiles.ok ? profiles.value : [] });
  },
  async connect(target) {
    const connectId = newConnectId();
    set({ connecting: true, connectId, error: null });
    const r = await getApi().invoke('session.connect', { target, connectId });
    if (!r.ok) {
      set({ connecting: false, connectId: null, error: r.error });
      return false;
    }
    set({
      connecting: false,
      connectId: null,
      session: { id: r.value.sessionId, label: r.value.label, demo: r.value.demo, overview: r.value.overview },
      sessionState: 'connected',
    });
    return true;
  },
  async cancelConnect() {
    const connectId = get().connectId;
    if (connectId) await getApi().invoke('session.cancelConnect', { connectId });
  },
  async disconnect() {
    const s = get().session;
    if (s) await getApi().invoke('session.disconnect', { sessionId: s.id });
    set({ session: null, sessionState: null });
  },
  async saveProfile(profile, password, allowFixedKey) {
    const r = await getApi().invoke('profiles.save', {
      profile,
      ...(password ? { password } : {}),
      ...(password && allowFixedKey ? { allowFixedKey: true } : {}),
    });
    await get().loadInfo();
    return r.ok ? r.value.note : r.error.message;
  },
  async deleteProfile(id) {
    await getApi().invoke('profiles.delete', { id });
    await get().loadInfo();
  },
  setSessionState(state, error) {
    set({ sessionState: state, ...(error ? { error } : {}) });
  },
}));

/** Not a secret (it only names this window's own request); getRandomValues works outside secure contexts too. */
function newConnectId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
