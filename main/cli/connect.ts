import pg from 'pg';
import {
  connectWithSslFallback,
  resolveConnectionSettings,
  toPgClientConfig,
  type ConnectionSettings,
} from '../connection';
import { toWalscopeError } from '../session/pg-errors';
import { ReplicationConnection, type ReplicationKind } from '../session/replication-connection';
import { APP_VERSION } from '../version';

/** Connection settings from --dsn, then the usual libpq sources (service file, PG* variables, pgpass). */
export function settingsFrom(dsn: string | undefined, env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  return resolveConnectionSettings(
    { ...(dsn !== undefined ? { dsn } : {}), applicationName: `walscope/${APP_VERSION}` },
    env,
  );
}

export function replicationConfig(settings: ConnectionSettings): pg.ClientConfig {
  return toPgClientConfig(settings, { replication: 'database' });
}

export async function openReplication(
  settings: ConnectionSettings,
  kind: ReplicationKind = 'database',
): Promise<ReplicationConnection> {
  return ReplicationConnection.open(toPgClientConfig(settings, { replication: kind }), kind);
}

/**
 * A plain SQL session for catalog reads: read-only by default and every statement bounded by a
 * timeout, so an inspector cannot write by mistake or hang on a lock.
 */
export async function openSqlSession(
  settings: ConnectionSettings,
  opts: { readOnly?: boolean; statementTimeoutMs?: number } = {},
): Promise<pg.Client> {
  const readOnly = opts.readOnly ?? true;
  const config = toPgClientConfig(settings);
  try {
    return await connectWithSslFallback(
      (c) => {
        const client = new pg.Client(c);
        client.on('error', () => undefined);
        return client;
      },
      {
        ...config,
        options: `-c default_transaction_read_only=${readOnly ? 'on' : 'off'} -c statement_timeout=${opts.statementTimeoutMs ?? 10_000}`,
      },
    );
  } catch (err) {
    throw toWalscopeError(err);
  }
}
