import { useState } from 'react';
import type { SlotView } from '../../shared/contract';
import { useSession } from '../stores/connection-store';
import { useMonitor } from '../stores/monitor-store';
import { AdvanceSlotDialog } from './AdvanceSlotDialog';
import { CreateSlotDialog } from './CreateSlotDialog';
import { DropSlotDialog } from './DropSlotDialog';
import { SlotDetail, usePeekBacklog } from './SlotDetail';
import { SlotsTable } from './SlotsTable';

type DialogName = 'create' | 'drop' | 'advance';

function SlotsToolbar({
  slot,
  notice,
  open,
}: {
  slot: SlotView | null;
  notice?: string;
  open: (d: DialogName) => void;
}) {
  return (
    <div className="toolbar">
      <button className="primary" onClick={() => open('create')}>
        Create slot
      </button>
      <button disabled={!slot} onClick={() => open('drop')}>
        Drop slot
      </button>
      <button disabled={!slot || slot.slotType !== 'logical'} onClick={() => open('advance')}>
        Advance…
      </button>
      {notice && (
        <span className="notice" role="status">
          {notice}
        </span>
      )}
    </div>
  );
}

interface SlotDialogProps {
  dialog: DialogName | null;
  slot: SlotView | null;
  sessionId: string;
  onClose: (msg?: string) => void;
}

/** The open dialog, if any; drop and advance need a selected slot. */
function SlotDialog({ dialog, slot, sessionId, onClose }: SlotDialogProps) {
  const overview = useMonitor((s) => s.overview);
  if (dialog === 'create') {
    return <CreateSlotDialog sessionId={sessionId} plugins={overview?.plugins ?? ['pgoutput']} onClose={onClose} />;
  }
  if (!slot) return null;
  if (dialog === 'drop') return <DropSlotDialog sessionId={sessionId} name={slot.name} onClose={onClose} />;
  if (dialog === 'advance') {
    return (
      <AdvanceSlotDialog
        sessionId={sessionId}
        name={slot.name}
        current={overview?.currentLsn ?? null}
        onClose={onClose}
      />
    );
  }
  return null;
}

/** Replication slots: the table, the selected slot's detail, and create/drop/advance. */
export function SlotsView() {
  const session = useSession();
  const slots = useMonitor((s) => s.slots);
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<DialogName | null>(null);
  const [notice, setNotice] = useState<string | undefined>();
  const [windowSeconds, setWindowSeconds] = useState(900);
  const backlog = usePeekBacklog(session.id);
  const slot = slots.find((s) => s.name === selected) ?? null;
  const closeDialog = (msg?: string): void => {
    setDialog(null);
    if (msg) setNotice(msg);
  };
  const select = (name: string): void => {
    setSelected(name);
    backlog.reset();
  };
  return (
    <div className="slots">
      <SlotsToolbar slot={slot} notice={notice} open={setDialog} />
      <SlotsTable selected={selected} onSelect={select} />
      {slot && <SlotDetail slot={slot} windowSeconds={windowSeconds} onWindow={setWindowSeconds} backlog={backlog} />}
      <SlotDialog dialog={dialog} slot={slot} sessionId={session.id} onClose={closeDialog} />
    </div>
  );
}
