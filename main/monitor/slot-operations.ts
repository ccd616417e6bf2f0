import { randomBytes } from 'node:crypto';
import { WalscopeError } from '../../shared/errors';
import { formatLsn, parseLsn } from '../../shared/lsn';
import type { DropDescription, SlotView } from '../../shared/contract/dto';
import type { WalscopeClientConfig } from '../connection/pg-config';
import { validateSlotName, type CreateSlotOptions } from '../protocol/commands';
import { ReplicationConnection } from '../session/replication-connection';
import { withWriteSession } from './sql-session';

/**
 * Slot operations that change the server. Each is validated first, logged, and leaves the server
 * unchanged when it fails. Dropping is two-step: describeDrop() shows what would be lost and
 * issues a one-time token bound to the slot; only drop() with that token runs.
 */
export interface OperationLog {
  (line: string): void;
}

const TOKEN_TTL_MS = 120_000;
const DROP_WAIT_MS = 10_000;

/** What the UI asks for; snapshot handling and WAL reservation are decided here. */
export type CreateSlotRequest = Omit<CreateSlotOptions, 'snapshot' | 'reserveWal'>;

export class SlotOperations {
  private readonly tokens = new Map<string, { slot: string; expires: number }>();
  /** Connections holding temporary slots created from the UI: the slot lives as long as they do. */
  private readonly holders: ReplicationConnection[] = [];

  constructor(
    private readonly config: WalscopeClientConfig,
    private readonly log: OperationLog,
    private readonly describe: (
      name: string,
    ) => Promise<{ slot: SlotView; usedByStandby: string | null; maxSlotWalKeepSize: string }>,
  ) {}

  /**
   * Creating a logical slot waits until every transaction open at that moment has finished; on a
   * busy primary that can take long. `signal` cancels it (CancelRequest): the server then removes
   * the half-made slot, so a cancelled creation leaves nothing behind.
   */
  async create(
    req: CreateSlotRequest,
    signal?: AbortSignal,
  ): Promise<{ slotName: string; consistentPoint: string; warning?: string }> {
    validateSlotName(req.name);
    const conn = await ReplicationConnection.open(this.config, 'database');
    let keep = false;
    const onAbort = (): void => void conn.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
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
      let warning: string | undefined;
      if (req.temporary) {
        keep = true;
        this.holders.push(conn);
        warning = 'A temporary slot lives only as long as this WALscope session: it is dropped when you disconnect.';
      } else {
        const { maxSlotWalKeepSize } = await this.describe(req.name).catch(() => ({ maxSlotWalKeepSize: '' }));
        const unlimited = maxSlotWalKeepSize === '-1' || maxSlotWalKeepSize === '';
        warning =
          `Slot ${req.name} retains WAL from ${formatLsn(res.consistentPoint)} until it is consumed or dropped` +
          (unlimited
            ? ' — max_slot_wal_keep_size is unlimited, so an idle slot can fill the disk.'
            : ` (at most max_slot_wal_keep_size = ${maxSlotWalKeepSize}).`);
      }
      return { slotName: res.slotName, consistentPoint: formatLsn(res.consistentPoint), warning };
    } catch (err) {
      if (signal?.aborted) {
        throw new WalscopeError({
          code: 'CANCELLED',
          message: `creating slot "${req.name}" was cancelled while it waited for open transactions; no slot was created`,
        });
      }
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!keep) await conn.close();
    }
  }

  async describeDrop(name: string): Promise<DropDescription> {
    validateSlotName(name);
    const { slot, usedByStandby } = await this.describe(name);
    const token = randomBytes(16).toString('hex');
    const expiresAtMs = Date.now() + TOKEN_TTL_MS;
    this.tokens.set(token, { slot: name, expires: expiresAtMs });
    return { slot, usedByStandby, token, expiresAtMs };
  }

  async drop(
    name: string,
    token: string,
    terminateConsumer: boolean,
  ): Promise<{ dropped: string; freedBytes: number | null; terminatedPid: number | null }> {
    validateSlotName(name);
    const t = this.tokens.get(token);
    this.tokens.delete(token); // one use, whatever happens next
    if (!t || t.slot !== name || t.expires < Date.now()) {
      throw new WalscopeError({
        code: 'INVALID_ARGUMENT',
        message: `no valid confirmation for dropping slot "${name}"`,
        hint: 'Review the slot again (describe) and confirm within two minutes.',
      });
    }
    const { slot } = await this.describe(name);
    let terminatedPid: number | null = null;
    if (slot.active) {
      if (!terminateConsumer) {
        throw new WalscopeError({
          code: 'SLOT_IN_USE',
          message: `replication slot "${name}" is active for PID ${slot.activePid ?? '?'}${slot.consumer ? ` (${slot.consumer})` : ''}`,
          hint: 'Stop its consumer first, or choose "terminate consumer and drop".',
        });
      }
      terminatedPid = slot.activePid;
      await withWriteSession(this.config, (c) => c.query('SELECT pg_terminate_backend($1)', [terminatedPid]));
      this.log(`terminated PID ${terminatedPid}, the consumer of slot ${name}`);
    }
    const conn = await ReplicationConnection.open(this.config, 'database');
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          conn.destroy();
          reject(
            new WalscopeError({
              code: 'TIMEOUT',
              message: `slot "${name}" was still in use after ${DROP_WAIT_MS / 1000} s; nothing was dropped`,
            }),
          );
        }, DROP_WAIT_MS);
      });
      await Promise.race([conn.dropReplicationSlot(name, true), timeout]).finally(() => clearTimeout(timer));
    } finally {
      await conn.close();
    }
    this.log(`dropped slot ${name}, freeing ${slot.retainedBytes ?? 0} bytes of retained WAL`);
    return { dropped: name, freedBytes: slot.retainedBytes, terminatedPid };
  }

  async advance(name: string, lsnText: string): Promise<{ slot: string; endLsn: string }> {
    validateSlotName(name);
    let target: bigint;
    try {
      target = parseLsn(lsnText);
    } catch {
      throw new WalscopeError({ code: 'INVALID_ARGUMENT', message: `${JSON.stringify(lsnText)} is not an LSN` });
    }
    const res = await withWriteSession(this.config, (c) =>
      c.query<{ end_lsn: string }>('SELECT end_lsn::text FROM pg_replication_slot_advance($1, $2::pg_lsn)', [
        name,
        formatLsn(target),
      ]),
    );
    const endLsn = res.rows[0]!.end_lsn;
    this.log(`advanced slot ${name} to ${endLsn}`);
    return { slot: name, endLsn };
  }

  async close(): Promise<void> {
    for (const h of this.holders.splice(0)) await h.close();
  }
}
