import { createContext, useContext } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { LogicalState } from './logical-store';
import type { MonitorState } from './monitor-store';
import type { StreamState } from './stream-store';
import type { WalState } from './wal-store';

/** One connected server's stores: they live from connect to disconnect, shown or not. */
export interface SessionStores {
  monitor: StoreApi<MonitorState>;
  stream: StoreApi<StreamState>;
  wal: StoreApi<WalState>;
  logical: StoreApi<LogicalState>;
}

/** What a server's views read: which session they belong to, its stores, and whether it is the one shown. */
export interface SessionScope {
  sessionId: string;
  stores: SessionStores;
  /** The server shown in the window: only its views take the keyboard. */
  active: boolean;
}

export const SessionContext = createContext<SessionScope | null>(null);

/** The scope of the server whose view subtree this component is in. */
export function useSessionScope(): SessionScope {
  const scope = useContext(SessionContext);
  if (!scope) throw new Error('a server view rendered outside its SessionContext');
  return scope;
}
