import type {
  CopyProgress,
  DecodingStats,
  LogicalSnapshot,
  PublicationView,
  SubscriptionView,
} from '../../shared/contract';
import { humanBytes } from '../lib/format';
import { useLogical } from '../stores/logical-store';
import { LinkedPairs, OtherEndConnect } from './LinkedPairView';

const perSec = (n: number | null | undefined, bytes = false): string =>
  n === null || n === undefined ? '—' : bytes ? `${humanBytes(n)}/s` : `${n.toFixed(n < 10 ? 1 : 0)}/s`;

function Publications({ pubs }: { pubs: PublicationView[] }) {
  if (!pubs.length) return <p className="muted">No publications on this server.</p>;
  return (
    <div className="table-wrap">
      <table className="grid compact" aria-label="Publications">
        <thead>
          <tr>
            <th>Publication</th>
            <th>Publishes</th>
            <th>Scope</th>
            <th>Via root</th>
            <th>Generated columns</th>
            <th>Tables (columns, row filter)</th>
          </tr>
        </thead>
        <tbody>
          {pubs.map((p) => (
            <tr key={p.name} data-testid={`publication-row-${p.name}`}>
              <td>{p.name}</td>
              <td>
                {(['insert', 'update', 'delete', 'truncate'] as const).filter((k) => p[k]).join(', ') || 'nothing'}
              </td>
              <td>
                {p.allTables ? 'ALL TABLES' : p.schemas.length ? `TABLES IN SCHEMA ${p.schemas.join(', ')}` : 'tables'}
              </td>
              <td>{p.viaRoot === null ? 'n/a' : p.viaRoot ? 'yes' : 'no'}</td>
              <td>{p.generatedColumns ?? 'n/a'}</td>
              <td>
                {p.tables.length === 0 && <span className="muted">none</span>}
                {p.tables.map((t) => (
                  <div key={`${t.schema}.${t.table}`} className={t.identityProblem ? 'warning' : ''}>
                    <span className="mono">
                      {t.schema}.{t.table}
                    </span>
                    {t.columns && <span className="muted"> ({t.columns.join(', ')})</span>}
                    {t.rowFilter && <span className="muted"> WHERE {t.rowFilter}</span>}
                    {t.identityProblem && (
                      <div className="field-error" data-testid="identity-problem">
                        ⚠ {t.identityProblem}
                      </div>
                    )}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Decoding({ stats, workMem }: { stats: DecodingStats[]; workMem: string | null }) {
  if (!stats.length) return <p className="muted">No logical slot has decoded anything yet.</p>;
  return (
    <div className="table-wrap">
      <table className="grid compact" aria-label="Decoding statistics">
        <thead>
          <tr>
            <th>Slot</th>
            <th>Transactions</th>
            <th>Decoded</th>
            <th>Spilled (txns / bytes)</th>
            <th>Streamed (txns / bytes)</th>
            <th>Since reset</th>
          </tr>
        </thead>
        <tbody>
          {stats.map((d) => (
            <tr key={d.slot} data-testid={`decoding-row-${d.slot}`}>
              <td>
                {d.slot}
                {d.spillHint && (
                  <div className="field-error" title={`logical_decoding_work_mem = ${workMem ?? '?'}`}>
                    ⚠ {d.spillHint}
                  </div>
                )}
              </td>
              <td className="num">{perSec(d.rates.totalTxns)}</td>
              <td className="num">{perSec(d.rates.totalBytes, true)}</td>
              <td className="num">
                {perSec(d.rates.spillTxns)} / {perSec(d.rates.spillBytes, true)}
              </td>
              <td className="num">
                {perSec(d.rates.streamTxns)} / {perSec(d.rates.streamBytes, true)}
              </td>
              <td>
                {d.totalTxns.toLocaleString()} txns, {humanBytes(d.totalBytes)}
                <div className="muted">
                  {d.statsReset ? `reset ${new Date(d.statsReset).toLocaleString()}` : 'never reset'}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Subscription({ s }: { s: SubscriptionView }) {
  return (
    <section className="card subscription" aria-label={`Subscription ${s.name}`} data-testid={`subscription-${s.name}`}>
      <div className="detail-head">
        <h3>{s.name}</h3>
        <span className={`badge ${s.enabled ? 'active' : 'failed'}`} data-testid="subscription-state">
          {s.enabled ? 'enabled' : 'disabled'}
        </span>
      </div>
      <div className="muted">
        slot <span className="mono">{s.slotName ?? 'NONE'}</span> · publications {s.publications.join(', ')} ·{' '}
        <span className="mono" data-testid="subscription-conninfo">
          {s.conninfo ?? 'connection string hidden'}
        </span>
      </div>
      <div className="muted">
        {Object.entries(s.options)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' · ')}
      </div>
      {s.stats && <SubscriptionErrors errors={s.stats} />}
      <SubscriptionWorkers s={s} />
      <SubscriptionTables s={s} />
    </section>
  );
}

function SubscriptionErrors({ errors }: { errors: NonNullable<SubscriptionView['stats']> }) {
  return (
    <div className="row" data-testid="subscription-errors">
      <span className={errors.applyErrors ? 'warning' : ''}>
        apply errors {errors.applyErrors} ({perSec(errors.applyErrorsPerSec)})
      </span>
      <span className={errors.syncErrors ? 'warning' : ''}>
        sync errors {errors.syncErrors} ({perSec(errors.syncErrorsPerSec)})
      </span>
      {errors.conflicts &&
        Object.entries(errors.conflicts).map(([k, n]) => (
          <span key={k} className={n ? 'warning' : 'muted'}>
            {k.replace(/_/g, ' ')} {n}
          </span>
        ))}
    </div>
  );
}

function SubscriptionWorkers({ s }: { s: SubscriptionView }) {
  return (
    <table className="grid compact" aria-label={`Workers of ${s.name}`}>
      <thead>
        <tr>
          <th>Worker</th>
          <th>PID</th>
          <th>Table</th>
          <th>Received</th>
          <th>Latest end</th>
          <th>Last message sent / received</th>
        </tr>
      </thead>
      <tbody>
        {s.workers.length === 0 && (
          <tr>
            <td colSpan={6} className="muted">
              no worker running{s.enabled ? '' : ' (disabled)'}
            </td>
          </tr>
        )}
        {s.workers.map((w) => (
          <tr key={w.pid ?? w.type}>
            <td>{w.type}</td>
            <td className="num">
              {w.pid}
              {w.leaderPid ? ` (leader ${w.leaderPid})` : ''}
            </td>
            <td>{w.table ?? '—'}</td>
            <td className="mono">{w.receivedLsn ?? '—'}</td>
            <td className="mono">{w.latestEndLsn ?? '—'}</td>
            <td>
              {w.lastMsgSendTime ? new Date(w.lastMsgSendTime).toLocaleTimeString() : '—'} /{' '}
              {w.lastMsgReceiptTime ? new Date(w.lastMsgReceiptTime).toLocaleTimeString() : '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SubscriptionTables({ s }: { s: SubscriptionView }) {
  return (
    <table className="grid compact" aria-label={`Tables of ${s.name}`}>
      <thead>
        <tr>
          <th>Table</th>
          <th>Sync state</th>
          <th>LSN</th>
        </tr>
      </thead>
      <tbody>
        {s.tables.map((t) => (
          <tr key={`${t.schema}.${t.table}`} data-testid={`sync-row-${t.table}`}>
            <td className="mono">
              {t.schema}.{t.table}
            </td>
            <td>
              <span className={`badge ${t.state === 'ready' ? 'active' : 'connecting'}`}>{t.state}</span>
            </td>
            <td className="mono">{t.lsn ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Copies({ copies }: { copies: CopyProgress[] }) {
  if (!copies.length) return null;
  return (
    <ul aria-label="COPY in progress">
      {copies.map((c) => (
        <li key={c.pid}>
          {c.command} {c.table ?? ''} (PID {c.pid}): {humanBytes(c.bytesProcessed)}
          {c.bytesTotal ? ` of ${humanBytes(c.bytesTotal)}` : ''}, {c.tuplesProcessed.toLocaleString()} rows
        </li>
      ))}
    </ul>
  );
}

function ServerLogical({ l }: { l: LogicalSnapshot }) {
  return (
    <>
      <h2>Publications</h2>
      <Publications pubs={l.publications} />
      <h2>Decoding statistics</h2>
      {l.decodingStats ? (
        <Decoding stats={l.decodingStats} workMem={l.logicalDecodingWorkMem} />
      ) : (
        <p className="muted">Not on this version (PostgreSQL 14+).</p>
      )}
      <h2>Subscriptions</h2>
      {l.subscriptions.length === 0 && <p className="muted">No subscriptions in this database.</p>}
      {l.subscriptions.map((s) => (
        <Subscription key={s.oid} s={s} />
      ))}
      <Copies copies={l.copyProgress} />
      {l.notes.length > 0 && (
        <details className="notes">
          <summary className="muted">What this server version or role cannot show ({l.notes.length})</summary>
          <ul>
            {l.notes.map((n) => (
              <li key={n} className="muted">
                {n}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

/**
 * The Logical tab: the other ends among the window's servers and the linked pairs, then this
 * server's publications and subscriptions (an other end's are on its own Logical tab).
 */
export function LogicalView() {
  const self = useLogical((s) => s.self);
  return (
    <div className="logical">
      <OtherEndConnect />
      <LinkedPairs />
      {self ? <ServerLogical l={self} /> : <p className="muted">Waiting for the first poll…</p>}
    </div>
  );
}
