import type { WalWindow } from '../../shared/contract';
import { humanBytes } from '../lib/format';

const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : '—');

/** WAL by resource manager and record type, as pg_waldump --stats=record counts it, live. */
export function ByRecordType({ w, onPick }: { w: WalWindow; onPick: (rmgr: string, type: string) => void }) {
  return (
    <table className="grid" data-testid="wal-by-type">
      <caption>By record type</caption>
      <thead>
        <tr>
          <th>rmgr / type</th>
          <th>count</th>
          <th>record</th>
          <th>FPI</th>
          <th>combined</th>
          <th>share</th>
        </tr>
      </thead>
      <tbody>
        {w.byRecordType.slice(0, 15).map((t) => (
          <tr key={`${t.rmgr}/${t.recordType}`} onClick={() => onPick(t.rmgr, t.recordType)} className="clickable">
            <td className="mono">
              {t.rmgr}/{t.recordType}
            </td>
            <td>{t.count}</td>
            <td>{humanBytes(t.recordBytes)}</td>
            <td>{humanBytes(t.fpiBytes)}</td>
            <td>{humanBytes(t.combinedBytes)}</td>
            <td>{pct(t.combinedBytes, w.bytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TopTable({
  caption,
  testId,
  rows,
  total,
  keyLabel,
  onPick,
}: {
  caption: string;
  testId: string;
  rows: WalWindow['topRelations'];
  total: number;
  keyLabel: string;
  onPick: (key: string) => void;
}) {
  return (
    <table className="grid" data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th>{keyLabel}</th>
          <th>records</th>
          <th>bytes</th>
          <th>FPI</th>
          <th>share</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} onClick={() => onPick(r.key)} className="clickable">
            <td className="mono">{r.key}</td>
            <td>{r.records}</td>
            <td>{humanBytes(r.bytes)}</td>
            <td>{humanBytes(r.fpiBytes)}</td>
            <td>{pct(r.bytes, total)}</td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={5} className="muted">
              nothing yet
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
