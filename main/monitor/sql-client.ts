import pg from 'pg';
import { connectWithSslFallback, type WalscopeClientConfig } from '../connection/pg-config';
import { toWalscopeError } from '../stream/pg-errors';

/**
 * A plain SQL session. Catalog polling uses a read-only one (default_transaction_read_only) so an
 * inspector cannot write by mistake; every statement is bounded by statement_timeout so a lock or
 * a slow catalog never hangs the app. Slot operations open a short-lived writable session.
 */
export async function openSqlClient(
  config: WalscopeClientConfig,
  opts: {
    readOnly?: boolean;
    statementTimeoutMs?: number;
    signal?: AbortSignal;
    /** First reads that belong to connecting: bounded by the connect timeout, cancelled by `signal`. */
    init?: (client: pg.Client) => Promise<void>;
  } = {},
): Promise<pg.Client> {
  const readOnly = opts.readOnly ?? true;
  const { replication: _replication, ...plain } = config as WalscopeClientConfig & { replication?: unknown };
  try {
    return await connectWithSslFallback(
      (c) => {
        const client = new pg.Client(c);
        client.on('error', () => undefined);
        return client;
      },
      {
        ...plain,
        options: `-c default_transaction_read_only=${readOnly ? 'on' : 'off'} -c statement_timeout=${opts.statementTimeoutMs ?? 10_000}`,
      },
      { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.init ? { init: opts.init } : {}) },
    );
  } catch (err) {
    throw toWalscopeError(err);
  }
}

/** Runs `fn` with a short-lived writable session, always closed afterwards. */
export async function withWriteSession<T>(config: WalscopeClientConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await openSqlClient(config, { readOnly: false });
  try {
    return await fn(client);
  } catch (err) {
    throw toWalscopeError(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}
