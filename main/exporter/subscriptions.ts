import type pg from 'pg';
import type { SlotView } from '../../shared/contract/dto';
import { parseLsn, type Lsn } from '../../shared/lsn';

/**
 * The subscriber's side of logical replication, for the exporter only: a small reader of
 * pg_subscription + pg_stat_subscription and the link to the publisher's slot. It lives here,
 * apart from main/monitor, until the monitor grows its own subscription reader (the both-ends
 * issue); then this file should read through that one.
 * https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-SUBSCRIPTION
 */
export interface SubscriptionReading {
  name: string;
  database: string;
  /** The publisher's slot (NULL when the subscription was made with slot_name = NONE). */
  slotName: string | null;
  enabled: boolean;
  /** Last WAL position the apply worker received from the publisher; null when no worker runs. */
  receivedLsn: Lsn | null;
}

/**
 * One row per subscription: the leader apply worker's row only (tablesync workers have a relid;
 * 16+ parallel apply workers have a leader_pid). subconninfo is never read (it is revoked from
 * ordinary roles and may hold a password).
 */
export function subscriptionsSql(serverVersionNum: number): string {
  const leaderOnly = serverVersionNum >= 160000 ? 'AND st.leader_pid IS NULL' : '';
  return `
SELECT s.subname::text AS name, d.datname::text AS database, s.subslotname::text AS slot_name,
       s.subenabled AS enabled, st.received_lsn::text AS received_lsn
  FROM pg_subscription s
  JOIN pg_database d ON d.oid = s.subdbid
  LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL ${leaderOnly}
 ORDER BY d.datname, s.subname`;
}

export async function readSubscriptions(client: pg.Client, serverVersionNum: number): Promise<SubscriptionReading[]> {
  const { rows } = await client.query<Record<string, unknown>>(subscriptionsSql(serverVersionNum));
  return rows.map((r) => ({
    name: String(r['name']),
    database: String(r['database']),
    slotName: typeof r['slot_name'] === 'string' ? r['slot_name'] : null,
    enabled: r['enabled'] === true,
    receivedLsn: typeof r['received_lsn'] === 'string' ? parseLsn(r['received_lsn']) : null,
  }));
}

/** What the exporter knows of another watched server, enough to find a subscription's publisher. */
export interface PublisherCandidate {
  server: string;
  currentLsn: Lsn | null;
  slots: readonly SlotView[];
}

export interface SubscriptionLag {
  subscription: string;
  database: string;
  publisher: string;
  bytes: number;
}

/**
 * How far each subscription is behind its publisher's WAL, when the publisher is watched too: the
 * publisher is the one other server with a logical slot of the subscription's slot name that is
 * either idle or consumed under the subscription's name (the apply worker's application_name). A
 * running worker is measured by what it received (publisher's current position − received_lsn,
 * never below 0: the two servers are read a moment apart); a stopped one by the slot's
 * confirmed_flush_lsn. No publisher, or more than one candidate: no value (never a guess).
 */
export function subscriptionLags(
  subscriber: string,
  subs: readonly SubscriptionReading[],
  others: readonly PublisherCandidate[],
): SubscriptionLag[] {
  const out: SubscriptionLag[] = [];
  for (const sub of subs) {
    if (sub.slotName === null) continue;
    const matches = others.flatMap((p) =>
      p.server === subscriber
        ? []
        : p.slots
            .filter(
              (s) => s.slotType === 'logical' && s.name === sub.slotName && (!s.active || s.consumer === sub.name),
            )
            .map((slot) => ({ p, slot })),
    );
    if (matches.length !== 1) continue;
    const { p, slot } = matches[0]!;
    let bytes: number | null = null;
    if (sub.receivedLsn !== null && p.currentLsn !== null) {
      const d = p.currentLsn - sub.receivedLsn;
      bytes = Number(d > 0n ? d : 0n);
    } else if (slot.pendingBytes !== null) {
      bytes = Math.max(0, slot.pendingBytes);
    }
    if (bytes !== null) out.push({ subscription: sub.name, database: sub.database, publisher: p.server, bytes });
  }
  return out;
}
