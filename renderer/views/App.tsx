import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { EVENT_NAMES, type EventName } from '../../shared/contract';
import { getApi } from '../bridge/api';
import { humanDuration } from '../lib/format';
import { useConnection, useSession, type SessionInfo } from '../stores/connection-store';
import { useMonitor } from '../stores/monitor-store';
import { SessionContext, type SessionScope } from '../stores/session-context';
import { sessionRegistry } from '../stores/session-registry';
import { useStream } from '../stores/stream-store';
import { ConnectView } from './ConnectView';
import { ErrorBox } from './ErrorBox';
import { LogicalView } from './LogicalView';
import { OverviewView } from './OverviewView';
import { ServerSidebar } from './ServerSidebar';
import { SlotsView } from './SlotsView';
import { StandbysView } from './StandbysView';
import { StreamView } from './StreamView';
import { WalView } from './WalView';
import { useTopology } from '../stores/topology-store';
import { TopologyView } from './TopologyView';

const TABS = ['Overview', 'Slots', 'Standbys', 'Logical', 'Topology', 'Stream', 'WAL'] as const;
type Tab = (typeof TABS)[number];

/**
 * Subscribes the stores to the bridge's events, once. Every event goes through the session
 * registry, whose exhaustive switch decides which server's stores take it (a new event cannot be
 * left unsubscribed); the two it leaves to others are the window's topology and each server's
 * connection state.
 */
function useBridgeEvents(): void {
  useEffect(() => {
    const api = getApi();
    const route = <K extends EventName>(name: K) => api.on(name, (p) => sessionRegistry.route(name, p));
    const offs = [
      ...EVENT_NAMES.map(route),
      api.on('topology.snapshot', (t) => useTopology.getState().apply(t)),
      api.on('session.state', (s) => useConnection.getState().setSessionState(s.sessionId, s.state, s.error)),
    ];
    return () => offs.forEach((off) => off());
  }, []);
}

function Heartbeat() {
  const stats = useStream((s) => s.stats);
  const state = useStream((s) => s.state);
  const age = stats?.lastKeepaliveAgeMs ?? null;
  const level =
    state !== 'streaming' ? 'idle' : age === null ? 'idle' : age < 15_000 ? 'ok' : age < 60_000 ? 'late' : 'dead';
  const text =
    state === 'reconnecting'
      ? 'reconnecting…'
      : state !== 'streaming'
        ? 'no stream'
        : age === null
          ? 'no keepalive yet'
          : `keepalive ${humanDuration(age)} ago`;
  return (
    <span
      className={`heartbeat ${level}`}
      data-testid="heartbeat"
      title="Age of the last keepalive from the server on our stream"
    >
      <span className="dot" /> {text}
    </span>
  );
}

/** The shown server's label, its live WAL position, reconnect and keepalive state, and Disconnect. */
function TopBar() {
  const session = useSession();
  const disconnect = useConnection((s) => s.disconnect);
  const lsn = useMonitor((s) => s.overview?.currentLsn);
  return (
    <header className="topbar">
      <span className="brand">WALscope</span>
      <span className="session" data-testid="session-label">
        {session.label}
      </span>
      <span className="mono lsn-live" title="Current WAL position" data-testid="topbar-lsn">
        {lsn ?? session.overview.currentLsn}
      </span>
      {session.state === 'reconnecting' && <span className="badge reconnecting">catalog reconnecting</span>}
      <Heartbeat />
      <button className="link" onClick={() => void disconnect(session.id)}>
        Disconnect
      </button>
    </header>
  );
}

/** A server's scope for its views: its stores and whether it is the one shown. */
function useScope(sessionId: string, active: boolean): SessionScope {
  return useMemo(() => ({ sessionId, stores: sessionRegistry.ensure(sessionId), active }), [sessionId, active]);
}

/**
 * One server's tabs. Every connected server's workspace stays mounted (hidden when another is
 * shown), so its stream list, WAL tail, charts and scroll positions are there when it comes back.
 */
function ServerWorkspace({ session, active }: { session: SessionInfo; active: boolean }) {
  const [tab, setTab] = useState<Tab>('Overview');
  return (
    <SessionContext.Provider value={useScope(session.id, active)}>
      <section className="workspace" hidden={!active} aria-label={`Server ${session.label}`}>
        <nav className="tabs" role="tablist">
          {TABS.map((t) => (
            <button
              key={t}
              role="tab"
              aria-selected={t === tab}
              className={t === tab ? 'on' : ''}
              onClick={() => setTab(t)}
            >
              {t}
            </button>
          ))}
        </nav>
        <main className="content">
          {session.state === 'reconnecting' && session.error && <ErrorBox error={session.error} />}
          {tab === 'Overview' && <OverviewView />}
          {tab === 'Slots' && <SlotsView />}
          {tab === 'Standbys' && <StandbysView />}
          {tab === 'Logical' && <LogicalView />}
          {tab === 'Topology' && <TopologyView />}
          {/* The stream stays mounted so a tail keeps its scroll position when switching tabs. */}
          <div hidden={tab !== 'Stream'} className="stream-host">
            <StreamView />
          </div>
          {/* Also kept mounted: the WAL list and chart keep their history across tabs. */}
          <div hidden={tab !== 'WAL'} className="stream-host">
            <WalView />
          </div>
        </main>
      </section>
    </SessionContext.Provider>
  );
}

/** The top bar of the shown server. */
function ActiveTopBar({ sessionId }: { sessionId: string }) {
  return (
    <SessionContext.Provider value={useScope(sessionId, true)}>
      <TopBar />
    </SessionContext.Provider>
  );
}

export function App() {
  useBridgeEvents();
  const { sessions, activeId, adding, loadInfo, connect } = useConnection(
    useShallow((s) => ({
      sessions: s.sessions,
      activeId: s.activeId,
      adding: s.adding,
      loadInfo: s.loadInfo,
      connect: s.connect,
    })),
  );

  useEffect(() => {
    void loadInfo().then(() => {
      // `npm start` with no server opens the demo straight away (#demo in the URL).
      if (location.hash === '#demo' && useConnection.getState().sessions.length === 0) void connect({ kind: 'demo' });
    });
  }, [loadInfo, connect]);

  if (sessions.length === 0) return <ConnectView />;
  const showing = adding ? null : activeId;
  return (
    <div className="app with-sidebar">
      <ServerSidebar />
      <div className="app-main">
        {showing && <ActiveTopBar key={showing} sessionId={showing} />}
        {sessions.map((s) => (
          <ServerWorkspace key={s.id} session={s} active={s.id === showing} />
        ))}
        {adding && <ConnectView another />}
      </div>
    </div>
  );
}
