import { useEffect, useState } from 'react';
import { getApi } from '../bridge/api';
import { humanDuration } from '../lib/format';
import { useConnection, type SessionInfo } from '../stores/connection-store';
import { useMonitor } from '../stores/monitor-store';
import { useStream } from '../stores/stream-store';
import { ConnectView } from './ConnectView';
import { ErrorBox } from './ErrorBox';
import { OverviewView } from './OverviewView';
import { SlotsView } from './SlotsView';
import { StandbysView } from './StandbysView';
import { StreamView } from './StreamView';
import { WalView } from './WalView';
import { useLogical } from '../stores/logical-store';
import { LogicalView } from './LogicalView';
import { useWal } from '../stores/wal-store';
import { useTopology } from '../stores/topology-store';
import { TopologyView } from './TopologyView';

const TABS = ['Overview', 'Slots', 'Standbys', 'Logical', 'Topology', 'Stream', 'WAL'] as const;
type Tab = (typeof TABS)[number];

/** Subscribes the stores to the bridge's events, once. */
function useBridgeEvents(): void {
  useEffect(() => {
    const api = getApi();
    const offs = [
      api.on('monitor.snapshot', (s) => {
        if (s.sessionId === useConnection.getState().session?.id) useMonitor.getState().applySnapshot(s);
      }),
      api.on('monitor.snapshot', (s) => useLogical.getState().applySnapshot(useConnection.getState().session?.id, s)),
      api.on('logical.link', (l) => useLogical.getState().applyLinks(l.links)),
      api.on('topology.snapshot', (t) => useTopology.getState().apply(t)),
      api.on('lag.delta', (d) => {
        if (d.sessionId === useConnection.getState().session?.id) useMonitor.getState().applyLag(d.points);
      }),
      api.on('stream.batch', (b) => useStream.getState().applyBatch(b)),
      api.on('stream.state', (s) => useStream.getState().applyState(s)),
      api.on('stream.stats', (s) => {
        if (s.streamId === useStream.getState().streamId) useStream.getState().setStats(s.stats);
      }),
      api.on('wal.batch', (b) => useWal.getState().applyBatch(b)),
      api.on('wal.stats', (s) => useWal.getState().applyStats(s)),
      api.on('wal.state', (s) => useWal.getState().applyState(s)),
      api.on('session.state', (s) => {
        if (s.sessionId === useConnection.getState().session?.id)
          useConnection.getState().setSessionState(s.state, s.error);
      }),
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

/** The session's label, the live WAL position, reconnect and keepalive state, and Disconnect. */
function TopBar({ session }: { session: SessionInfo }) {
  const { sessionState, disconnect } = useConnection();
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
      {sessionState === 'reconnecting' && <span className="badge reconnecting">catalog reconnecting</span>}
      <Heartbeat />
      <button
        className="link"
        onClick={() => {
          useMonitor.getState().reset();
          useLogical.getState().reset();
          void disconnect();
        }}
      >
        Disconnect
      </button>
    </header>
  );
}

export function App() {
  useBridgeEvents();
  const { session, sessionState, error, loadInfo, connect } = useConnection();
  const [tab, setTab] = useState<Tab>('Overview');

  useEffect(() => {
    void loadInfo().then(() => {
      // `npm start` with no server opens the demo straight away (#demo in the URL).
      if (location.hash === '#demo' && !useConnection.getState().session) void connect({ kind: 'demo' });
    });
  }, [loadInfo, connect]);

  // The demo has a subscriber: show both ends of logical replication straight away.
  useEffect(() => {
    if (session?.demo && !useLogical.getState().other)
      void useLogical.getState().connectOther(session.id, { kind: 'demoSubscriber' });
  }, [session]);

  if (!session) return <ConnectView />;
  return (
    <div className="app">
      <TopBar session={session} />
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
        {sessionState === 'reconnecting' && error && <ErrorBox error={error} />}
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
    </div>
  );
}
