import { useState } from 'react';
import { WAL_WINDOWS } from '../../shared/contract';
import { humanBytes, humanRate } from '../lib/format';
import { useWal, useWalApi } from '../stores/wal-store';

export const WINDOW_LABELS: Record<number, string> = { 10: '10 s', 60: '1 min', 300: '5 min', 900: '15 min' };

function Rates() {
  const stats = useWal((s) => s.stats);
  const received = useWal((s) => s.received);
  const dropped = useWal((s) => s.droppedInView);
  if (!stats) return <span className="counters">waiting for the first second…</span>;
  const w = stats.window;
  return (
    <span className="counters" data-testid="wal-rate">
      <strong data-testid="wal-bytes-rate">{humanBytes(stats.second.bytes)}/s</strong> ·{' '}
      {humanRate(stats.second.records)} records/s · FPI {w.bytes ? ((100 * w.fpiBytes) / w.bytes).toFixed(1) : '0'} % of{' '}
      {WINDOW_LABELS[w.seconds]} · decoded {stats.decodedLsn}
      {stats.behindBytes > 0 && (
        <span className="badge late" data-testid="wal-behind">
          {' '}
          {humanBytes(stats.behindBytes)} behind the server
        </span>
      )}{' '}
      · {received} records · dropped in view {dropped}
    </span>
  );
}

/** Starts the live WAL at an LSN (default: the server's current one). */
function WalStart({ sessionId }: { sessionId: string }) {
  const [startLsn, setStartLsn] = useState('');
  const wal = useWalApi();
  return (
    <form
      className="source-picker"
      onSubmit={(e) => {
        e.preventDefault();
        void wal.getState().start(sessionId, startLsn.trim() || undefined);
      }}
    >
      <input
        aria-label="Start LSN"
        placeholder="start LSN (default: now)"
        value={startLsn}
        onChange={(e) => setStartLsn(e.target.value)}
        className="mono"
      />
      <button type="submit" className="primary">
        Start live WAL
      </button>
      <span className="muted">physical stream, no slot: the server keeps nothing for it</span>
    </form>
  );
}

function WindowPicker({ sessionId }: { sessionId: string }) {
  const window = useWal((s) => s.window);
  const wal = useWalApi();
  return (
    <div className="segmented" role="group" aria-label="Window">
      {WAL_WINDOWS.map((s) => (
        <button
          key={s}
          className={s === window ? 'on' : ''}
          aria-pressed={s === window}
          onClick={() => void wal.getState().setWindow(sessionId, s)}
        >
          {WINDOW_LABELS[s]}
        </button>
      ))}
    </div>
  );
}

/** Start/stop, the aggregation window and the live rates. */
export function WalToolbar({ sessionId, running }: { sessionId: string; running: boolean }) {
  const state = useWal((s) => s.state);
  const wal = useWalApi();
  return (
    <div className="toolbar">
      {!running ? (
        <WalStart sessionId={sessionId} />
      ) : (
        <>
          <span className={`badge ${state ?? ''}`} data-testid="wal-state">
            {state}
          </span>
          <button onClick={() => void wal.getState().stop(sessionId)}>Stop</button>
        </>
      )}
      <WindowPicker sessionId={sessionId} />
      <Rates />
    </div>
  );
}
