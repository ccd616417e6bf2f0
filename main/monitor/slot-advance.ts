import type { SlotView } from '../../shared/contract/dto';
import { WalscopeError } from '../../shared/errors';
import { formatLsn, parseLsn, type Lsn } from '../../shared/lsn';

/**
 * What pg_replication_slot_advance would do, worked out before it is done. Advancing is as
 * destructive as dropping for the slot's consumer: every change between the slot's position and
 * the target is skipped for good. The server never moves a slot backwards (it errors: "cannot
 * advance replication slot to X, minimum is Y") and never past the WAL flushed (replayed on a
 * standby), silently clamping there; the plan applies the same rules so the preview states what
 * will really happen.
 * https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-REPLICATION
 */
export interface AdvancePlan {
  /** confirmed_flush_lsn of a logical slot, restart_lsn of a physical one. */
  from: Lsn;
  requested: Lsn;
  /** min(requested, ceiling): where the slot will be. */
  target: Lsn;
  /** The server's flush position (replay position on a standby). */
  ceiling: Lsn;
  clamped: boolean;
  skippedBytes: bigint;
}

/** The position advance moves: what the server calls the slot's minimum. */
export function slotPosition(slot: SlotView): Lsn | null {
  const text = slot.slotType === 'logical' ? slot.confirmedFlushLsn : slot.restartLsn;
  return text ? parseLsn(text) : null;
}

export function planAdvance(slot: SlotView, requested: Lsn | undefined, ceiling: Lsn): AdvancePlan {
  if (slot.active) {
    throw new WalscopeError({
      code: 'SLOT_IN_USE',
      message: `replication slot "${slot.name}" is active for PID ${slot.activePid ?? '?'}${slot.consumer ? ` (${slot.consumer})` : ''}: advancing it would skip changes under its consumer`,
      hint: 'Stop its consumer first; advance only a slot nobody is reading.',
    });
  }
  const from = slotPosition(slot);
  if (from === null) {
    throw new WalscopeError({
      code: 'INVALID_ARGUMENT',
      message: `replication slot "${slot.name}" cannot be advanced: it has never reserved WAL, or it was invalidated`,
    });
  }
  const want = requested ?? ceiling;
  if (want < from) {
    throw new WalscopeError({
      code: 'INVALID_ARGUMENT',
      message: `a slot never moves backwards: "${slot.name}" is at ${formatLsn(from)}, and ${formatLsn(want)} is before it`,
      hint: `Choose a position between ${formatLsn(from)} and ${formatLsn(ceiling > from ? ceiling : from)}.`,
    });
  }
  const target = want > ceiling ? (ceiling > from ? ceiling : from) : want;
  return { from, requested: want, target, ceiling, clamped: target !== want, skippedBytes: target - from };
}
