import { useEffect, useState } from 'react';
import type { DropDescription } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import { getApi } from '../bridge/api';
import { humanBytes } from '../lib/format';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

export function CreateSlotDialog({
  sessionId,
  plugins,
  onClose,
}: {
  sessionId: string;
  plugins: string[];
  onClose: (msg?: string) => void;
}) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'logical' | 'physical'>('logical');
  const [plugin, setPlugin] = useState(plugins[0] ?? 'pgoutput');
  const [temporary, setTemporary] = useState(false);
  const [twoPhase, setTwoPhase] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const valid = /^[a-z0-9_]{1,63}$/.test(name);
  return (
    <Dialog title="Create slot" onClose={() => onClose()}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const r = await getApi().invoke('slots.create', {
            sessionId,
            name,
            kind,
            ...(kind === 'logical' ? { plugin } : {}),
            temporary,
            twoPhase: kind === 'logical' && twoPhase,
          });
          setBusy(false);
          if (r.ok) onClose(r.value.warning ?? `Created ${r.value.slotName}`);
          else setError(r.error);
        }}
      >
        <label>
          Name
          <input
            name="slot-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="lower-case letters, digits, _"
          />
        </label>
        {!valid && name !== '' && <p className="field-error">Use lower-case letters, digits and _ (at most 63).</p>}
        <fieldset>
          <legend>Type</legend>
          <label className="inline">
            <input type="radio" name="kind" checked={kind === 'logical'} onChange={() => setKind('logical')} /> Logical
          </label>
          <label className="inline">
            <input type="radio" name="kind" checked={kind === 'physical'} onChange={() => setKind('physical')} />{' '}
            Physical
          </label>
        </fieldset>
        {kind === 'logical' && (
          <label>
            Output plugin
            <select name="plugin" value={plugin} onChange={(e) => setPlugin(e.target.value)}>
              {plugins.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
        )}
        <label className="inline">
          <input type="checkbox" checked={temporary} onChange={(e) => setTemporary(e.target.checked)} /> Temporary
          (dropped when WALscope disconnects)
        </label>
        {kind === 'logical' && (
          <label className="inline">
            <input type="checkbox" checked={twoPhase} onChange={(e) => setTwoPhase(e.target.checked)} /> Two-phase
          </label>
        )}
        {!temporary && (
          <p className="warning">A persistent slot retains WAL on the server until it is consumed or dropped.</p>
        )}
        {error && <ErrorBox error={error} />}
        {busy && kind === 'logical' && (
          <p className="muted" role="status">
            Creating… a logical slot waits for the transactions open right now to finish.
          </p>
        )}
        <div className="row end">
          <button
            type="button"
            onClick={() => {
              // A creation still waiting is cancelled on the server: no slot is left behind.
              if (busy) void getApi().invoke('slots.cancelCreate', { sessionId, name });
              else onClose();
            }}
          >
            {busy ? 'Cancel creation' : 'Cancel'}
          </button>
          <button type="submit" className="primary" disabled={!valid || busy}>
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function DropSlotDialog({
  sessionId,
  name,
  onClose,
}: {
  sessionId: string;
  name: string;
  onClose: (msg?: string) => void;
}) {
  const [desc, setDesc] = useState<DropDescription | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [typed, setTyped] = useState('');
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
  const s = desc?.slot;
  const confirmed = typed === name;
  return (
    <Dialog title={`Drop slot ${name}`} onClose={() => onClose()}>
      {!s && !error && <p>Reading the slot…</p>}
      {s && (
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
          {desc?.usedByStandby && (
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
      )}
      {s?.active && (
        <p className="warning">
          This slot is in use. Dropping it requires terminating its consumer, which will see its connection end.
        </p>
      )}
      {error && <ErrorBox error={error} />}
      {s && (
        <>
          <label>
            Type the slot name to confirm
            <input name="confirm-name" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          </label>
          <div className="row end">
            <button type="button" onClick={() => onClose()}>
              Cancel
            </button>
            {s.active ? (
              <button type="button" className="danger" disabled={!confirmed} onClick={() => void drop(true)}>
                Terminate consumer and drop
              </button>
            ) : null}
            <button type="button" className="danger" disabled={!confirmed} onClick={() => void drop(false)}>
              Drop slot
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
