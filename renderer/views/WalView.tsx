import { useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { WAL_WINDOWS } from '../../shared/contract';
import { useFixedRows } from '../lib/fixed-rows';
import { humanBytes, humanRate } from '../lib/format';
import { useConnection } from '../stores/connection-store';
import { filteredRows, useWal } from '../stores/wal-store';
import { ErrorBox } from './ErrorBox';
import { WalDetail } from './WalDetail';
import { WalRateChart } from './WalRateChart';
import { ByRecordType, TopTable } from './WalTables';

const ROW_HEIGHT = 26;
const WINDOW_LABELS: Record<number, string> = { 10: '10 s', 60: '1 min', 300: '5 min', 900: '15 min' };

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

function recycledSlots(start: number, end: number): [number, number][] {
  const count = end - start;
  return Array.from({ length: count }, (_, slot) => [slot, start + ((((slot - start) % count) + count) % count)]);
}

/**
 * Live WAL: what is writing the WAL, from the physical stream (no slot, nothing retained). The
 * rate chart, the window's aggregates (by record type, relation, transaction), and a virtualized
 * record list with filters and a detail pane.
 */
export function WalView() {
  const session = useConnection((s) => s.session)!;
  const st = useWal(
    useShallow((s) => ({
      walId: s.walId,
      state: s.state,
      error: s.error,
      gaps: s.gaps,
      window: s.window,
      filter: s.filter,
      follow: s.follow,
      version: s.version,
      selectedSeq: s.selectedSeq,
      stats: s.stats,
    })),
  );
  const actions = useWal.getState();
  const [startLsn, setStartLsn] = useState('');
  const list = useMemo(() => filteredRows(st.filter), [st.version, st.filter]);
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useFixedRows(parent, list.length, ROW_HEIGHT, ROW_HEIGHT, 10, st.follow);
  const running = st.state === 'streaming' || st.state === 'starting';
  const w = st.stats?.window;

  return (
    <div className="stream wal">
      <div className="toolbar">
        {!running ? (
          <form
            className="source-picker"
            onSubmit={(e) => {
              e.preventDefault();
              void actions.start(session.id, startLsn.trim() || undefined);
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
        ) : (
          <>
            <span className={`badge ${st.state ?? ''}`} data-testid="wal-state">
              {st.state}
            </span>
            <button onClick={() => void actions.stop(session.id)}>Stop</button>
          </>
        )}
        <div className="segmented" role="group" aria-label="Window">
          {WAL_WINDOWS.map((s) => (
            <button
              key={s}
              className={s === st.window ? 'on' : ''}
              aria-pressed={s === st.window}
              onClick={() => void actions.setWindow(session.id, s)}
            >
              {WINDOW_LABELS[s]}
            </button>
          ))}
        </div>
        <Rates />
      </div>
      {st.error && <ErrorBox error={st.error} />}
      {st.gaps.map((g) => (
        <div key={`${g.from}-${g.to}`} className="gap" role="alert">
          Gap from {g.from} to {g.to}: {g.reason}
        </div>
      ))}
      <WalRateChart seconds={st.window} />
      {w && (
        <div className="wal-tables">
          <ByRecordType w={w} onPick={(rmgr, recordType) => actions.setFilter({ rmgr, recordType })} />
          <TopTable
            caption="Top relations"
            testId="wal-by-relation"
            keyLabel="relation"
            rows={w.topRelations}
            total={w.bytes}
            onPick={(relation) => actions.setFilter({ relation })}
          />
          <TopTable
            caption="Top transactions"
            testId="wal-by-xid"
            keyLabel="xid"
            rows={w.topTransactions}
            total={w.bytes}
            onPick={(xid) => actions.setFilter({ xid })}
          />
          <div className="wal-events">
            <h3>Checkpoints</h3>
            <p className="mono small">
              {w.checkpoints.length ? w.checkpoints.map((c) => `${c.recordType} ${c.lsn}`).join(', ') : 'none'}
            </p>
            <h3>Segment switches</h3>
            <p className="mono small">{w.segmentSwitches.length ? w.segmentSwitches.join(', ') : 'none'}</p>
          </div>
        </div>
      )}
      <div className="toolbar filters" role="search">
        <input
          aria-label="WAL resource manager"
          placeholder="rmgr"
          value={st.filter.rmgr}
          onChange={(e) => actions.setFilter({ rmgr: e.target.value })}
          className="narrow"
        />
        <input
          aria-label="WAL record type"
          placeholder="record type"
          value={st.filter.recordType}
          onChange={(e) => actions.setFilter({ recordType: e.target.value })}
        />
        <input
          aria-label="WAL relation"
          placeholder="relation"
          value={st.filter.relation}
          onChange={(e) => actions.setFilter({ relation: e.target.value })}
        />
        <input
          aria-label="WAL xid"
          placeholder="xid"
          value={st.filter.xid}
          onChange={(e) => actions.setFilter({ xid: e.target.value })}
          className="narrow"
        />
        <button onClick={() => actions.setFilter({ rmgr: '', recordType: '', relation: '', xid: '' })}>Clear</button>
        <label className="inline">
          <input type="checkbox" checked={st.follow} onChange={(e) => actions.setFollow(e.target.checked)} /> Follow
        </label>
        <span className="counters">{list.length} shown</span>
      </div>
      <div className="stream-body">
        <div
          className="stream-list wal-list"
          ref={parent}
          role="grid"
          aria-label="WAL records"
          aria-rowcount={list.length}
        >
          <div className="msg walrec head" role="row">
            <span>LSN</span>
            <span>rmgr/type</span>
            <span>length</span>
            <span>FPI</span>
            <span>xid</span>
            <span>relation</span>
            <span>description</span>
          </div>
          <div style={{ height: virtual.totalSize }} className="virtual-space">
            {recycledSlots(virtual.start, virtual.end).map(([slot, index]) => {
              const r = list.at(index);
              return (
                <div
                  key={slot}
                  role="row"
                  data-testid={`walrec-${r.seq}`}
                  className={`msg walrec ${r.seq === st.selectedSeq ? 'selected' : ''}`}
                  style={{ transform: `translateY(${ROW_HEIGHT + index * ROW_HEIGHT}px)` }}
                  onClick={() => {
                    actions.setFollow(false);
                    void actions.select(session.id, r.seq);
                  }}
                >
                  <span className="mono lsn">{r.lsn}</span>
                  <span className="mono">
                    {r.rmgr}/{r.recordType}
                  </span>
                  <span>{r.length}</span>
                  <span>{r.fpi || ''}</span>
                  <span className="xid">{r.xid || ''}</span>
                  <span className="rel">{r.relation}</span>
                  <span className="summary">{r.description}</span>
                </div>
              );
            })}
          </div>
          {list.length === 0 && (
            <p className="muted empty">
              {running ? 'Waiting for WAL…' : 'Start the live WAL to see every record the server writes.'}
            </p>
          )}
        </div>
        {st.selectedSeq !== null && <WalDetail />}
      </div>
    </div>
  );
}
