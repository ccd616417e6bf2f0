import { useEffect, useState } from 'react';
import type { DropDescription } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import { getApi } from '../bridge/api';
import { humanBytes } from '../lib/format';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

type Close = (msg?: string) => void;

/** Describes the slot (with the one-use token a drop needs) and drops it with that token. */
function useDropSlot(sessionId: string, name: string, onClose: Close) {
  const [desc, setDesc] = useState<DropDescription | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  useEffect(() => {
    void getApi()
      .invoke('slots.describeDrop', { sessionId, name })
      .then((r) => (r.ok ? setDesc(r.value) : setError(r.error)));
  }, [sessionId, name]);
  const drop = async (terminateConsumer: boolean): Promise<void> => {
    if (!desc) return;
    const r = await getApi().invoke('slots.drop', { sessionId, name, token: desc.token, terminateConsumer });
    if (r.ok)
      onClose(
        `Dropped ${name}: ${humanBytes(r.value.freedBytes)} of WAL no longer retained${r.value.terminatedPid ? ` (terminated PID ${r.value.terminatedPid})` : ''}.`,
      );
    else {
      setError(r.error);
      // The token was used up: describe again for a fresh one.
      const again = await getApi().invoke('slots.describeDrop', { sessionId, name });
      if (again.ok) setDesc(again.value);
    }
  };
  return { desc, error, drop };
}

/** What dropping would remove: type, consumer, retained WAL, status, standby and failover use. */
function DropFacts({ desc }: { desc: DropDescription }) {
  const s = desc.slot;
  return (
    <dl className="kv">
      <dt>Type</dt>
      <dd>
        {s.slotType}
        {s.plugin ? ` (${s.plugin})` : ''}
        {s.database ? ` on ${s.database}` : ''}
      </dd>
      <dt>Consumer</dt>
      <dd data-testid="drop-consumer">
        {s.active ? `PID ${s.activePid}${s.consumer ? ` (${s.consumer})` : ''}` : 'none (inactive)'}
      </dd>
      <dt>Retained WAL</dt>
      <dd data-testid="drop-retained">{humanBytes(s.retainedBytes)}</dd>
      <dt>wal_status</dt>
      <dd>{s.walStatus ?? '—'}</dd>
      {desc.usedByStandby && (
        <>
          <dt>Used by standby</dt>
          <dd>{desc.usedByStandby}</dd>
        </>
      )}
      {s.columns['failover'] !== undefined && (
        <>
          <dt>failover / synced</dt>
          <dd>
            {String(s.columns['failover'])} / {String(s.columns['synced'] ?? '—')}
          </dd>
        </>
      )}
    </dl>
  );
}

interface DropConfirmProps {
  name: string;
  active: boolean;
  drop: (terminateConsumer: boolean) => Promise<void>;
  onCancel: () => void;
}

/** The drop buttons stay disabled until the slot's name is typed. */
function DropConfirm({ name, active, drop, onCancel }: DropConfirmProps) {
  const [typed, setTyped] = useState('');
  const confirmed = typed === name;
  return (
    <>
      <label>
        Type the slot name to confirm
        <input name="confirm-name" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </label>
      <div className="row end">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {active ? (
          <button type="button" className="danger" disabled={!confirmed} onClick={() => void drop(true)}>
            Terminate consumer and drop
          </button>
        ) : null}
        <button type="button" className="danger" disabled={!confirmed} onClick={() => void drop(false)}>
          Drop slot
        </button>
      </div>
    </>
  );
}

/** Drop a slot after showing what it holds and having its name typed. */
export function DropSlotDialog({ sessionId, name, onClose }: { sessionId: string; name: string; onClose: Close }) {
  const { desc, error, drop } = useDropSlot(sessionId, name, onClose);
  const s = desc?.slot;
  return (
    <Dialog title={`Drop slot ${name}`} onClose={() => onClose()}>
      {!s && !error && <p>Reading the slot…</p>}
      {desc && <DropFacts desc={desc} />}
      {s?.active && (
        <p className="warning">
          This slot is in use. Dropping it requires terminating its consumer, which will see its connection end.
        </p>
      )}
      {error && <ErrorBox error={error} />}
      {s && <DropConfirm name={name} active={s.active} drop={drop} onCancel={() => onClose()} />}
    </Dialog>
  );
}
