import { useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { WalWindow } from '../../shared/contract';
import { useFixedRows } from '../lib/fixed-rows';
import { useSession } from '../stores/connection-store';
import { filteredRows, useWal, useWalApi } from '../stores/wal-store';
import { ErrorBox } from './ErrorBox';
import { WalDetail } from './WalDetail';
import { ROW_HEIGHT, WalFilters, WalList } from './WalList';
import { WalRateChart } from './WalRateChart';
import { ByRecordType, TopTable } from './WalTables';
import { WalToolbar } from './WalToolbar';

/** The window's aggregates: by record type, top relations and transactions, checkpoints, switches. */
function WalAggregates({ w }: { w: WalWindow }) {
  const { setFilter } = useWalApi().getState();
  return (
    <div className="wal-tables">
      <ByRecordType w={w} onPick={(rmgr, recordType) => setFilter({ rmgr, recordType })} />
      <TopTable
        caption="Top relations"
        testId="wal-by-relation"
        keyLabel="relation"
        rows={w.topRelations}
        total={w.bytes}
        onPick={(relation) => setFilter({ relation })}
      />
      <TopTable
        caption="Top transactions"
        testId="wal-by-xid"
        keyLabel="xid"
        rows={w.topTransactions}
        total={w.bytes}
        onPick={(xid) => setFilter({ xid })}
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
  );
}

/**
 * Live WAL: what is writing the WAL, from the physical stream (no slot, nothing retained). The
 * rate chart, the window's aggregates (by record type, relation, transaction), and a virtualized
 * record list with filters and a detail pane.
 */
export function WalView() {
  const session = useSession();
  const walRows = useWal((s) => s.walRows);
  const st = useWal(
    useShallow((s) => ({
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
  // `version` stands for the ring's contents, which change without a new object.
  const list = useMemo(() => filteredRows(walRows, st.filter), [walRows, st.version, st.filter]);
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useFixedRows(parent, list.length, ROW_HEIGHT, ROW_HEIGHT, 10, st.follow);
  const running = st.state === 'streaming' || st.state === 'starting';
  const w = st.stats?.window;
  return (
    <div className="stream wal">
      <WalToolbar sessionId={session.id} running={running} />
      {st.error && <ErrorBox error={st.error} />}
      {st.gaps.map((g) => (
        <div key={`${g.from}-${g.to}`} className="gap" role="alert">
          Gap from {g.from} to {g.to}: {g.reason}
        </div>
      ))}
      <WalRateChart seconds={st.window} />
      {w && <WalAggregates w={w} />}
      <WalFilters filter={st.filter} follow={st.follow} shown={list.length} />
      <div className="stream-body">
        <WalList
          scrollRef={parent}
          list={list}
          virtual={virtual}
          selectedSeq={st.selectedSeq}
          sessionId={session.id}
          running={running}
        />
        {st.selectedSeq !== null && <WalDetail />}
      </div>
    </div>
  );
}
