import { useState } from 'react';
import type { SlotView, WireMessage } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import { getApi } from '../bridge/api';
import { relationOf, summaryOf } from '../lib/format';
import { ErrorBox } from './ErrorBox';
import { LagChart, WindowSelector } from './LagChart';

interface Backlog {
  name: string;
  messages: WireMessage[];
  truncated: boolean;
}

/** A slot's backlog read through a temporary copy (slots.peek), and the error if that failed. */
export function usePeekBacklog(sessionId: string) {
  const [peek, setPeek] = useState<Backlog | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const load = async (name: string): Promise<void> => {
    setError(null);
    const r = await getApi().invoke('slots.peek', { sessionId, name, limit: 200 });
    if (r.ok) setPeek({ name, ...r.value });
    else setError(r.error);
  };
  const reset = (): void => {
    setPeek(null);
    setError(null);
  };
  return { peek, error, load, reset };
}

export type PeekBacklog = ReturnType<typeof usePeekBacklog>;

function BacklogTable({ peek }: { peek: Backlog }) {
  return (
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
  );
}

interface SlotDetailProps {
  slot: SlotView;
  windowSeconds: number;
  onWindow: (seconds: number) => void;
  backlog: PeekBacklog;
}

/** The selected slot: its lag chart and, for a logical slot, a peek at its backlog. */
export function SlotDetail({ slot, windowSeconds, onWindow, backlog }: SlotDetailProps) {
  const { peek, error, load } = backlog;
  return (
    <section className="detail" aria-label={`Slot ${slot.name}`}>
      <div className="detail-head">
        <h2>{slot.name}</h2>
        <WindowSelector value={windowSeconds} onChange={onWindow} />
      </div>
      <LagChart series={`slot:${slot.name}`} windowSeconds={windowSeconds} />
      {slot.slotType === 'logical' && (
        <div className="row">
          <button onClick={() => void load(slot.name)}>Peek backlog</button>
          <span className="muted">Read through a temporary copy: the slot does not move.</span>
        </div>
      )}
      {error && <ErrorBox error={error} />}
      {peek && peek.name === slot.name && <BacklogTable peek={peek} />}
    </section>
  );
}
