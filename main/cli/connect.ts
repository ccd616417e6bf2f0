import pg from 'pg';
import { resolveConnectionSettings, toPgClientConfig, type ConnectionSettings } from '../connection';
import { openSqlClient as openSql } from '../monitor/sql-client';
import { ReplicationConnection, type ReplicationKind } from '../stream/replication-connection';
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

/** A read-only SQL session with a statement timeout, for catalog reads. */
export function openSqlClient(settings: ConnectionSettings): Promise<pg.Client> {
  return openSql(toPgClientConfig(settings));
}
