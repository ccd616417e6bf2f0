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
}

export interface SlotInfo {
  slotType: 'logical' | 'physical';
  plugin: string | null;
  database: string | null;
  active: boolean;
  activePid: number | null;
  confirmedFlush: Lsn | null;
}

export const DEFAULT_SLOT_PREFIX = 'walscope_';

function temporarySlotName(prefix: string, role: 'tmp' | 'copy'): string {
  return validateSlotName(`${prefix}${role}_${randomBytes(5).toString('hex')}`);
}

export async function readSlotInfo(conn: ReplicationConnection, slot: string): Promise<SlotInfo> {
  validateSlotName(slot);
  const res = await conn.run(
    `SELECT slot_type, plugin, database, active::text, active_pid::text, confirmed_flush_lsn::text
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
      return withForwardGap({ slot, plugin, startLsn: wanted }, confirmedFlush, source.slot);
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
