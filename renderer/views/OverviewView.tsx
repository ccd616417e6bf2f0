import { useState } from 'react';
import type { ServerOverview } from '../../shared/contract';
import { getApi } from '../bridge/api';
import { humanBytes, humanDuration } from '../lib/format';
import { useSession } from '../stores/connection-store';
import { useMonitor } from '../stores/monitor-store';
import { useStream } from '../stores/stream-store';
import { WalReceiverFacts } from './WalReceiverFacts';

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="fact">
      <div className="fact-label">{label}</div>
      <div className="fact-value" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

const RATES = [0, 20, 200, 2000, 20000];

/** The demo's workload generator: changes per second. */
function DemoRate({ sessionId }: { sessionId: string }) {
  const [rate, setRate] = useState(20);
  return (
    <div className="row demo-rate">
      <label className="inline">
        Demo workload
        <select
          aria-label="Demo workload rate"
          value={rate}
          onChange={async (e) => {
            const r = await getApi().invoke('demo.setRate', { sessionId, changesPerSecond: Number(e.target.value) });
            if (r.ok) setRate(r.value.changesPerSecond);
          }}
        >
          {RATES.map((r) => (
            <option key={r} value={r}>
              {r === 0 ? 'paused' : `${r.toLocaleString()} changes/s`}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** What stops the main features on this server: a role that cannot stream, wal_level below logical. */
function Preconditions({ o }: { o: ServerOverview }) {
  return (
    <>
      {!o.canReplicate && (
        <div className="error-box" role="alert" data-code="PRIVILEGE">
          <strong>This role cannot stream</strong>
          <div className="error-hint">
            {o.user} has neither the REPLICATION attribute nor superuser: the slot and standby views work, but a live
            tail, peeking and slot changes will be refused. A superuser can run ALTER ROLE {o.user} REPLICATION;
            pg_hba.conf must also allow replication connections.
          </div>
        </div>
      )}
      {o.walLevel !== 'logical' && (
        <div className="error-box" role="alert" data-code="WAL_LEVEL">
          <strong>wal_level is {o.walLevel}, not logical</strong>
          <div className="error-hint">
            Logical decoding (live tail, backlog peek, logical slots) needs wal_level = logical in postgresql.conf and a
            server restart. Physical slots and standbys are shown as usual.
          </div>
        </div>
      )}
    </>
  );
}

function ServerFacts({ o }: { o: ServerOverview }) {
  const stats = useStream((s) => s.stats);
  return (
    <div className="facts">
      <Fact label="Server" value={`PostgreSQL ${o.serverVersion}`} />
      <Fact label="System identifier" value={o.systemId} />
      <Fact label="Timeline" value={String(o.timeline)} />
      <Fact label="wal_level" value={o.walLevel} />
      <Fact label="Current WAL position" value={o.currentLsn ?? '—'} testId="current-lsn" />
      <Fact label="Role" value={o.inRecovery ? 'standby (in recovery)' : 'primary'} />
      <Fact label="max_slot_wal_keep_size" value={o.maxSlotWalKeepSize === '-1' ? 'unlimited' : o.maxSlotWalKeepSize} />
      <Fact label="wal_sender_timeout" value={o.walSenderTimeout} />
      <Fact label="Slots" value={String(o.slotCount)} testId="slot-count" />
      <Fact label="Standbys" value={String(o.standbyCount)} />
      <Fact label="Connected as" value={`${o.user}@${o.host}/${o.database}`} />
      <Fact
        label="Our stream"
        value={
          stats
            ? `${humanBytes(stats.bytesBehind)} behind · keepalive ${humanDuration(stats.lastKeepaliveAgeMs)} ago`
            : 'not streaming'
        }
      />
    </div>
  );
}

/** The monitor's alerts, and the slots WALscope created that nothing consumes. */
function Attention() {
  const alerts = useMonitor((s) => s.alerts);
  const orphans = useMonitor((s) => s.orphans);
  return (
    <>
      <h2>Alerts</h2>
      {alerts.length === 0 ? (
        <p className="muted">Nothing needs attention.</p>
      ) : (
        <ul className="alerts">
          {alerts.map((a) => (
            <li key={a.key} className={`alert ${a.severity}`}>
              <strong>{a.subject}</strong> {a.message}
            </li>
          ))}
        </ul>
      )}
      {orphans.length > 0 && (
        <>
          <h2>Left behind by WALscope</h2>
          <p className="muted">
            These slots were created by WALscope and nothing consumes them: they retain WAL. Drop them from the Slots
            view.
          </p>
          <ul>
            {orphans.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

export function OverviewView() {
  const session = useSession();
  const o = useMonitor((s) => s.overview) ?? session.overview;
  if (!o) return null;
  return (
    <div className="overview">
      <Preconditions o={o} />
      <ServerFacts o={o} />
      {session.demo && <DemoRate sessionId={session.id} />}
      <WalReceiverFacts />
      <Attention />
    </div>
  );
}
