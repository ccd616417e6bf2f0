import { useMemo, useState } from 'react';
import type { SlotView } from '../../shared/contract';
import { humanBytes, humanDuration } from '../lib/format';
import { sortSlots, useMonitor, type SlotSortKey } from '../stores/monitor-store';

function StatusBadge({ s, now }: { s: SlotView; now: number }) {
  const text =
    s.status === 'inactive' && s.inactiveSinceMs ? `inactive for ${humanDuration(now - s.inactiveSinceMs)}` : s.status;
  return <span className={`badge ${s.status}`}>{text}</span>;
}

const COLUMNS: { key: SlotSortKey; label: string }[] = [
  { key: 'name', label: 'Slot' },
  { key: 'slotType', label: 'Type' },
  { key: 'status', label: 'Status' },
  { key: 'retainedBytes', label: 'Retained WAL' },
  { key: 'pendingBytes', label: 'Pending' },
];

type Sort = { key: SlotSortKey; dir: 1 | -1 };

/** The server's own pg_replication_slots columns beyond those the fixed columns already show. */
function useExtraColumns(slots: SlotView[]): string[] {
  return useMemo(() => {
    const keys = new Set<string>();
    for (const s of slots) for (const k of Object.keys(s.columns)) keys.add(k);
    return [...keys].filter((k) => !['slot_name', 'slot_type', 'plugin', 'active'].includes(k));
  }, [slots]);
}

function SlotsHeader({ sort, onSort, extra }: { sort: Sort; onSort: (s: Sort) => void; extra: string[] }) {
  return (
    <thead>
      <tr>
        {COLUMNS.map((c) => (
          <th key={c.key} aria-sort={sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
            <button
              className="th"
              onClick={() => onSort({ key: c.key, dir: sort.key === c.key ? (-sort.dir as 1 | -1) : 1 })}
            >
              {c.label}
            </button>
          </th>
        ))}
        <th>Plugin</th>
        <th>Consumer</th>
        {extra.map((k) => (
          <th key={k} className="extra">
            {k}
          </th>
        ))}
      </tr>
    </thead>
  );
}

interface SlotRowProps {
  s: SlotView;
  now: number;
  selected: boolean;
  alerted: boolean;
  extra: string[];
  onSelect: (name: string) => void;
}

function SlotRow({ s, now, selected, alerted, extra, onSelect }: SlotRowProps) {
  return (
    <tr
      data-testid={`slot-row-${s.name}`}
      className={`${selected ? 'selected' : ''} ${alerted ? 'alerted' : ''}`}
      onClick={() => onSelect(s.name)}
      aria-selected={selected}
    >
      <td className="mono">{s.name}</td>
      <td>{s.slotType}</td>
      <td>
        <StatusBadge s={s} now={now} />
      </td>
      <td className="num" data-testid="retained">
        {humanBytes(s.retainedBytes)}
      </td>
      <td className="num">{humanBytes(s.pendingBytes)}</td>
      <td>{s.plugin ?? '—'}</td>
      <td>{s.active ? `PID ${s.activePid}${s.consumer ? ` · ${s.consumer}` : ''}` : '—'}</td>
      {extra.map((k) => (
        <td key={k} className="extra mono">
          {s.columns[k] === null || s.columns[k] === undefined ? '' : String(s.columns[k])}
        </td>
      ))}
    </tr>
  );
}

/** The sortable slot table; a row with an open alert is marked, a click selects the slot. */
export function SlotsTable({ selected, onSelect }: { selected: string | null; onSelect: (name: string) => void }) {
  const { slots, alerts, at } = useMonitor();
  const [sort, setSort] = useState<Sort>({ key: 'name', dir: 1 });
  const sorted = useMemo(() => sortSlots(slots, sort.key, sort.dir), [slots, sort]);
  const alerted = useMemo(
    () => new Set(alerts.filter((a) => a.key.startsWith('slot:')).map((a) => a.key.split(':')[1])),
    [alerts],
  );
  const extra = useExtraColumns(slots);
  return (
    <div className="table-wrap">
      <table className="grid" aria-label="Replication slots">
        <SlotsHeader sort={sort} onSort={setSort} extra={extra} />
        <tbody>
          {sorted.map((s) => (
            <SlotRow
              key={s.name}
              s={s}
              now={at}
              selected={selected === s.name}
              alerted={alerted.has(s.name)}
              extra={extra}
              onSelect={onSelect}
            />
          ))}
        </tbody>
      </table>
      {slots.length === 0 && <p className="muted">This server has no replication slots.</p>}
    </div>
  );
}
