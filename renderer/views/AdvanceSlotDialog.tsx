import { useState } from 'react';
import type { AdvancePreview } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import { getApi } from '../bridge/api';
import { humanBytes } from '../lib/format';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

type Close = (msg?: string) => void;

/** The target LSN, its preview (with the one-time token) and the advance that spends the token. */
function useAdvanceSlot(sessionId: string, name: string, current: string | null, onClose: Close) {
  const [lsn, setLsn] = useState(current ?? '');
  const [preview, setPreview] = useState<AdvancePreview | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const describe = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    const wanted = lsn.trim();
    const r = await getApi().invoke('slots.describeAdvance', { sessionId, name, ...(wanted ? { lsn: wanted } : {}) });
    setBusy(false);
    if (r.ok) setPreview(r.value);
    else {
      setPreview(null);
      setError(r.error);
    }
  };
  const advance = async (): Promise<void> => {
    if (!preview) return;
    setBusy(true);
    const r = await getApi().invoke('slots.advance', { sessionId, name, token: preview.token });
    setBusy(false);
    if (r.ok) onClose(`Advanced ${name} to ${r.value.endLsn}, skipping ${humanBytes(r.value.skippedBytes)} of WAL.`);
    else {
      // The token is used up whatever happened: preview again for a fresh one.
      setPreview(null);
      setTyped('');
      setError(r.error);
    }
  };
  const changeLsn = (value: string): void => {
    setLsn(value);
    setPreview(null); // a preview (and its token) is for the position it was made for
    setTyped('');
  };
  return { lsn, changeLsn, preview, error, typed, setTyped, busy, describe, advance };
}

/**
 * Advancing skips every change before the new position for the slot's consumer, as final as a
 * drop, so it is two-step like the drop: a preview from main (how many bytes of WAL are skipped,
 * the target clamped as the server clamps it, a one-time token), then the name typed to confirm.
 */
export function AdvanceSlotDialog({
  sessionId,
  name,
  current,
  onClose,
}: {
  sessionId: string;
  name: string;
  current: string | null;
  onClose: Close;
}) {
  const a = useAdvanceSlot(sessionId, name, current, onClose);
  return (
    <Dialog title={`Advance slot ${name}`} onClose={() => onClose()}>
      <p className="warning">
        Advancing discards every change before the new position for this slot&apos;s consumer. It cannot be undone.
      </p>
      <label>
        Advance to LSN (empty: up to the server&apos;s flushed WAL)
        <input name="advance-lsn" value={a.lsn} onChange={(e) => a.changeLsn(e.target.value)} placeholder="0/16B3748" />
      </label>
      {a.preview && <AdvancePreviewList preview={a.preview} />}
      {a.error && <ErrorBox error={a.error} />}
      {a.preview && (
        <label>
          Type the slot name to confirm
          <input name="confirm-name" value={a.typed} onChange={(e) => a.setTyped(e.target.value)} autoComplete="off" />
        </label>
      )}
      <div className="row end">
        <button type="button" onClick={() => onClose()}>
          Cancel
        </button>
        {a.preview ? (
          <button
            type="button"
            className="danger"
            disabled={a.typed !== name || a.busy}
            onClick={() => void a.advance()}
          >
            Skip {humanBytes(a.preview.skippedBytes)} and advance
          </button>
        ) : (
          <button type="button" className="primary" disabled={a.busy} onClick={() => void a.describe()}>
            Preview
          </button>
        )}
      </div>
    </Dialog>
  );
}

function AdvancePreviewList({ preview }: { preview: AdvancePreview }) {
  return (
    <dl className="kv" data-testid="advance-preview">
      <dt>Now at</dt>
      <dd data-testid="advance-from">{preview.from}</dd>
      <dt>Moves to</dt>
      <dd data-testid="advance-target">
        {preview.target}
        {preview.clamped && (
          <span className="muted">
            {' '}
            (asked {preview.requested}; the server has flushed WAL only up to {preview.ceiling})
          </span>
        )}
      </dd>
      <dt>Skipped</dt>
      <dd data-testid="advance-skipped">
        {humanBytes(preview.skippedBytes)} of WAL{' '}
        <span className="muted">(changes not counted: that would mean decoding all of it)</span>
      </dd>
      <dt>Consumer</dt>
      <dd>none (inactive)</dd>
    </dl>
  );
}
