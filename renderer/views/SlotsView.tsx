import { useMemo, useState } from 'react';
import type { SlotView, WireMessage } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import { getApi } from '../bridge/api';
import { humanBytes, humanDuration, relationOf, summaryOf } from '../lib/format';
import { useConnection } from '../stores/connection-store';
import { sortSlots, useMonitor, type SlotSortKey } from '../stores/monitor-store';
import { ErrorBox } from './ErrorBox';
import { LagChart, WindowSelector } from './LagChart';
import { AdvanceSlotDialog } from './AdvanceSlotDialog';
import { CreateSlotDialog, DropSlotDialog } from './SlotDialogs';

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

export function SlotsView() {
  const session = useConnection((s) => s.session)!;
  const { slots, alerts, at, overview } = useMonitor();
  const [sort, setSort] = useState<{ key: SlotSortKey; dir: 1 | -1 }>({ key: 'name', dir: 1 });
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'create' | 'drop' | 'advance' | null>(null);
  const [notice, setNotice] = useState<string | undefined>();
  const [windowSeconds, setWindowSeconds] = useState(900);
  const [peek, setPeek] = useState<{ name: string; messages: WireMessage[]; truncated: boolean } | null>(null);
  const [peekError, setPeekError] = useState<ErrorInfo | null>(null);
  const sorted = useMemo(() => sortSlots(slots, sort.key, sort.dir), [slots, sort]);
  const alerted = useMemo(
    () => new Set(alerts.filter((a) => a.key.startsWith('slot:')).map((a) => a.key.split(':')[1])),
    [alerts],
  );
  const slot = slots.find((s) => s.name === selected) ?? null;
  const extraColumns = useMemo(() => {
    const keys = new Set<string>();
    for (const s of slots) for (const k of Object.keys(s.columns)) keys.add(k);
    return [...keys].filter((k) => !['slot_name', 'slot_type', 'plugin', 'active'].includes(k));
  }, [slots]);
  const closeDialog = (msg?: string): void => {
    setDialog(null);
    if (msg) setNotice(msg);
  };

  return (
    <div className="slots">
      <div className="toolbar">
        <button className="primary" onClick={() => setDialog('create')}>
          Create slot
        </button>
        <button disabled={!slot} onClick={() => setDialog('drop')}>
          Drop slot
        </button>
        <button disabled={!slot || slot.slotType !== 'logical'} onClick={() => setDialog('advance')}>
          Advance…
        </button>
        {notice && (
          <span className="notice" role="status">
            {notice}
          </span>
        )}
      </div>
      <div className="table-wrap">
        <table className="grid" aria-label="Replication slots">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c.key} aria-sort={sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
                  <button
                    className="th"
                    onClick={() => setSort({ key: c.key, dir: sort.key === c.key ? (-sort.dir as 1 | -1) : 1 })}
                  >
                    {c.label}
                  </button>
                </th>
              ))}
              <th>Plugin</th>
              <th>Consumer</th>
              {extraColumns.map((k) => (
                <th key={k} className="extra">
                  {k}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sorted.map((s) => (
              <tr
                key={s.name}
                data-testid={`slot-row-${s.name}`}
                className={`${selected === s.name ? 'selected' : ''} ${alerted.has(s.name) ? 'alerted' : ''}`}
                onClick={() => {
                  setSelected(s.name);
                  setPeek(null);
                  setPeekError(null);
                }}
                aria-selected={selected === s.name}
              >
                <td className="mono">{s.name}</td>
                <td>{s.slotType}</td>
                <td>
                  <StatusBadge s={s} now={at} />
                </td>
                <td className="num" data-testid="retained">
                  {humanBytes(s.retainedBytes)}
                </td>
                <td className="num">{humanBytes(s.pendingBytes)}</td>
                <td>{s.plugin ?? '—'}</td>
                <td>{s.active ? `PID ${s.activePid}${s.consumer ? ` · ${s.consumer}` : ''}` : '—'}</td>
                {extraColumns.map((k) => (
                  <td key={k} className="extra mono">
                    {s.columns[k] === null || s.columns[k] === undefined ? '' : String(s.columns[k])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {slots.length === 0 && <p className="muted">This server has no replication slots.</p>}
      </div>
      {slot && (
        <section className="detail" aria-label={`Slot ${slot.name}`}>
          <div className="detail-head">
            <h2>{slot.name}</h2>
            <WindowSelector value={windowSeconds} onChange={setWindowSeconds} />
          </div>
          <LagChart series={`slot:${slot.name}`} windowSeconds={windowSeconds} />
          {slot.slotType === 'logical' && (
            <div className="row">
              <button
                onClick={async () => {
                  setPeekError(null);
                  const r = await getApi().invoke('slots.peek', { sessionId: session.id, name: slot.name, limit: 200 });
                  if (r.ok) setPeek({ name: slot.name, ...r.value });
                  else setPeekError(r.error);
                }}
              >
                Peek backlog
              </button>
              <span className="muted">Read through a temporary copy: the slot does not move.</span>
            </div>
          )}
          {peekError && <ErrorBox error={peekError} />}
          {peek && peek.name === slot.name && (
            <table className="grid compact" aria-label="Backlog">
              <tbody>
                {peek.messages.map((m) => (
                  <tr key={m.seq}>
                    <td className="mono">{m.lsn}</td>
                    <td>{m.type}</td>
                    <td>{relationOf(m)}</td>
                    <td className="summary">{summaryOf(m)}</td>
                  </tr>
                ))}
                {peek.messages.length === 0 && (
                  <tr>
                    <td colSpan={4}>No pending changes.</td>
                  </tr>
                )}
                {peek.truncated && (
                  <tr>
                    <td colSpan={4} className="muted">
                      First {peek.messages.length} messages shown.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          )}
        </section>
      )}
      {dialog === 'create' && (
        <CreateSlotDialog sessionId={session.id} plugins={overview?.plugins ?? ['pgoutput']} onClose={closeDialog} />
      )}
      {dialog === 'drop' && slot && <DropSlotDialog sessionId={session.id} name={slot.name} onClose={closeDialog} />}
      {dialog === 'advance' && slot && (
        <AdvanceSlotDialog
          sessionId={session.id}
          name={slot.name}
          current={overview?.currentLsn ?? null}
          onClose={closeDialog}
        />
      )}
    </div>
  );
}
