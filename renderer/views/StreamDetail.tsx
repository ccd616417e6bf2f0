import { useEffect, useState } from 'react';
import type { WireMessage } from '../../shared/contract';
import type { Tuple } from '../../shared/messages';
import { isTuple, tupleValue } from '../../shared/tuple';
import { getApi } from '../bridge/api';
import { cellText, hexDump, relationOf } from '../lib/format';
import { useSessionScope } from '../stores/session-context';
import { useStream } from '../stores/stream-store';

/** Column names of the tuples shown side by side, in column order (the first tuple's order first). */
function columnsOf(tuples: readonly Tuple[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of tuples) {
    for (const n of t.names) {
      if (!seen.has(n)) {
        seen.add(n);
        out.push(n);
      }
    }
  }
  return out;
}

function TupleTable({ rows }: { rows: [string, unknown][] }) {
  const present = rows.filter((r): r is [string, Tuple] => isTuple(r[1]));
  if (present.length === 0) return null;
  const columns = columnsOf(present.map(([, t]) => t));
  return (
    <table className="grid compact tuples" aria-label="Tuple values">
      <thead>
        <tr>
          <th>column</th>
          {present.map(([label]) => (
            <th key={label}>{label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {columns.map((c) => (
          <tr key={c}>
            <td className="mono">{c}</td>
            {present.map(([label, t]) => {
              const v = tupleValue(t, c);
              return (
                <td key={label} className={`mono ${v === null ? 'null' : ''}`}>
                  {v === undefined ? '' : cellText(v)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The row's raw bytes, asked of main when the row is selected (rows arrive without them). */
function RawBytes({ seq }: { seq: number }) {
  const { sessionId } = useSessionScope();
  const streamId = useStream((s) => s.rowsStreamId);
  const [raw, setRaw] = useState<{ seq: number; hex?: string; error?: string } | null>(null);
  useEffect(() => {
    if (!sessionId || !streamId) return;
    let current = true;
    void getApi()
      .invoke('stream.raw', { sessionId, streamId, seq })
      .then((r) => {
        if (current) setRaw(r.ok ? { seq, hex: r.value.hex } : { seq, error: r.error.message });
      });
    return () => {
      current = false;
    };
  }, [sessionId, streamId, seq]);
  const shown = raw?.seq === seq ? raw : null;
  return (
    <>
      <h3>Raw bytes</h3>
      {shown?.error ? (
        <p className="muted" data-testid="raw-unavailable">
          {shown.error}
        </p>
      ) : (
        <pre className="hex" data-testid="raw-hex" aria-busy={!shown}>
          {shown?.hex === undefined ? 'loading…' : hexDump(shown.hex, 4096, 8)}
        </pre>
      )}
    </>
  );
}

/** Old/new/key tuples side by side, every other field, and the raw message bytes. */
export function StreamDetail({ m }: { m: WireMessage }) {
  const skip = new Set(['new', 'old', 'key', 'seq', 'columns']);
  const fields = Object.entries(m).filter(([k]) => !skip.has(k));
  return (
    <aside className="stream-detail" aria-label="Message detail">
      <h2>
        {m.type} <span className="muted">{relationOf(m)}</span>
      </h2>
      <dl className="kv">
        {fields.map(([k, v]) => (
          <div key={k} className="kv-row">
            <dt>{k}</dt>
            <dd className="mono">{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
          </div>
        ))}
      </dl>
      <TupleTable
        rows={[
          ['key', m['key']],
          ['old', m['old']],
          ['new', m['new']],
        ]}
      />
      {Array.isArray(m['columns']) && <pre className="mono small">{JSON.stringify(m['columns'], null, 1)}</pre>}
      <RawBytes seq={m.seq} />
    </aside>
  );
}
