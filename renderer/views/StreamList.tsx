import type { RefObject } from 'react';
import type { WireRow } from '../../shared/contract';
import { recycledSlots } from '../lib/fixed-rows';
import { isBegin } from '../lib/visible-rows';
import { useStreamApi, type RowView } from '../stores/stream-store';

export const ROW_HEIGHT = 26;

/** The operation cell: a twisty on a transaction's begin row to collapse it, then the type. */
function OperationCell({ row, isCollapsed }: { row: WireRow; isCollapsed: boolean }) {
  const stream = useStreamApi();
  return (
    <span className={`op ${row.type}`}>
      {isBegin(row) && row.xid !== undefined ? (
        <button
          className="twisty"
          aria-label={isCollapsed ? 'Expand transaction' : 'Collapse transaction'}
          onClick={(e) => {
            e.stopPropagation();
            stream.getState().toggleCollapsed(row.xid!);
          }}
        >
          {isCollapsed ? '▸' : '▾'}
        </button>
      ) : null}
      {row.type}
    </span>
  );
}

/** One decoded message at its list position; clicking selects it, clicking its LSN copies that. */
function StreamRow({
  row,
  index,
  selected,
  collapsed,
}: {
  row: WireRow;
  index: number;
  selected: boolean;
  collapsed: ReadonlySet<number>;
}) {
  const isCollapsed = isBegin(row) && row.xid !== undefined && collapsed.has(row.xid);
  const stream = useStreamApi();
  return (
    <div
      role="row"
      data-testid={`msg-${row.seq}`}
      data-type={row.type}
      className={`msg ${row.type} ${selected ? 'selected' : ''}`}
      style={{ transform: `translateY(${ROW_HEIGHT + index * ROW_HEIGHT}px)` }}
      onClick={() => stream.getState().select(row.seq)}
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
      <OperationCell row={row} isCollapsed={isCollapsed} />
      <span className="rel">{row.rel}</span>
      <span className="summary">{row.summary}</span>
    </div>
  );
}

interface StreamListProps {
  scrollRef: RefObject<HTMLDivElement | null>;
  list: RowView;
  virtual: { start: number; end: number; totalSize: number };
  selectedSeq: number | null;
  collapsed: ReadonlySet<number>;
  running: boolean;
}

/** The virtualized grid of decoded messages: a header row and only the rows in view. */
export function StreamList({ scrollRef, list, virtual, selectedSeq, collapsed, running }: StreamListProps) {
  return (
    <div className="stream-list" ref={scrollRef} role="grid" aria-label="Decoded messages" aria-rowcount={list.length}>
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
          return (
            <StreamRow key={slot} row={row} index={index} selected={row.seq === selectedSeq} collapsed={collapsed} />
          );
        })}
      </div>
      {list.length === 0 && (
        <p className="muted empty">
          {running ? 'Waiting for changes…' : 'Start a live tail or open a slot to see decoded changes.'}
        </p>
      )}
    </div>
  );
}
