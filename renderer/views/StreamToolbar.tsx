import { useShallow } from 'zustand/react/shallow';
import type { SessionInfo } from '../stores/connection-store';
import { ndjsonParts } from '../lib/row-message';
import { useStream, type RowView } from '../stores/stream-store';
import { StreamSourcePicker } from './StreamSourcePicker';

/** Saves the rows the filters show as NDJSON, named for the session and the time. */
function exportShown(list: RowView, sessionLabel: string): void {
  const blob = new Blob(ndjsonParts(list), { type: 'application/x-ndjson' });
  const a = document.createElement('a');
  const url = URL.createObjectURL(blob);
  a.href = url;
  a.download = `walscope-${sessionLabel.replace(/[^\w.-]+/g, '_')}-${Date.now()}.ndjson`;
  a.click();
  // Revoked later: the download may still be reading the blob when click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The running stream: its state, retry count, slot and mode, and the Stop button. */
function RunningStream({ sessionId }: { sessionId: string }) {
  const st = useStream(
    useShallow((s) => ({ state: s.state, retry: s.retry, slot: s.slot, mode: s.mode, stop: s.stop })),
  );
  return (
    <>
      <span className={`badge ${st.state ?? ''}`} data-testid="stream-state">
        {st.state}
      </span>
      {st.retry && (
        <span className="muted" data-testid="stream-retry" title="Reconnection attempts before the stream gives up">
          attempt {st.retry.attempt}/{st.retry.max}
        </span>
      )}
      <span className="mono">{st.slot}</span>
      <span className={`badge ${st.mode}`}>
        {st.mode === 'consume' ? 'consume: confirms positions' : 'inspect: confirms nothing'}
      </span>
      <button onClick={() => void st.stop(sessionId)}>Stop</button>
    </>
  );
}

/** Before a stream runs: waiting for a slot (with Cancel), or the source picker. */
function StreamStart({ sessionId }: { sessionId: string }) {
  const { waiting, start, cancelStart } = useStream(
    useShallow((s) => ({ waiting: s.waiting, start: s.start, cancelStart: s.cancelStart })),
  );
  return waiting ? (
    <p role="status" className="waiting" data-testid="stream-waiting">
      Waiting: {waiting} <button onClick={() => void cancelStart(sessionId)}>Cancel</button>
    </p>
  ) : (
    <StreamSourcePicker onStart={(s) => void start(sessionId, s)} />
  );
}

/** Start/stop, pause, follow and export for the stream tab. */
export function StreamToolbar({ session, list, running }: { session: SessionInfo; list: RowView; running: boolean }) {
  const { paused, follow, setPaused, setFollow } = useStream(
    useShallow((s) => ({ paused: s.paused, follow: s.follow, setPaused: s.setPaused, setFollow: s.setFollow })),
  );
  return (
    <div className="toolbar">
      {running ? <RunningStream sessionId={session.id} /> : <StreamStart sessionId={session.id} />}
      <button onClick={() => setPaused(!paused)} aria-pressed={paused}>
        {paused ? 'Resume' : 'Pause'}
      </button>
      <label className="inline">
        <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
      </label>
      <button onClick={() => exportShown(list, session.label)} disabled={list.length === 0}>
        Export NDJSON
      </button>
    </div>
  );
}
