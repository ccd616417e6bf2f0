import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { ConnectTarget, RecentTarget } from '../../shared/contract';
import { humanBytes } from '../lib/format';
import { serverHealth, worstLag, worstLagTitle, type Health } from '../lib/server-health';
import { useConnection, type SessionInfo } from '../stores/connection-store';
import type { MonitorState } from '../stores/monitor-store';
import { sessionRegistry } from '../stores/session-registry';

const HEALTH_TEXT: Record<Health, string> = {
  ok: 'healthy',
  warn: 'warning alerts',
  bad: 'critical alerts or disconnected',
  reconnecting: 'catalog session reconnecting',
};

/** What a server's row shows, from its own monitor store (live whether it is shown or not). */
function useServerFigures(session: SessionInfo) {
  const monitor = sessionRegistry.ensure(session.id).monitor;
  // Primitives only: the shallow comparison must see an unchanged row as unchanged.
  const figures = useStore(
    monitor,
    useShallow((s: MonitorState) => {
      const lag = worstLag(s.slots, s.standbys);
      return {
        lsn: s.overview?.currentLsn ?? session.overview.currentLsn,
        health: serverHealth(session.state, s.alerts),
        lagBytes: lag?.bytes ?? null,
        lagWhat: lag?.what ?? null,
      };
    }),
  );
  const { lagBytes, lagWhat } = figures;
  return {
    lsn: figures.lsn,
    health: figures.health,
    lag: lagBytes === null || lagWhat === null ? null : { bytes: lagBytes, what: lagWhat },
  };
}

/** One connected server: health dot, label, current LSN and worst lag; a click shows it. */
function ServerItem({ session, active }: { session: SessionInfo; active: boolean }) {
  const select = useConnection((s) => s.select);
  const { lsn, health, lag } = useServerFigures(session);
  return (
    <li>
      <button
        className={`server-item ${active ? 'on' : ''}`}
        aria-current={active ? 'true' : undefined}
        data-testid={`server-${session.label}`}
        onClick={() => select(session.id)}
      >
        <span className={`health-dot ${health}`} title={HEALTH_TEXT[health]} data-health={health} />
        <span className="server-label">{breakable(session.label)}</span>
        <span className="server-figures">
          <span className="mono" title="Current WAL position" data-testid="server-lsn">
            {lsn ?? '—'}
          </span>
          <span className="server-lag" title={worstLagTitle(lag)} data-testid="server-lag">
            {lag ? humanBytes(lag.bytes) : '—'}
          </span>
        </span>
      </button>
    </li>
  );
}

/** user@host:port/db with line breaks allowed after @ and before / and :, not inside names. */
function breakable(label: string): ReactNode[] {
  return label.split(/(?=[/:])|(?<=@)/).flatMap((part, i) => (i ? [<wbr key={i} />, part] : [part]));
}

/** One not-yet-connected server: a click connects it. */
function Choice({ label, title, target }: { label: string; title: string; target: ConnectTarget | RecentTarget }) {
  const { connect, connecting } = useConnection(useShallow((s) => ({ connect: s.connect, connecting: s.connecting })));
  return (
    <li>
      <button className="choice" title={title} disabled={connecting} onClick={() => void connect(target)}>
        {label}
      </button>
    </li>
  );
}

/** Saved profiles, pg_service.conf services, recent servers and the demo, for one click. */
function Choices() {
  const { profiles, services, recentAll, sessions } = useConnection(
    useShallow((s) => ({ profiles: s.profiles, services: s.services, recentAll: s.recent, sessions: s.sessions })),
  );
  const demoShown = sessions.some((x) => x.demo);
  // A recent server that is connected now is listed above, not again here.
  const recent = recentAll.filter((r) => !sessions.some((x) => x.label === r.label));
  return (
    <>
      {!demoShown && (
        <ChoiceGroup heading="Demo">
          <Choice label="demo" title="The built-in demo database" target={{ kind: 'demo' }} />
        </ChoiceGroup>
      )}
      {profiles.length > 0 && (
        <ChoiceGroup heading="Saved profiles">
          {profiles.map((p) => (
            <Choice
              key={p.id}
              label={p.name}
              title={`${p.fields.user ?? ''}@${p.fields.host ?? ''}:${p.fields.port ?? ''}/${p.fields.database ?? ''}`}
              target={{ kind: 'profile', profileId: p.id }}
            />
          ))}
        </ChoiceGroup>
      )}
      {services.length > 0 && (
        <ChoiceGroup heading="pg_service.conf">
          {services.map((s) => (
            <Choice
              key={s.name}
              label={s.name}
              title={`Service from ${s.file}`}
              target={{ kind: 'service', service: s.name }}
            />
          ))}
        </ChoiceGroup>
      )}
      {recent.length > 0 && (
        <ChoiceGroup heading="Recent">
          {recent.map((r) => (
            <Choice
              key={JSON.stringify(r.target)}
              label={r.label}
              title={`Last connected ${new Date(r.at).toLocaleString()}`}
              target={r.target}
            />
          ))}
        </ChoiceGroup>
      )}
    </>
  );
}

function ChoiceGroup({ heading, children }: { heading: string; children: ReactNode }) {
  return (
    <section className="choices" aria-label={heading}>
      <h3>{heading}</h3>
      <ul>{children}</ul>
    </section>
  );
}

/** The connected servers (click to show one), "+" to connect another, and servers to connect. */
export function ServerSidebar() {
  const { sessions, activeId, adding, setAdding } = useConnection(
    useShallow((s) => ({ sessions: s.sessions, activeId: s.activeId, adding: s.adding, setAdding: s.setAdding })),
  );
  return (
    <aside className="sidebar" aria-label="Servers">
      <div className="sidebar-head">
        <h2>Servers</h2>
        <button
          className={`add-server ${adding ? 'on' : ''}`}
          aria-label="Connect another server"
          title="Connect another server"
          onClick={() => setAdding(true)}
        >
          +
        </button>
      </div>
      <ul className="servers">
        {sessions.map((s) => (
          <ServerItem key={s.id} session={s} active={!adding && s.id === activeId} />
        ))}
      </ul>
      <Choices />
    </aside>
  );
}
