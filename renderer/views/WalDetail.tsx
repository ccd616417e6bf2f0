import type { WalRecordJson } from '../../shared/wal';
import { hexDump } from '../lib/format';
import { useWal } from '../stores/wal-store';
import { ErrorBox } from './ErrorBox';

/** The record header's fields as the detail pane lists them; optional ones only when present. */
function headerFields(r: WalRecordJson): [string, string | number][] {
  return [
    ['LSN', r.lsn],
    ['end LSN', r.endLsn],
    ['previous LSN', r.prevLsn],
    ['xid', r.xid],
    ['resource manager', r.rmgr],
    ['record type', r.recordType],
    ['record length', r.recordLength],
    ['main data length', r.mainDataLength],
    ['full-page image bytes', r.fpiLength],
    ...(r.toplevelXid !== undefined ? ([['top-level xid', r.toplevelXid]] as [string, number][]) : []),
    ...(r.origin !== undefined ? ([['origin', r.origin]] as [string, number][]) : []),
  ];
}

function BlockTable({ blocks }: { blocks: WalRecordJson['blocks'] }) {
  if (blocks.length === 0) return <p className="muted">none</p>;
  return (
    <table className="grid" data-testid="wal-blocks">
      <thead>
        <tr>
          <th>#</th>
          <th>relation</th>
          <th>fork</th>
          <th>block</th>
          <th>data</th>
          <th>image</th>
        </tr>
      </thead>
      <tbody>
        {blocks.map((b) => (
          <tr key={b.id}>
            <td>{b.id}</td>
            <td className="mono" title={`${b.tablespace}/${b.database}/${b.relfilenode}`}>
              {b.relation ?? `${b.tablespace}/${b.database}/${b.relfilenode}`}
            </td>
            <td>{b.fork}</td>
            <td>{b.block}</td>
            <td>{b.dataLength} B</td>
            <td>
              {b.fpi > 0
                ? `${b.fpi} B, hole ${b.holeOffset ?? 0}+${b.holeLength ?? 0}${b.compression ? `, ${b.compression}` : ''}`
                : '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One record: header fields, block references with relation names and images, and its bytes. */
export function WalDetail() {
  const detail = useWal((s) => s.detail);
  if (!detail) return <aside className="stream-detail muted">Loading the record…</aside>;
  if ('error' in detail)
    return (
      <aside className="stream-detail">
        <ErrorBox error={detail.error} />
      </aside>
    );
  const r = detail.record;
  return (
    <aside className="stream-detail" data-testid="wal-detail" aria-label="Record detail">
      <h2 className="mono">
        {r.rmgr}/{r.recordType}
      </h2>
      {r.description && (
        <p className="mono small" data-testid="wal-description">
          {r.description}
        </p>
      )}
      <table className="grid">
        <tbody>
          {headerFields(r).map(([k, v]) => (
            <tr key={k}>
              <th>{k}</th>
              <td className="mono">{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Block references</h3>
      <BlockTable blocks={r.blocks} />
      <h3>Bytes</h3>
      <pre className="hex" data-testid="wal-hex">
        {hexDump(detail.hex, 4096, 8)}
      </pre>
    </aside>
  );
}
