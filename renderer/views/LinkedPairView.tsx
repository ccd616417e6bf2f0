import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useShallow } from 'zustand/react/shallow';
import type { ConnectTarget, LinkedPair } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import { humanBytes, humanDuration } from '../lib/format';
import { useConnection, useSession, type SessionInfo } from '../stores/connection-store';
import { pairKey, useLogical } from '../stores/logical-store';
import { ErrorBox } from './ErrorBox';

/** The other servers of the window that this one publishes to or subscribes from. */
function useOtherEnds(): SessionInfo[] {
  const session = useSession();
  const links = useLogical((s) => s.links);
  const sessions = useConnection((s) => s.sessions);
  const ids = new Set(links.flatMap((l) => [l.publisherSessionId, l.subscriberSessionId]));
  return sessions.filter((s) => s.id !== session.id && ids.has(s.id));
}

/**
 * The other ends of this server's logical replication, or a form that connects one as another
 * server of the window (listed in the sidebar, which switches to it and disconnects it).
 */
export function OtherEndConnect() {
  const session = useSession();
  const others = useOtherEnds();
  const { connect, connecting } = useConnection(useShallow((s) => ({ connect: s.connect, connecting: s.connecting })));
  const [dsn, setDsn] = useState('');
  const [error, setError] = useState<ErrorInfo | null>(null);
  if (others.length)
    return (
      <div className="row other-end">
        {others.map((o) => (
          <span key={o.id} data-testid="other-end">
            Other end: <strong>{o.label}</strong> (system {o.overview.systemId})
          </span>
        ))}
      </div>
    );
  const connectOther = async (target: ConnectTarget): Promise<void> => {
    setError(null);
    if (!(await connect(target, { show: false }))) setError(useConnection.getState().error);
  };
  return (
    <form
      className="row other-end"
      onSubmit={(e) => {
        e.preventDefault();
        void connectOther({ kind: 'dsn', dsn });
      }}
    >
      <label className="inline">
        Other end DSN
        <input
          aria-label="Other end DSN"
          value={dsn}
          placeholder="postgres://user@subscriber:5432/db"
          onChange={(e) => setDsn(e.target.value)}
        />
      </label>
      <button type="submit" disabled={connecting || !dsn}>
        Connect other end
      </button>
      {session.demo && (
        <button type="button" disabled={connecting} onClick={() => void connectOther({ kind: 'demoSubscriber' })}>
          Demo subscriber
        </button>
      )}
      {error && <ErrorBox error={error} />}
    </form>
  );
}

const STAGES = [
  { key: 'confirmedFlush', label: 'slot confirmed_flush', stroke: '#3b82f6' },
  { key: 'received', label: 'subscriber received', stroke: '#10b981' },
  { key: 'applied', label: 'applied', stroke: '#a855f7' },
] as const;

/** Bytes behind the publisher's current position at each stage, plus the walsender's replay lag. */
function PairChart({ series }: { series: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const version = useLogical((s) => s.linkVersion);
  const linkSeries = useLogical((s) => s.linkSeries);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const p = new uPlot(
      {
        width: el.clientWidth || 600,
        height: 170,
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: true },
          bytes: { auto: true, range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] },
          ms: { auto: true },
        },
        axes: [
          {},
          { scale: 'bytes', values: (_u, t) => t.map((v) => humanBytes(v)), size: 70 },
          { scale: 'ms', side: 1, values: (_u, t) => t.map((v) => humanDuration(v)), grid: { show: false }, size: 70 },
        ],
        series: [
          { label: 'time', value: (_u, v) => (v ? new Date(v * 1000).toLocaleTimeString() : '') },
          ...STAGES.map((s) => ({
            label: s.label,
            scale: 'bytes',
            stroke: s.stroke,
            width: 2,
            value: (_u: uPlot, v: number | null) => humanBytes(v),
          })),
          { label: 'replay lag', scale: 'ms', stroke: '#f59e0b', width: 1.5, value: (_u, v) => humanDuration(v) },
        ],
      },
      [[], [], [], [], []],
      el,
    );
    plot.current = p;
    const ro = new ResizeObserver(() => p.setSize({ width: el.clientWidth || 600, height: 170 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      p.destroy();
      plot.current = null;
    };
  }, [series]);
  useEffect(() => {
    const s = linkSeries.get(series);
    if (!plot.current || !s) return;
    plot.current.setData([s.t, s.confirmedFlush, s.received, s.applied, s.replayLagMs] as uPlot.AlignedData);
    host.current?.setAttribute('data-points', String(s.t.length));
  }, [version, series, linkSeries]);
  return <div className="lag-chart" ref={host} data-testid={`pair-chart-${series}`} />;
}

function Pair({ pair, publisherSessionId }: { pair: LinkedPair; publisherSessionId: string }) {
  const p = pair.positions;
  return (
    <section className="card" aria-label={`Linked pair ${pair.subscription}`} data-testid={`pair-${pair.subscription}`}>
      <div className="detail-head">
        <h3>
          {pair.subscription} → slot {pair.slot ?? 'NONE'}
        </h3>
        <span className={`badge ${pair.slotStatus === 'ok' ? 'active' : 'failed'}`} data-testid="pair-slot-status">
          slot {pair.slotStatus}
        </span>
      </div>
      <div className="muted">
        publisher {pair.target} · system {pair.publisherSystemId}
      </div>
      <div className="row mono pair-positions" data-testid="pair-positions">
        <span>publisher current {p.publisherCurrent ?? '—'}</span>→
        <span>slot confirmed_flush {p.confirmedFlush ?? '—'}</span>→<span>subscriber received {p.received ?? '—'}</span>
        →<span>applied {p.applied ?? '—'}</span>
      </div>
      <div className="row" data-testid="pair-lag">
        <span>confirmed flush {humanBytes(pair.lagBytes.confirmedFlush)} behind</span>
        <span>received {humanBytes(pair.lagBytes.received)} behind</span>
        <span>applied {humanBytes(pair.lagBytes.applied)} behind</span>
        <span>
          time lag {humanDuration(pair.lagMs.write)} / {humanDuration(pair.lagMs.flush)} /{' '}
          {humanDuration(pair.lagMs.replay)}
        </span>
      </div>
      <PairChart series={pairKey(publisherSessionId, pair.subscription)} />
    </section>
  );
}

/** Each direction's pairs and flags (a slot left without subscription, a subscription without slot). */
export function LinkedPairs() {
  const links = useLogical((s) => s.links);
  if (!links.length) return null;
  return (
    <div className="linked" aria-label="Linked pairs">
      <h2>Both ends</h2>
      {links.map((l) => (
        <div key={`${l.publisherSessionId}>${l.subscriberSessionId}`}>
          {l.flags.length > 0 && (
            <ul className="alerts" aria-label="Link problems">
              {l.flags.map((f) => (
                <li
                  key={`${f.kind}:${f.subject}`}
                  className="alert warning"
                  data-testid={`flag-${f.kind}-${f.subject}`}
                >
                  <strong>{f.subject}</strong> {f.message}
                </li>
              ))}
            </ul>
          )}
          {l.pairs.map((p) => (
            <Pair key={p.subscription} pair={p} publisherSessionId={l.publisherSessionId} />
          ))}
        </div>
      ))}
    </div>
  );
}
