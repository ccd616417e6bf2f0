import type pg from 'pg';
import type { WalscopeClientConfig } from '../connection/pg-config';
import { openSqlClient } from '../monitor/sql-client';

/**
 * What a server call that can wait (CREATE_REPLICATION_SLOT waits for every transaction open when
 * it started, prepared ones included) is waiting for, read from a separate read-only SQL session:
 * the transaction-id lock the walsender waits on (pg_locks), and who holds it — a session
 * (pg_stat_activity.backend_xid) or a prepared transaction (pg_prepared_xacts).
 */
export interface BlockingTransaction {
  xid: string;
  /** Backend holding the transaction; null for a prepared transaction (it has no backend). */
  pid: number | null;
  /** Global identifier of a prepared transaction. */
  gid: string | null;
  /** Seconds since the transaction started (or was prepared), when the server can tell. */
  ageSeconds: number | null;
  /** pg_stat_activity.state of the holding session ('idle in transaction', …). */
  state: string | null;
}

export interface WaitReport {
  /** The server call that waits, e.g. CREATE_REPLICATION_SLOT. */
  command: string;
  /** The walsender's own backend PID. */
  pid: number;
  waitedMs: number;
  /** pg_stat_activity wait_event_type/wait_event of the walsender, e.g. Lock/transactionid. */
  waitEvent: string | null;
  blockers: BlockingTransaction[];
}

const BLOCKERS_SQL = `
  SELECT l.transactionid::text AS xid, a.pid, p.gid,
         extract(epoch FROM now() - coalesce(p.prepared, a.xact_start))::float8 AS age, a.state
    FROM pg_locks l
    LEFT JOIN pg_stat_activity a ON a.backend_xid = l.transactionid AND a.pid <> $1
    LEFT JOIN pg_prepared_xacts p ON p.transaction = l.transactionid
   WHERE l.pid = $1 AND l.locktype = 'transactionid' AND NOT l.granted`;

const WAIT_EVENT_SQL = `SELECT wait_event_type || '/' || wait_event AS ev FROM pg_stat_activity WHERE pid = $1`;

export async function readWait(client: pg.Client, pid: number): Promise<Omit<WaitReport, 'command' | 'waitedMs'>> {
  const ev = await client.query<{ ev: string | null }>(WAIT_EVENT_SQL, [pid]);
  const rows = await client.query<{
    xid: string;
    pid: number | null;
    gid: string | null;
    age: number | null;
    state: string | null;
  }>(BLOCKERS_SQL, [pid]);
  return {
    pid,
    waitEvent: ev.rows[0]?.ev ?? null,
    blockers: rows.rows.map((r) => ({
      xid: r.xid,
      pid: r.pid,
      gid: r.gid,
      ageSeconds: r.age === null ? null : Math.round(r.age),
      state: r.state,
    })),
  };
}

/** One line for a person: what waits, on which transaction, and what ends the wait. */
export function describeWait(w: WaitReport): string {
  const secs = Math.round(w.waitedMs / 1000);
  const head = `${w.command} has waited ${secs} s`;
  if (w.blockers.length === 0) return `${head}${w.waitEvent ? ` (${w.waitEvent})` : ''}`;
  const who = w.blockers.map((b) => {
    const age = b.ageSeconds !== null ? `${b.ageSeconds} s old` : null;
    if (b.gid !== null) return `prepared transaction '${b.gid}' (xid ${b.xid}${age ? `, ${age}` : ''})`;
    const details = [b.pid !== null ? `backend ${b.pid}` : null, b.state, age].filter((d) => d !== null);
    return `transaction ${b.xid}${details.length ? ` (${details.join(', ')})` : ''}`;
  });
  const prepared = w.blockers.some((b) => b.gid !== null);
  return `${head} for ${who.join('; ')} to end${prepared ? ' (COMMIT PREPARED or ROLLBACK PREPARED ends a prepared one)' : ''}`;
}

export interface WaitWatch {
  stop(): void;
}

/**
 * Reports, after `afterMs` and then every `everyMs`, what backend `pid` is waiting for, until
 * stopped. The SQL session opens only once the wait has lasted `afterMs` (a call that returns at
 * once costs nothing) and is closed by stop(). Failures to read are ignored: reporting is a courtesy,
 * never a reason for the call itself to fail.
 */
export function watchWait(
  config: WalscopeClientConfig,
  command: string,
  pid: number,
  onReport: (w: WaitReport) => void,
  opts: { afterMs?: number; everyMs?: number } = {},
): WaitWatch {
  const started = Date.now();
  let stopped = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    try {
      if (!client) {
        const opened = await openSqlClient(config, { readOnly: true, statementTimeoutMs: 5000 });
        if (stopped) return void opened.end().catch(() => undefined);
        client = opened;
      }
      const w = await readWait(client, pid);
      if (!stopped) onReport({ command, waitedMs: Date.now() - started, ...w });
    } catch {
      /* the next tick tries again */
    }
    if (!stopped) timer = setTimeout(() => void tick(), opts.everyMs ?? 5000);
  };
  timer = setTimeout(() => void tick(), opts.afterMs ?? 1000);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      void c?.end().catch(() => undefined);
    },
  };
}
