import { useState } from 'react';
import type { StandbyView } from '../../shared/contract';
import { humanBytes, humanDuration } from '../lib/format';
import { useMonitor } from '../stores/monitor-store';
import { LagChart, WindowSelector } from './LagChart';

/** Each standby's positions, byte and time lag, last reply and slot. */
function StandbyTable({ standbys }: { standbys: StandbyView[] }) {
  return (
    <div className="table-wrap">
      <table className="grid" aria-label="Standbys">
        <thead>
          <tr>
            <th>Application</th>
            <th>Client</th>
            <th>State</th>
            <th>Sync</th>
            <th>Sent</th>
            <th>Write</th>
            <th>Flush</th>
            <th>Replay</th>
            <th>Replay lag</th>
            <th>Time lag (write/flush/replay)</th>
            <th>Reply</th>
            <th>Slot</th>
          </tr>
        </thead>
        <tbody>
          {standbys.map((s) => (
            <tr key={s.pid} data-testid={`standby-row-${s.applicationName}`}>
              <td>{s.applicationName || `PID ${s.pid}`}</td>
              <td className="mono">{s.clientAddr ?? 'local'}</td>
              <td>{s.state}</td>
              <td>{s.syncState}</td>
              <td className="mono">{s.sentLsn ?? '—'}</td>
              <td className="mono">{s.writeLsn ?? '—'}</td>
              <td className="mono">{s.flushLsn ?? '—'}</td>
              <td className="mono">{s.replayLsn ?? '—'}</td>
              <td className="num" data-testid="replay-lag">
                {humanBytes(s.replayLagBytes)}
              </td>
              <td className="num">
                {humanDuration(s.writeLagMs)} / {humanDuration(s.flushLagMs)} / {humanDuration(s.replayLagMs)}
              </td>
              <td>{s.replyTime ? new Date(s.replyTime).toLocaleTimeString() : '—'}</td>
              <td className="mono">{s.slotName ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function StandbysView() {
  const standbys = useMonitor((s) => s.standbys);
  const [windowSeconds, setWindowSeconds] = useState(900);
  if (standbys.length === 0) return <p className="muted">No standby is streaming from this server.</p>;
  return (
    <div className="standbys">
      <StandbyTable standbys={standbys} />
      <div className="detail-head">
        <h2>Replay lag</h2>
        <WindowSelector value={windowSeconds} onChange={setWindowSeconds} />
      </div>
      {standbys.map((s) => (
        <section key={s.pid} aria-label={`Lag of ${s.applicationName}`}>
          <h3>{s.applicationName || `PID ${s.pid}`}</h3>
          <LagChart series={`standby:${s.applicationName}:${s.pid}`} windowSeconds={windowSeconds} height={150} />
        </section>
      ))}
    </div>
  );
}
