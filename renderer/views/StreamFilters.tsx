import type { RefObject } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { MESSAGE_TYPES } from '../../shared/messages';
import { humanBytes, humanDuration, humanRate } from '../lib/format';
import { useStream } from '../stores/stream-store';

/** Every message type can be filtered on: the list is the contract's. */
const OPS = ['', ...MESSAGE_TYPES];

/**
 * The per-batch counters, in their own component so a batch that only bumps them does not
 * re-render the list.
 */
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

/** Text, relation, operation and xid filters over the received rows, and the counters. */
export function StreamFilters({ filterBox, shown }: { filterBox: RefObject<HTMLInputElement | null>; shown: number }) {
  const { filter, setFilter } = useStream(useShallow((s) => ({ filter: s.filter, setFilter: s.setFilter })));
  return (
    <div className="toolbar filters" role="search">
      <input
        ref={filterBox}
        aria-label="Filter text"
        placeholder="Filter (/)…"
        title="Case-insensitive text anywhere in the row: its summary, LSNs and every column value"
        value={filter.text}
        onChange={(e) => setFilter({ text: e.target.value })}
      />
      <input
        aria-label="Relation"
        placeholder="relation"
        value={filter.relation}
        onChange={(e) => setFilter({ relation: e.target.value })}
      />
      <select aria-label="Operation" value={filter.op} onChange={(e) => setFilter({ op: e.target.value })}>
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
        onChange={(e) => setFilter({ xid: e.target.value })}
        className="narrow"
      />
      <Counters shown={shown} />
    </div>
  );
}
