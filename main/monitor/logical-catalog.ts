import type pg from 'pg';
import type { LogicalSnapshot } from '../../shared/contract/logical';
import { LOGICAL_SETTINGS_SQL, SLOT_CONSUMERS_SQL } from './logical-sql';
import { readDecodingStats, readPublications } from './publisher-catalog';
import type { RateTracker } from './rates';
import { readCopyProgress, readSubscriptions, readWalReceiver } from './subscriber-catalog';

/**
 * Everything one server says about logical replication and its WAL receiver, read in one poll on
 * the monitor's read-only session: publisher side (publications, decoding statistics) and
 * subscriber side (subscriptions, workers, table states, errors, COPY progress), plus the WAL
 * receiver of a physical standby. Linking the two ends needs two sessions: main/sessions/logical-link.ts.
 */
export async function readLogical(
  client: pg.Client,
  serverVersionNum: number,
  rates: RateTracker,
  at: number,
): Promise<LogicalSnapshot> {
  const notes: string[] = [];
  const settings = (await client.query<{ port: number | null; work_mem: string | null }>(LOGICAL_SETTINGS_SQL)).rows[0];
  const workMem = settings?.work_mem ?? null;
  const publications = await readPublications(client, serverVersionNum, notes);
  const decodingStats = await readDecodingStats(client, serverVersionNum, rates, at, workMem, notes);
  const subscriptions = await readSubscriptions(client, serverVersionNum, rates, at, notes);
  const copyProgress = await readCopyProgress(client, serverVersionNum, notes);
  const walReceiver = await readWalReceiver(client, serverVersionNum);
  const slotConsumers = (await client.query<Record<string, unknown>>(SLOT_CONSUMERS_SQL)).rows.map((r) => ({
    slot: String(r['slot']),
    pid: Number(r['pid']),
    applicationName: String(r['application_name']),
    clientAddr: typeof r['client_addr'] === 'string' ? r['client_addr'] : null,
    writeLagMs: nullableNumber(r['write_lag_ms']),
    flushLagMs: nullableNumber(r['flush_lag_ms']),
    replayLagMs: nullableNumber(r['replay_lag_ms']),
    replyTime: typeof r['reply_time'] === 'string' ? r['reply_time'] : null,
  }));
  const live = new Set([
    ...(decodingStats ?? []).map((d) => `decoding:${d.slot}:`),
    ...subscriptions.map((s) => `sub:${s.oid}:`),
  ]);
  rates.retain((key) => live.has(key.slice(0, key.lastIndexOf(':') + 1)));
  return {
    port: settings?.port ?? null,
    logicalDecodingWorkMem: workMem,
    publications,
    decodingStats,
    subscriptions,
    copyProgress,
    walReceiver,
    slotConsumers,
    notes,
  };
}

function nullableNumber(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
