import { useState } from 'react';
import type { ErrorInfo } from '../../shared/errors';
import { getApi } from '../bridge/api';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

type Close = (msg?: string) => void;

/** The new slot's settings, and creating it (slots.create) or cancelling a creation still waiting. */
function useCreateSlot(sessionId: string, plugins: string[], onClose: Close) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'logical' | 'physical'>('logical');
  const [plugin, setPlugin] = useState(plugins[0] ?? 'pgoutput');
  const [temporary, setTemporary] = useState(false);
  const [twoPhase, setTwoPhase] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const create = async (): Promise<void> => {
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
  };
  const cancel = (): void => {
    // A creation still waiting is cancelled on the server: no slot is left behind.
    if (busy) void getApi().invoke('slots.cancelCreate', { sessionId, name });
    else onClose();
  };
  const valid = /^[a-z0-9_]{1,63}$/.test(name);
  // prettier-ignore
  return {
    name, setName, kind, setKind, plugin, setPlugin, temporary, setTemporary, twoPhase, setTwoPhase,
    error, busy, valid, create, cancel,
  };
}

type CreateSlot = ReturnType<typeof useCreateSlot>;

function NameField({ c }: { c: CreateSlot }) {
  return (
    <>
      <label>
        Name
        <input
          name="slot-name"
          value={c.name}
          onChange={(e) => c.setName(e.target.value)}
          placeholder="lower-case letters, digits, _"
        />
      </label>
      {!c.valid && c.name !== '' && <p className="field-error">Use lower-case letters, digits and _ (at most 63).</p>}
    </>
  );
}

function KindFields({ c, plugins }: { c: CreateSlot; plugins: string[] }) {
  return (
    <>
      <fieldset>
        <legend>Type</legend>
        <label className="inline">
          <input type="radio" name="kind" checked={c.kind === 'logical'} onChange={() => c.setKind('logical')} />{' '}
          Logical
        </label>
        <label className="inline">
          <input type="radio" name="kind" checked={c.kind === 'physical'} onChange={() => c.setKind('physical')} />{' '}
          Physical
        </label>
      </fieldset>
      {c.kind === 'logical' && (
        <label>
          Output plugin
          <select name="plugin" value={c.plugin} onChange={(e) => c.setPlugin(e.target.value)}>
            {plugins.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}

function OptionFields({ c }: { c: CreateSlot }) {
  return (
    <>
      <label className="inline">
        <input type="checkbox" checked={c.temporary} onChange={(e) => c.setTemporary(e.target.checked)} /> Temporary
        (dropped when WALscope disconnects)
      </label>
      {c.kind === 'logical' && (
        <label className="inline">
          <input type="checkbox" checked={c.twoPhase} onChange={(e) => c.setTwoPhase(e.target.checked)} /> Two-phase
        </label>
      )}
      {!c.temporary && (
        <p className="warning">A persistent slot retains WAL on the server until it is consumed or dropped.</p>
      )}
    </>
  );
}

/** Create a logical or physical, persistent or temporary slot; a waiting creation can be cancelled. */
export function CreateSlotDialog({
  sessionId,
  plugins,
  onClose,
}: {
  sessionId: string;
  plugins: string[];
  onClose: Close;
}) {
  const c = useCreateSlot(sessionId, plugins, onClose);
  return (
    <Dialog title="Create slot" onClose={() => onClose()}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void c.create();
        }}
      >
        <NameField c={c} />
        <KindFields c={c} plugins={plugins} />
        <OptionFields c={c} />
        {c.error && <ErrorBox error={c.error} />}
        {c.busy && c.kind === 'logical' && (
          <p className="muted" role="status">
            Creating… a logical slot waits for the transactions open right now to finish.
          </p>
        )}
        <div className="row end">
          <button type="button" onClick={c.cancel}>
            {c.busy ? 'Cancel creation' : 'Cancel'}
          </button>
          <button type="submit" className="primary" disabled={!c.valid || c.busy}>
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}
