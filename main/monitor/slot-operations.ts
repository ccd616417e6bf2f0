import type { AdvancePreview, DropDescription, SlotView } from '../../shared/contract/dto';
import { WalscopeError } from '../../shared/errors';
import { formatLsn, parseLsn, type Lsn } from '../../shared/lsn';
import type { WalscopeClientConfig } from '../connection/pg-config';
import { validateSlotName, type CreateSlotOptions } from '../protocol/commands';
import { ReplicationConnection } from '../stream/replication-connection';
import { checkWalsenderReserve, type WalsenderReserve } from '../stream/walsender-reserve';
import { Confirmations } from './confirmations';
import { planAdvance, slotPosition } from './slot-advance';
import { withWriteSession } from './sql-client';

/**
 * Slot operations that change the server, shared by the UI (through the contract) and the CLI.
 * Each is validated first, logged, and leaves the server unchanged when it fails. Dropping and
 * advancing lose data for the slot's consumer, so both are two-step: describeDrop() /
 * describeAdvance() show what would be lost and issue a one-time token bound to the slot (and the
 * target); only drop() / advance() with that token run.
 */
export interface OperationLog {
  (line: string): void;
}

/** How long DROP_REPLICATION_SLOT … WAIT may wait for a slot that was just seen inactive. */
const DROP_WAIT_MS = 10_000;

/** What the UI asks for; snapshot handling and WAL reservation are decided here. */
export type CreateSlotRequest = Omit<CreateSlotOptions, 'snapshot' | 'reserveWal'>;

export interface DropOptions {
  /** Terminate an active slot's consumer (pg_terminate_backend) before dropping. */
  terminateConsumer?: boolean;
  /** Instead, wait up to this long for an active slot's consumer to let go (CLI --wait). */
  waitForConsumerMs?: number;
}

export interface SlotOperationsDeps {
  config: WalscopeClientConfig;
  log: OperationLog;
  describe(name: string): Promise<{ slot: SlotView; usedByStandby: string | null; maxSlotWalKeepSize: string }>;
  /** The furthest a slot may advance: flushed WAL on a primary, replayed WAL on a standby. */
  advanceCeiling(): Promise<Lsn>;
  /** Free walsender slots a temporary slot (which holds its connection) must leave; none if unset. */
  walsenderReserve?: WalsenderReserve;
}

function validateCreate(req: CreateSlotRequest): void {
  validateSlotName(req.name);
  if (req.kind === 'physical' && (req.plugin !== undefined || req.twoPhase || req.failover)) {
    throw new WalscopeError({
      code: 'INVALID_ARGUMENT',
      message: 'a physical slot takes no output plugin, two-phase or failover option: those apply to logical slots',
      hint: 'Create a logical slot to choose a plugin, or leave the plugin out for a physical slot.',
    });
  }
}

export class SlotOperations {
  private readonly confirmations = new Confirmations();
  /** Connections holding temporary slots created from the UI: the slot lives as long as they do. */
  private readonly holders: ReplicationConnection[] = [];
  private readonly config: WalscopeClientConfig;
  private readonly log: OperationLog;
  private readonly describe: SlotOperationsDeps['describe'];

  constructor(private readonly deps: SlotOperationsDeps) {
    this.config = deps.config;
    this.log = deps.log;
    this.describe = deps.describe;
  }

  /**
   * Creating a logical slot waits until every transaction open at that moment has finished; on a
   * busy primary that can take long. `signal` cancels it (CancelRequest): the server then removes
   * the half-made slot, so a cancelled creation leaves nothing behind.
   */
  async create(
    req: CreateSlotRequest,
    signal?: AbortSignal,
  ): Promise<{ slotName: string; consistentPoint: string; warning?: string }> {
    validateCreate(req);
    const conn = await ReplicationConnection.open(this.config, 'database');
    let keep = false;
    const onAbort = (): void => void conn.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await this.createOn(conn, req);
      let warning: string;
      if (req.temporary) {
        keep = true;
        this.holders.push(conn);
        warning = 'A temporary slot lives only as long as this WALscope session: it is dropped when you disconnect.';
      } else {
        warning = await this.retentionWarning(req.name, res.consistentPoint);
      }
      return { slotName: res.slotName, consistentPoint: formatLsn(res.consistentPoint), warning };
    } catch (err) {
      if (signal?.aborted) {
        throw new WalscopeError({
          code: 'CANCELLED',
          message: `creating slot "${req.name}" was cancelled while it waited for open transactions; no slot was created`,
          hint: 'Find the long-running transactions in pg_stat_activity (xact_start) and retry when they have finished.',
        });
      }
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!keep) await conn.close();
    }
  }

  /** CREATE_REPLICATION_SLOT on `conn`, after the walsender check a temporary slot needs. */
  private async createOn(
    conn: ReplicationConnection,
    req: CreateSlotRequest,
  ): Promise<{ slotName: string; consistentPoint: Lsn }> {
    // A temporary slot keeps this connection, and its walsender, for as long as the session.
    if (req.temporary && this.deps.walsenderReserve !== undefined) {
      await checkWalsenderReserve((sql) => conn.run(sql), this.deps.walsenderReserve, 'holding this temporary slot');
    }
    const res = await conn.createReplicationSlot({
      name: req.name,
      kind: req.kind,
      ...(req.kind === 'logical'
        ? { plugin: req.plugin ?? 'pgoutput', snapshot: 'nothing' as const }
        : { reserveWal: true }),
      temporary: req.temporary ?? false,
      twoPhase: req.twoPhase ?? false,
      failover: req.failover ?? false,
    });
    this.log(
      `created ${req.temporary ? 'temporary ' : ''}${req.kind} slot ${req.name} at ${formatLsn(res.consistentPoint)}`,
    );
    return res;
  }

  /** What a new permanent slot will cost: WAL kept from its start, bounded only by max_slot_wal_keep_size. */
  private async retentionWarning(name: string, consistentPoint: Lsn): Promise<string> {
    const { maxSlotWalKeepSize } = await this.describe(name).catch(() => ({ maxSlotWalKeepSize: '' }));
    const unlimited = maxSlotWalKeepSize === '-1' || maxSlotWalKeepSize === '';
    return (
      `Slot ${name} retains WAL from ${formatLsn(consistentPoint)} until it is consumed or dropped` +
      (unlimited
        ? ' — max_slot_wal_keep_size is unlimited, so an idle slot can fill the disk.'
        : ` (at most max_slot_wal_keep_size = ${maxSlotWalKeepSize}).`)
    );
  }

  async describeDrop(name: string): Promise<DropDescription> {
    validateSlotName(name);
    const { slot, usedByStandby } = await this.describe(name);
    return { slot, usedByStandby, ...this.confirmations.issue({ op: 'drop', slot: name }) };
  }

  async drop(
    name: string,
    token: string,
    opts: DropOptions = {},
  ): Promise<{ dropped: string; freedBytes: number | null; terminatedPid: number | null }> {
    validateSlotName(name);
    this.confirmations.take(token, 'drop', name);
    const { slot } = await this.describe(name);
    let terminatedPid: number | null = null;
    let waitMs = DROP_WAIT_MS;
    if (slot.active && opts.terminateConsumer) {
      terminatedPid = slot.activePid;
      await withWriteSession(this.config, (c) => c.query('SELECT pg_terminate_backend($1)', [terminatedPid]));
      this.log(`terminated PID ${terminatedPid}, the consumer of slot ${name}`);
    } else if (slot.active && opts.waitForConsumerMs) {
      waitMs = opts.waitForConsumerMs;
    } else if (slot.active) {
      throw new WalscopeError({
        code: 'SLOT_IN_USE',
        message: `replication slot "${name}" is active for PID ${slot.activePid ?? '?'}${slot.consumer ? ` (${slot.consumer})` : ''}`,
        hint: 'Stop its consumer first, or choose "terminate consumer and drop" (CLI: --terminate-consumer, or --wait for it to let go).',
      });
    }
    await this.dropWaiting(name, waitMs);
    this.log(`dropped slot ${name}, freeing ${slot.retainedBytes ?? 0} bytes of retained WAL`);
    return { dropped: name, freedBytes: slot.retainedBytes, terminatedPid };
  }

  /**
   * DROP_REPLICATION_SLOT … WAIT, bounded: when the slot is still in use after `waitMs`, the
   * command is cancelled on the server (a CancelRequest wakes the waiting walsender) before the
   * connection goes, so nothing is dropped later behind the user's back.
   */
  private async dropWaiting(name: string, waitMs: number): Promise<void> {
    const conn = await ReplicationConnection.open(this.config, 'database');
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        // Delivered before we return (a CLI exits right after), but never waited on for long.
        const bounded = new Promise((resolve) => setTimeout(resolve, 2000).unref());
        void Promise.race([conn.cancel(), bounded]).finally(() => {
          conn.destroy();
          reject(new Error('drop wait timed out'));
        });
      }, waitMs);
    });
    try {
      await Promise.race([conn.dropReplicationSlot(name, true), gaveUp]);
    } catch (err) {
      if (!timedOut) throw err;
      throw new WalscopeError({
        code: 'TIMEOUT',
        message: `slot "${name}" was still in use after ${waitMs / 1000} s; nothing was dropped`,
        hint: 'Stop its consumer, or terminate it and drop.',
      });
    } finally {
      clearTimeout(timer);
      gaveUp.catch(() => undefined);
      await conn.close();
    }
  }

  /**
   * Step 1 of an advance: what it would skip, clamped the way the server clamps, and a one-time
   * token for that target. `lsnText` omitted means "up to the server's flushed WAL".
   */
  async describeAdvance(name: string, lsnText?: string): Promise<AdvancePreview> {
    validateSlotName(name);
    let requested: Lsn | undefined;
    if (lsnText !== undefined) {
      try {
        requested = parseLsn(lsnText);
      } catch {
        throw new WalscopeError({ code: 'INVALID_ARGUMENT', message: `${JSON.stringify(lsnText)} is not an LSN` });
      }
    }
    const { slot } = await this.describe(name);
    const plan = planAdvance(slot, requested, await this.deps.advanceCeiling());
    return {
      slot,
      from: formatLsn(plan.from),
      requested: formatLsn(plan.requested),
      target: formatLsn(plan.target),
      ceiling: formatLsn(plan.ceiling),
      clamped: plan.clamped,
      skippedBytes: Number(plan.skippedBytes),
      ...this.confirmations.issue({ op: 'advance', slot: name, target: plan.target }),
    };
  }

  /** Step 2: moves the slot to the target its preview showed; refuses an active slot. */
  async advance(name: string, token: string): Promise<{ slot: string; endLsn: string; skippedBytes: number }> {
    validateSlotName(name);
    const { target } = this.confirmations.take(token, 'advance', name);
    const { slot } = await this.describe(name);
    // Re-checked now: a consumer may have attached, or the slot moved, since the preview.
    const plan = planAdvance(slot, target, target);
    const res = await withWriteSession(this.config, (c) =>
      c.query<{ end_lsn: string }>('SELECT end_lsn::text FROM pg_replication_slot_advance($1, $2::pg_lsn)', [
        name,
        formatLsn(plan.target),
      ]),
    );
    const endLsn = res.rows[0]!.end_lsn;
    const from = slotPosition(slot) ?? plan.from;
    this.log(`advanced slot ${name} from ${formatLsn(from)} to ${endLsn}, skipping ${plan.skippedBytes} bytes of WAL`);
    return { slot: name, endLsn, skippedBytes: Number(parseLsn(endLsn) - from) };
  }

  async close(): Promise<void> {
    for (const h of this.holders.splice(0)) await h.close();
  }
}
