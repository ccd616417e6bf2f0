import { useState } from 'react';
import type { StreamSourceRequest } from '../../shared/contract';
import { useMonitor } from '../stores/monitor-store';

type SourceKind = 'temporary' | 'copy' | 'direct';

/** The picker's choices, and what they add up to: the request to start and whether it is complete. */
function useSourceChoice() {
  const overview = useMonitor((s) => s.overview);
  const slots = useMonitor((s) => s.slots).filter((s) => s.slotType === 'logical' && !s.temporary);
  const [kind, setKind] = useState<SourceKind>('temporary');
  const [plugin, setPlugin] = useState('pgoutput');
  const [picked, setPublication] = useState('');
  // The overview may arrive after this form mounts: default to the first publication then.
  const publication = picked || overview?.publications[0] || '';
  const [slot, setSlot] = useState('');
  const [consumeOk, setConsumeOk] = useState(false);
  const chosen = slots.find((s) => s.name === slot);
  const needsPub = (kind === 'temporary' ? plugin : chosen?.plugin) === 'pgoutput';
  const pubs = needsPub && publication ? [publication] : [];
  const request = (): StreamSourceRequest =>
    kind === 'temporary'
      ? { kind, plugin, publications: pubs }
      : kind === 'copy'
        ? { kind, slot, publications: pubs }
        : { kind: 'direct', slot, publications: pubs, consume: true };
  const incomplete = (kind !== 'temporary' && !slot) || (kind === 'direct' && !consumeOk) || (needsPub && !publication);
  return {
    kind,
    setKind,
    plugin,
    setPlugin,
    plugins: overview?.plugins ?? ['pgoutput', 'test_decoding'],
    publication,
    setPublication,
    publications: overview?.publications ?? [],
    needsPub,
    slot,
    setSlot,
    slots,
    consumeOk,
    setConsumeOk,
    request,
    incomplete,
  };
}

type Choice = ReturnType<typeof useSourceChoice>;

function KindSelect({ c }: { c: Choice }) {
  return (
    <select aria-label="Source" value={c.kind} onChange={(e) => c.setKind(e.target.value as SourceKind)}>
      <option value="temporary">Live tail (temporary slot)</option>
      <option value="copy">Existing slot — peek (temporary copy)</option>
      <option value="direct">Existing slot — consume</option>
    </select>
  );
}

function PluginSelect({ c }: { c: Choice }) {
  return (
    <select aria-label="Plugin" value={c.plugin} onChange={(e) => c.setPlugin(e.target.value)}>
      {c.plugins.map((p) => (
        <option key={p}>{p}</option>
      ))}
    </select>
  );
}

function SlotSelect({ c }: { c: Choice }) {
  return (
    <select aria-label="Slot" value={c.slot} onChange={(e) => c.setSlot(e.target.value)}>
      <option value="">choose a slot…</option>
      {c.slots.map((s) => (
        <option key={s.name} value={s.name}>
          {s.name} ({s.plugin})
        </option>
      ))}
    </select>
  );
}

function PublicationSelect({ c }: { c: Choice }) {
  return (
    <select aria-label="Publication" value={c.publication} onChange={(e) => c.setPublication(e.target.value)}>
      <option value="">publication…</option>
      {c.publications.map((p) => (
        <option key={p}>{p}</option>
      ))}
    </select>
  );
}

function ConsumeConsent({ c }: { c: Choice }) {
  return (
    <label className="inline warning">
      <input type="checkbox" checked={c.consumeOk} onChange={(e) => c.setConsumeOk(e.target.checked)} />I understand:
      consuming confirms positions, so the slot moves and its real consumer will not see these changes.
    </label>
  );
}

/** Where a stream reads from: a temporary slot, a peek at an existing slot, or consuming it. */
export function StreamSourcePicker({ onStart }: { onStart: (s: StreamSourceRequest) => void }) {
  const c = useSourceChoice();
  return (
    <form
      className="source-picker"
      aria-label="Stream source"
      onSubmit={(e) => {
        e.preventDefault();
        onStart(c.request());
      }}
    >
      <KindSelect c={c} />
      {c.kind === 'temporary' ? <PluginSelect c={c} /> : <SlotSelect c={c} />}
      {c.needsPub && <PublicationSelect c={c} />}
      {c.kind === 'direct' && <ConsumeConsent c={c} />}
      <button type="submit" className="primary" disabled={c.incomplete}>
        Start
      </button>
    </form>
  );
}
