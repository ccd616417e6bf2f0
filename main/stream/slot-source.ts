import { randomBytes } from 'node:crypto';
import { WalscopeError } from '../../shared/errors';
import { formatLsn, parseLsn, type Lsn } from '../../shared/lsn';
import { unreachable } from '../../shared/unreachable';
import { quoteLiteral, validateSlotName } from '../protocol/commands';
import type { ReplicationConnection } from './replication-connection';

/**
 * What a stream reads from. An inspector never moves a slot someone else consumes:
 * - `temporary`: a new TEMPORARY slot at the current LSN, dropped by the server with the connection;
 * - `copy`: a temporary copy of an existing logical slot (pg_copy_logical_replication_slot), so the
 *   original and its consumer are untouched; it can resume exactly where we were, because the
 *   original has not moved past us unless its own consumer moved it;
 * - `direct`: the slot itself, only on explicit request (slots the app created, or `--direct`).
 */
export type StreamSource =
  | { kind: 'temporary'; plugin: string; twoPhase?: boolean }
  | { kind: 'copy'; slot: string }
  | { kind: 'direct'; slot: string };

export interface Gap {
  from: Lsn;
  to: Lsn;
  reason: string;
}

export interface PreparedSlot {
  slot: string;
  plugin: string;
  startLsn: Lsn;
  gap?: Gap;
  /** A temporary copy of a two-phase slot: the copy is made with two_phase off (see twoPhaseForCopy). */
  copyOfTwoPhase?: boolean;
}

export interface SlotInfo {
  slotType: 'logical' | 'physical';
  plugin: string | null;
  database: string | null;
  active: boolean;
  activePid: number | null;
  confirmedFlush: Lsn | null;
  /** pg_replication_slots.two_phase (14+; false before). */
  twoPhase: boolean;
}

export const DEFAULT_SLOT_PREFIX = 'walscope_';

function temporarySlotName(prefix: string, role: 'tmp' | 'copy'): string {
  return validateSlotName(`${prefix}${role}_${randomBytes(5).toString('hex')}`);
}

export async function readSlotInfo(conn: ReplicationConnection, slot: string): Promise<SlotInfo> {
  validateSlotName(slot);
  const twoPhase = conn.serverVersionNum >= 140000 ? 'two_phase::text' : `'false'`;
  const res = await conn.run(
    `SELECT slot_type, plugin, database, active::text, active_pid::text, confirmed_flush_lsn::text, ${twoPhase}
       FROM pg_replication_slots WHERE slot_name = ${quoteLiteral(slot)}`,
  );
  const row = res.rows[0];
  if (!row) {
    throw new WalscopeError({
      code: 'SLOT_NOT_FOUND',
      message: `replication slot "${slot}" does not exist`,
      hint: 'List the slots (walscope slots) and check the name.',
    });
  }
  const text = (i: number): string | null => {
    const v = row[i];
    return typeof v === 'string' ? v : null;
  };
  return {
    slotType: text(0) === 'physical' ? 'physical' : 'logical',
    plugin: text(1),
    database: text(2),
    active: text(3) === 'true',
    activePid: text(4) !== null ? Number(text(4)) : null,
    confirmedFlush: text(5) !== null ? parseLsn(text(5)!) : null,
    twoPhase: text(6) === 'true',
  };
}

function requireLogical(slot: string, info: SlotInfo): string {
  if (info.slotType !== 'logical' || !info.plugin) {
    throw new WalscopeError({
      code: 'UNSUPPORTED',
      message: `slot "${slot}" is a physical slot: it has no decoded change stream`,
      hint: 'Pick a logical slot, or watch the physical slot in the slots and lag views.',
    });
  }
  return info.plugin;
}

/**
 * Prepares the slot for one connection. `resumeFrom` is the end of the last transaction handed
 * on (0 on the first connection); `received` is the highest position seen, for gap reports.
 */
export async function prepareSlot(
  conn: ReplicationConnection,
  source: StreamSource,
  opts: { prefix: string; requestedStart: Lsn | undefined; resumeFrom: Lsn; received: Lsn; reconnect: boolean },
): Promise<PreparedSlot> {
  const wanted = opts.resumeFrom > 0n ? opts.resumeFrom : (opts.requestedStart ?? 0n);
  switch (source.kind) {
    case 'temporary': {
      const slot = temporarySlotName(opts.prefix, 'tmp');
      const created = await conn.createReplicationSlot({
        name: slot,
        kind: 'logical',
        plugin: source.plugin,
        temporary: true,
        twoPhase: source.twoPhase ?? false,
        snapshot: 'nothing',
      });
      const start = wanted > created.consistentPoint ? wanted : created.consistentPoint;
      const prepared: PreparedSlot = { slot, plugin: source.plugin, startLsn: start };
      if (opts.reconnect && created.consistentPoint > opts.received) {
        prepared.gap = {
          from: opts.received,
          to: created.consistentPoint,
          reason: 'the temporary slot ended with the lost connection; a new one starts at the current WAL position',
        };
      }
      return prepared;
    }
    case 'copy': {
      const info = await readSlotInfo(conn, source.slot);
      const plugin = requireLogical(source.slot, info);
      const slot = temporarySlotName(opts.prefix, 'copy');
      const { confirmedFlush } = await conn.copyLogicalSlotAsTemporary(source.slot, slot);
      const prepared: PreparedSlot = {
        slot,
        plugin,
        startLsn: wanted,
        ...(info.twoPhase ? { copyOfTwoPhase: true } : {}),
      };
      return withForwardGap(prepared, confirmedFlush, source.slot);
    }
    case 'direct': {
      const info = await readSlotInfo(conn, source.slot);
      const plugin = requireLogical(source.slot, info);
      if (info.active) {
        throw new WalscopeError({
          code: 'SLOT_IN_USE',
          message: `replication slot "${source.slot}" is active for PID ${info.activePid ?? '?'}`,
          hint: 'Its consumer is attached. Inspect it through a temporary copy (without --direct) instead.',
        });
      }
      return withForwardGap({ slot: source.slot, plugin, startLsn: wanted }, info.confirmedFlush, source.slot);
    }
    default:
      return unreachable(source, 'stream source');
  }
}

/** The server starts at the slot's confirmed_flush_lsn when asked for an earlier position. */
function withForwardGap(prepared: PreparedSlot, confirmedFlush: Lsn | null, original: string): PreparedSlot {
  if (confirmedFlush !== null && prepared.startLsn > 0n && confirmedFlush > prepared.startLsn) {
    prepared.gap = {
      from: prepared.startLsn,
      to: confirmedFlush,
      reason: `slot "${original}" was already confirmed up to ${formatLsn(confirmedFlush)}; changes before it are no longer decodable`,
    };
  }
  return prepared;
}

/**
 * Plugin options that change a slot's persistent properties when given to START_REPLICATION:
 * pgoutput's `two_phase` (15+) marks the slot two-phase for good (that is how a subscription turns
 * it on), and test_decoding's `two-phase-commit` (14) did the same.
 */
const SLOT_CHANGING_OPTIONS = ['two_phase', 'two-phase-commit'];

/**
 * Inspect mode must leave a slot's properties as they are: a slot opened directly in inspect mode
 * is never given an option that would change them. Refused (not dropped), so what is shown is
 * never silently different from what was asked for.
 */
export function refuseSlotChangingOptions(
  source: StreamSource,
  mode: 'inspect' | 'consume',
  pluginOptions: Record<string, string> | undefined,
): void {
  if (source.kind !== 'direct' || mode !== 'inspect') return;
  const given = Object.keys(pluginOptions ?? {}).filter((k) => SLOT_CHANGING_OPTIONS.includes(k));
  if (given.length === 0) return;
  throw new WalscopeError({
    code: 'INVALID_ARGUMENT',
    message: `plugin option ${given.join(', ')} would permanently turn on two-phase decoding for slot "${source.slot}"; inspecting a slot never changes it`,
    hint: 'Leave out the option: without --direct WALscope reads a temporary copy and decodes prepared transactions when the slot itself is two-phase. Only --consume on a slot you own may change it.',
  });
}

/**
 * pg_copy_logical_replication_slot makes the copy with two_phase off, which would hide PREPARE
 * TRANSACTION, COMMIT/ROLLBACK PREPARED and pending prepared transactions of a two-phase slot. On
 * 15+ pgoutput's `two_phase` option on the temporary copy turns two-phase decoding on for the
 * copy (never the original), so the copy shows what the original's consumer sees. The server
 * records the start position as the copy's two_phase_at: a transaction prepared before it (one the
 * original's consumer already received the PREPARE of) comes through again in full, as
 * begin_prepare … prepare, right before its commit_prepared. Returns the options to send and,
 * where two-phase decoding cannot be turned on, a note saying what will not be shown.
 */
export function twoPhaseForCopy(
  prepared: PreparedSlot,
  wire: Record<string, string>,
  serverVersionNum: number,
): { wire: Record<string, string>; note?: string } {
  if (!prepared.copyOfTwoPhase || 'two_phase' in wire) return { wire };
  const proto = Number(wire['proto_version'] ?? '1');
  if (prepared.plugin === 'pgoutput' && serverVersionNum >= 150000 && proto >= 3) {
    return { wire: { ...wire, two_phase: 'on' } };
  }
  return {
    wire,
    note:
      'the slot is two-phase but its temporary copy cannot decode prepared transactions here ' +
      `(${prepared.plugin === 'pgoutput' ? 'needs PostgreSQL 15 and proto_version 3 or later' : `plugin ${prepared.plugin} has no option for it`}): ` +
      'PREPARE TRANSACTION and pending prepared transactions are not shown; a prepared transaction appears whole at COMMIT PREPARED, and ROLLBACK PREPARED not at all',
  };
}
