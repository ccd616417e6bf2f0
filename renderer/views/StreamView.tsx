import { useShallow } from 'zustand/react/shallow';
import { useEffect, useMemo, useRef } from 'react';
import { useFixedRows } from '../lib/fixed-rows';
import { messageOf } from '../lib/row-message';
import { useSession } from '../stores/connection-store';
import { indexOfSeq, useStream, useStreamApi } from '../stores/stream-store';
import { ErrorBox } from './ErrorBox';
import { StreamDetail } from './StreamDetail';
import { StreamFilters } from './StreamFilters';
import { ROW_HEIGHT, StreamList } from './StreamList';
import { StreamToolbar } from './StreamToolbar';
import { useStreamKeys } from './useStreamKeys';

function ReceivedCount() {
  return <>{useStream((s) => s.received)}</>;
}

/** Errors, gaps in the stream and the paused banner, above the list. */
function StreamNotices() {
  const { error, gaps, paused } = useStream(useShallow((s) => ({ error: s.error, gaps: s.gaps, paused: s.paused })));
  return (
    <>
      {error && <ErrorBox error={error} />}
      {gaps.map((g) => (
        <div key={`${g.from}-${g.to}`} className="gap" role="alert">
          Gap from {g.from} to {g.to}: {g.reason}
        </div>
      ))}
      {paused && (
        <div className="paused-banner">
          Paused — still receiving (<ReceivedCount /> so far). Press space or Resume.
        </div>
      )}
    </>
  );
}

/** The rows the filters and collapsed transactions leave, recomputed when a batch lands. */
function useShownRows() {
  const { version, filter, collapsed, rows, shownRows } = useStream(
    useShallow((s) => ({
      version: s.version,
      filter: s.filter,
      collapsed: s.collapsed,
      rows: s.rows,
      shownRows: s.shownRows,
    })),
  );
  const stream = useStreamApi();
  // `version` stands for the ring's contents, which change without a new object.
  const list = useMemo(() => shownRows.view(rows, filter, collapsed), [shownRows, rows, version, filter, collapsed]);
  useEffect(() => {
    if (!shownRows.complete) stream.getState().refresh();
  }, [list, shownRows, stream]);
  return { list, collapsed };
}

export function StreamView() {
  const session = useSession();
  // Only what the list needs: the per-batch counters live in their own components, so a batch
  // that only bumps them does not re-render the list.
  const { follow, paused, selectedSeq, running } = useStream(
    useShallow((s) => ({
      follow: s.follow,
      paused: s.paused,
      selectedSeq: s.selectedSeq,
      running: s.streamId !== null && s.state !== 'stopped' && s.state !== 'failed',
    })),
  );
  const { list, collapsed } = useShownRows();
  const parent = useRef<HTMLDivElement>(null);
  const filterBox = useRef<HTMLInputElement>(null);
  // Rows are 26 px high; the header row takes the first 26 px of the scroll area.
  const virtual = useFixedRows(parent, list.length, ROW_HEIGHT, ROW_HEIGHT, 10, follow && !paused);
  const selectedIndex = indexOfSeq(list, selectedSeq);
  const selected = selectedIndex >= 0 ? list.at(selectedIndex) : undefined;
  useStreamKeys(list, selectedIndex, virtual.scrollToIndex, filterBox);
  return (
    <div className="stream">
      <StreamToolbar session={session} list={list} running={running} />
      <StreamFilters filterBox={filterBox} shown={list.length} />
      <StreamNotices />
      <div className="stream-body">
        <StreamList
          scrollRef={parent}
          list={list}
          virtual={virtual}
          selectedSeq={selectedSeq}
          collapsed={collapsed}
          running={running}
        />
        {selected && <StreamDetail m={messageOf(selected)} />}
      </div>
    </div>
  );
}
