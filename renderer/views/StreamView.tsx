import { useShallow } from 'zustand/react/shallow';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { StreamSourceRequest } from '../../shared/contract';
import { MESSAGE_TYPES } from '../../shared/messages';
import { useFixedRows } from '../lib/fixed-rows';
import { humanBytes, humanDuration, humanRate } from '../lib/format';
import { messageOf, ndjsonParts } from '../lib/row-message';
import { useConnection } from '../stores/connection-store';
import { useMonitor } from '../stores/monitor-store';
import { isBegin } from '../lib/visible-rows';
import { indexOfSeq, nextTransaction, rows, shownRows, useStream } from '../stores/stream-store';
import { ErrorBox } from './ErrorBox';
import { StreamDetail } from './StreamDetail';

const ROW_HEIGHT = 26;

/** Every message type can be filtered on: the list is the contract's. */
const OPS = ['', ...MESSAGE_TYPES];

function SourcePicker({ onStart }: { onStart: (s: StreamSourceRequest) => void }) {
  const overview = useMonitor((s) => s.overview);
  const slots = useMonitor((s) => s.slots).filter((s) => s.slotType === 'logical' && !s.temporary);
  const [kind, setKind] = useState<'temporary' | 'copy' | 'direct'>('temporary');
  const [plugin, setPlugin] = useState('pgoutput');
  const [picked, setPublication] = useState('');
  // The overview may arrive after this form mounts: default to the first publication then.
  const publication = picked || overview?.publications[0] || '';
  const [slot, setSlot] = useState('');
  const [consumeOk, setConsumeOk] = useState(false);
  const chosen = slots.find((s) => s.name === slot);
  const needsPub = (kind === 'temporary' ? plugin : chosen?.plugin) === 'pgoutput';
  const pubs = needsPub && publication ? [publication] : [];
  return (
    <form
      className="source-picker"
      aria-label="Stream source"
      onSubmit={(e) => {
        e.preventDefault();
        if (kind === 'temporary') onStart({ kind, plugin, publications: pubs });
        else if (kind === 'copy') onStart({ kind, slot, publications: pubs });
        else onStart({ kind: 'direct', slot, publications: pubs, consume: true });
      }}
    >
      <select aria-label="Source" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
        <option value="temporary">Live tail (temporary slot)</option>
        <option value="copy">Existing slot — peek (temporary copy)</option>
        <option value="direct">Existing slot — consume</option>
      </select>
      {kind === 'temporary' ? (
        <select aria-label="Plugin" value={plugin} onChange={(e) => setPlugin(e.target.value)}>
          {(overview?.plugins ?? ['pgoutput', 'test_decoding']).map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      ) : (
        <select aria-label="Slot" value={slot} onChange={(e) => setSlot(e.target.value)}>
          <option value="">choose a slot…</option>
          {slots.map((s) => (
            <option key={s.name} value={s.name}>
              {s.name} ({s.plugin})
            </option>
          ))}
        </select>
      )}
      {needsPub && (
        <select aria-label="Publication" value={publication} onChange={(e) => setPublication(e.target.value)}>
          <option value="">publication…</option>
          {(overview?.publications ?? []).map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      )}
      {kind === 'direct' && (
        <label className="inline warning">
          <input type="checkbox" checked={consumeOk} onChange={(e) => setConsumeOk(e.target.checked)} />I understand:
          consuming confirms positions, so the slot moves and its real consumer will not see these changes.
        </label>
      )}
      <button
        type="submit"
        className="primary"
        disabled={(kind !== 'temporary' && !slot) || (kind === 'direct' && !consumeOk) || (needsPub && !publication)}
      >
        Start
      </button>
    </form>
  );
}

function ReceivedCount() {
  return <>{useStream((s) => s.received)}</>;
}

function Counters({ shown }: { shown: number }) {
  const { received, dropped, stats } = useStream(
    useShallow((s) => ({ received: s.received, dropped: s.droppedInView, stats: s.stats })),
  );
  return (
    <span className="counters" data-testid="stream-counters">
      <span data-testid="received-count">{received}</span> received · {shown} shown ·{' '}
      {humanRate(stats?.messagesPerSec ?? 0)} msgs/s · {humanBytes(stats?.bytesPerSec ?? 0)}/s · dropped in view{' '}
      <span data-testid="dropped-count">{dropped}</span>
      {stats && <> · keepalive {humanDuration(stats.lastKeepaliveAgeMs)} ago</>}
    </span>
  );
}

/**
 * The visible rows as (slot, index) pairs, in slot order, where slot = index mod the window size:
 * keyed by slot, the same row elements are reused as the tail moves and React only updates their
 * text and position, instead of unmounting every row and mounting new ones on each refresh (at
 * 20,000 rows/s the whole window is new rows every time).
 */
function recycledSlots(start: number, end: number): [number, number][] {
  const count = end - start;
  return Array.from({ length: count }, (_, slot) => [slot, start + ((((slot - start) % count) + count) % count)]);
}

export function StreamView() {
  const session = useConnection((s) => s.session)!;
  // Only what the list needs: the per-batch counters live in <Counters>, so a batch that only
  // bumps them does not re-render the list.
  const st = useStream(
    useShallow((s) => ({
      version: s.version,
      filter: s.filter,
      collapsed: s.collapsed,
      follow: s.follow,
      paused: s.paused,
      selectedSeq: s.selectedSeq,
      streamId: s.streamId,
      state: s.state,
      retry: s.retry,
      slot: s.slot,
      mode: s.mode,
      error: s.error,
      gaps: s.gaps,
      start: s.start,
      stop: s.stop,
      waiting: s.waiting,
      cancelStart: s.cancelStart,
      setPaused: s.setPaused,
      setFollow: s.setFollow,
      setFilter: s.setFilter,
      select: s.select,
      toggleCollapsed: s.toggleCollapsed,
    })),
  );
  const { version, filter, collapsed, follow, paused, selectedSeq } = st;
  const list = useMemo(() => shownRows.view(rows, filter, collapsed), [version, filter, collapsed]);
  const parent = useRef<HTMLDivElement>(null);
  const filterBox = useRef<HTMLInputElement>(null);
  // Rows are 26 px high; the header row takes the first 26 px of the scroll area.
  useEffect(() => {
    if (!shownRows.complete) useStream.getState().refresh();
  }, [list]);
  const virtual = useFixedRows(parent, list.length, ROW_HEIGHT, ROW_HEIGHT, 10, follow && !paused);
  const selectedIndex = indexOfSeq(list, selectedSeq);
  const selected = selectedIndex >= 0 ? list.at(selectedIndex) : undefined;

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
      if (e.key === '/') {
        e.preventDefault();
        filterBox.current?.focus();
      } else if (e.key === ' ') {
        e.preventDefault();
        useStream.getState().setPaused(!useStream.getState().paused);
      } else if (e.key === 'j' || e.key === 'k') {
        const i = nextTransaction(list, selectedIndex, e.key === 'j' ? 1 : -1);
        if (i !== selectedIndex && i >= 0 && i < list.length) {
          useStream.getState().select(list.at(i).seq);
          useStream.getState().setFollow(false);
          virtual.scrollToIndex(i, 'center');
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [list, selectedIndex, virtual]);

  const exportShown = (): void => {
    const blob = new Blob(ndjsonParts(list), { type: 'application/x-ndjson' });
    const a = document.createElement('a');
    const url = URL.createObjectURL(blob);
    a.href = url;
    a.download = `walscope-${session.label.replace(/[^\w.-]+/g, '_')}-${Date.now()}.ndjson`;
    a.click();
    // Revoked later: the download may still be reading the blob when click() returns.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };

  const running = st.streamId !== null && st.state !== 'stopped' && st.state !== 'failed';
  return (
    <div className="stream">
      <div className="toolbar">
        {!running && st.waiting ? (
          <p role="status" className="waiting" data-testid="stream-waiting">
            Waiting: {st.waiting} <button onClick={() => void st.cancelStart(session.id)}>Cancel</button>
          </p>
        ) : !running ? (
          <SourcePicker onStart={(s) => void st.start(session.id, s)} />
        ) : (
          <>
            <span className={`badge ${st.state ?? ''}`} data-testid="stream-state">
              {st.state}
            </span>
            {st.retry && (
              <span
                className="muted"
                data-testid="stream-retry"
                title="Reconnection attempts before the stream gives up"
              >
                attempt {st.retry.attempt}/{st.retry.max}
              </span>
            )}
            <span className="mono">{st.slot}</span>
            <span className={`badge ${st.mode}`}>
              {st.mode === 'consume' ? 'consume: confirms positions' : 'inspect: confirms nothing'}
            </span>
            <button onClick={() => void st.stop(session.id)}>Stop</button>
          </>
        )}
        <button onClick={() => st.setPaused(!paused)} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <label className="inline">
          <input type="checkbox" checked={follow} onChange={(e) => st.setFollow(e.target.checked)} /> Follow
        </label>
        <button onClick={exportShown} disabled={list.length === 0}>
          Export NDJSON
        </button>
      </div>
      <div className="toolbar filters" role="search">
        <input
          ref={filterBox}
          aria-label="Filter text"
          placeholder="Filter (/)…"
          title="Case-insensitive text anywhere in the row: its summary, LSNs and every column value"
          value={filter.text}
          onChange={(e) => st.setFilter({ text: e.target.value })}
        />
        <input
          aria-label="Relation"
          placeholder="relation"
          value={filter.relation}
          onChange={(e) => st.setFilter({ relation: e.target.value })}
        />
        <select aria-label="Operation" value={filter.op} onChange={(e) => st.setFilter({ op: e.target.value })}>
          {OPS.map((o) => (
            <option key={o} value={o}>
              {o || 'all operations'}
            </option>
          ))}
        </select>
        <input
          aria-label="xid"
          placeholder="xid"
          value={filter.xid}
          onChange={(e) => st.setFilter({ xid: e.target.value })}
          className="narrow"
        />
        <Counters shown={list.length} />
      </div>
      {st.error && <ErrorBox error={st.error} />}
      {st.gaps.map((g) => (
        <div key={`${g.from}-${g.to}`} className="gap" role="alert">
          Gap from {g.from} to {g.to}: {g.reason}
        </div>
      ))}
      {paused && (
        <div className="paused-banner">
          Paused — still receiving (<ReceivedCount /> so far). Press space or Resume.
        </div>
      )}
      <div className="stream-body">
        <div className="stream-list" ref={parent} role="grid" aria-label="Decoded messages" aria-rowcount={list.length}>
          <div className="msg head" role="row">
            <span>LSN</span>
            <span>xid</span>
            <span>operation</span>
            <span>relation</span>
            <span>summary</span>
          </div>
          <div style={{ height: virtual.totalSize }} className="virtual-space">
            {recycledSlots(virtual.start, virtual.end).map(([slot, index]) => {
              const row = list.at(index);
              const opensTx = isBegin(row);
              const isCollapsed = opensTx && row.xid !== undefined && collapsed.has(row.xid);
              return (
                <div
                  key={slot}
                  role="row"
                  data-testid={`msg-${row.seq}`}
                  data-type={row.type}
                  className={`msg ${row.type} ${row.seq === selectedSeq ? 'selected' : ''}`}
                  style={{ transform: `translateY(${ROW_HEIGHT + index * ROW_HEIGHT}px)` }}
                  onClick={() => st.select(row.seq)}
                >
                  <span
                    className="mono lsn"
                    title="Copy LSN"
                    onClick={(e) => {
                      e.stopPropagation();
                      void navigator.clipboard?.writeText(row.lsn);
                    }}
                  >
                    {row.lsn}
                  </span>
                  <span className="xid">{row.xid ?? ''}</span>
                  <span className={`op ${row.type}`}>
                    {opensTx && row.xid !== undefined ? (
                      <button
                        className="twisty"
                        aria-label={isCollapsed ? 'Expand transaction' : 'Collapse transaction'}
                        onClick={(e) => {
                          e.stopPropagation();
                          st.toggleCollapsed(row.xid!);
                        }}
                      >
                        {isCollapsed ? '▸' : '▾'}
                      </button>
                    ) : null}
                    {row.type}
                  </span>
                  <span className="rel">{row.rel}</span>
                  <span className="summary">{row.summary}</span>
                </div>
              );
            })}
          </div>
          {list.length === 0 && (
            <p className="muted empty">
              {running ? 'Waiting for changes…' : 'Start a live tail or open a slot to see decoded changes.'}
            </p>
          )}
        </div>
        {selected && <StreamDetail m={messageOf(selected)} />}
      </div>
    </div>
  );
}
