import type { RefObject } from 'react';
import type { WalRow } from '../../shared/contract';
import { recycledSlots } from '../lib/fixed-rows';
import { useWalApi, type WalFilter } from '../stores/wal-store';

export const ROW_HEIGHT = 26;

/** Filters on resource manager, record type, relation and xid; Follow; the shown count. */
export function WalFilters({ filter, follow, shown }: { filter: WalFilter; follow: boolean; shown: number }) {
  const { setFilter, setFollow } = useWalApi().getState();
  return (
    <div className="toolbar filters" role="search">
      <input
        aria-label="WAL resource manager"
        placeholder="rmgr"
        value={filter.rmgr}
        onChange={(e) => setFilter({ rmgr: e.target.value })}
        className="narrow"
      />
      <input
        aria-label="WAL record type"
        placeholder="record type"
        value={filter.recordType}
        onChange={(e) => setFilter({ recordType: e.target.value })}
      />
      <input
        aria-label="WAL relation"
        placeholder="relation"
        value={filter.relation}
        onChange={(e) => setFilter({ relation: e.target.value })}
      />
      <input
        aria-label="WAL xid"
        placeholder="xid"
        value={filter.xid}
        onChange={(e) => setFilter({ xid: e.target.value })}
        className="narrow"
      />
      <button onClick={() => setFilter({ rmgr: '', recordType: '', relation: '', xid: '' })}>Clear</button>
      <label className="inline">
        <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
      </label>
      <span className="counters">{shown} shown</span>
    </div>
  );
}

/** One WAL record; clicking it stops following and asks for its detail. */
function WalRecordRow({
  r,
  index,
  selected,
  sessionId,
}: {
  r: WalRow;
  index: number;
  selected: boolean;
  sessionId: string;
}) {
  const wal = useWalApi();
  return (
    <div
      role="row"
      data-testid={`walrec-${r.seq}`}
      className={`msg walrec ${selected ? 'selected' : ''}`}
      style={{ transform: `translateY(${ROW_HEIGHT + index * ROW_HEIGHT}px)` }}
      onClick={() => {
        wal.getState().setFollow(false);
        void wal.getState().select(sessionId, r.seq);
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
}

interface WalListProps {
  scrollRef: RefObject<HTMLDivElement | null>;
  list: { length: number; at(i: number): WalRow };
  virtual: { start: number; end: number; totalSize: number };
  selectedSeq: number | null;
  sessionId: string;
  running: boolean;
}

/** The virtualized grid of WAL records: a header row and only the rows in view. */
export function WalList({ scrollRef, list, virtual, selectedSeq, sessionId, running }: WalListProps) {
  return (
    <div
      className="stream-list wal-list"
      ref={scrollRef}
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
          return <WalRecordRow key={slot} r={r} index={index} selected={r.seq === selectedSeq} sessionId={sessionId} />;
        })}
      </div>
      {list.length === 0 && (
        <p className="muted empty">
          {running ? 'Waiting for WAL…' : 'Start the live WAL to see every record the server writes.'}
        </p>
      )}
    </div>
  );
}
