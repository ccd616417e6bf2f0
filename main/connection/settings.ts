import os from 'node:os';
import path from 'node:path';
import { WalscopeError } from '../../shared/errors';
import { parseConnectionString, type Conninfo } from './conninfo';
import { lookupPgpass } from './pgpass';
import { lookupService } from './service-file';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface ConnectionSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  sslmode: SslMode;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  /** SCRAM channel binding (SCRAM-SHA-256-PLUS over TLS): libpq's channel_binding. */
  channelBinding: 'disable' | 'prefer' | 'require';
  applicationName: string;
  connectTimeoutSec?: number;
  service?: string;
  /** Warnings to show the user (e.g. a .pgpass with loose permissions). Never secrets. */
  warnings: string[];
}

const ENV: Record<string, string> = {
  PGHOST: 'host',
  PGPORT: 'port',
  PGDATABASE: 'dbname',
  PGUSER: 'user',
  PGPASSWORD: 'password',
  PGSSLMODE: 'sslmode',
  PGSSLROOTCERT: 'sslrootcert',
  PGSSLCERT: 'sslcert',
  PGSSLKEY: 'sslkey',
  PGAPPNAME: 'application_name',
  PGCHANNELBINDING: 'channel_binding',
  PGCONNECT_TIMEOUT: 'connect_timeout',
  PGSERVICE: 'service',
};

export interface SettingsInput {
  dsn?: string;
  /** Explicit fields (from the UI); they win over everything else. */
  overrides?: Partial<Record<'host' | 'port' | 'dbname' | 'user' | 'password' | 'sslmode' | 'sslrootcert', string>>;
  applicationName?: string;
}

export interface SettingsFiles {
  home?: string;
}

function invalid(message: string, hint?: string): WalscopeError {
  return new WalscopeError({ code: 'INVALID_ARGUMENT', message, ...(hint ? { hint } : {}) });
}

/** The connection string's keywords, overridden by explicit non-empty fields; which keys came from the string. */
function explicitConninfo(input: SettingsInput): { explicit: Conninfo; fromDsn: Set<string> } {
  const explicit: Conninfo = { ...(input.dsn ? parseConnectionString(input.dsn) : {}) };
  const fromDsn = new Set(Object.keys(explicit));
  for (const [k, v] of Object.entries(input.overrides ?? {})) {
    if (v !== undefined && v !== '') {
      explicit[k] = v;
      fromDsn.delete(k);
    }
  }
  return { explicit, fromDsn };
}

function envConninfo(env: NodeJS.ProcessEnv): Conninfo {
  const fromEnv: Conninfo = {};
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') fromEnv[key] = v;
  }
  return fromEnv;
}

/** The service files libpq reads, in order: PGSERVICEFILE (or ~/.pg_service.conf), then PGSYSCONFDIR's. */
export function serviceFiles(env: NodeJS.ProcessEnv, home: string = env['HOME'] ?? os.homedir()): string[] {
  return [
    env['PGSERVICEFILE'] ?? path.join(home, '.pg_service.conf'),
    ...(env['PGSYSCONFDIR'] ? [path.join(env['PGSYSCONFDIR'], 'pg_service.conf')] : []),
  ];
}

/** The service's entry from the first service file that has it. */
function serviceConninfo(serviceName: string, env: NodeJS.ProcessEnv, home: string, inDsn: boolean): Conninfo {
  return lookupService(serviceName, serviceFiles(env, home), inDsn ? 'named in the connection string' : undefined);
}

/** port, sslmode and channel_binding checked; `shown` quotes a value in a message, or says where it was. */
function checkedTransport(merged: Conninfo, shown: (key: string) => string) {
  const port = Number(merged['port'] ?? '5432');
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw invalid(`invalid port${shown('port')}`, 'Use 1–65535.');
  const sslmode = (merged['sslmode'] ?? 'prefer') as SslMode;
  if (!SSL_MODES.includes(sslmode)) {
    throw invalid(`invalid sslmode${shown('sslmode')}`, `Use one of: ${SSL_MODES.join(', ')}.`);
  }
  const channelBinding = (merged['channel_binding'] ?? 'prefer') as ConnectionSettings['channelBinding'];
  if (!['disable', 'prefer', 'require'].includes(channelBinding)) {
    throw invalid(`invalid channel_binding${shown('channel_binding')}`, 'Use disable, prefer or require.');
  }
  if (channelBinding === 'require' && (sslmode === 'disable' || sslmode === 'allow')) {
    throw invalid('channel_binding=require needs TLS', 'Use sslmode=require, verify-ca or verify-full.');
  }
  return { port, sslmode, channelBinding };
}

/**
 * libpq's precedence: the connection string and explicit fields, then the service file entry
 * (from service= or PGSERVICE), then PG* environment variables, then defaults; the password from
 * ~/.pgpass (or PGPASSFILE) only when none was given.
 * https://www.postgresql.org/docs/current/libpq-envars.html
 */
export function resolveConnectionSettings(
  input: SettingsInput,
  env: NodeJS.ProcessEnv = process.env,
  files: SettingsFiles = {},
): ConnectionSettings {
  const home = files.home ?? env['HOME'] ?? os.homedir();
  const { explicit, fromDsn } = explicitConninfo(input);
  const fromEnv = envConninfo(env);
  const serviceName = explicit['service'] ?? fromEnv['service'];
  const fromService = serviceName ? serviceConninfo(serviceName, env, home, fromDsn.has('service')) : {};
  const merged: Conninfo = { ...fromEnv, ...fromService, ...explicit };
  // A value from a connection string is never quoted in a message: if the string was malformed, it
  // may hold part of the password. Values from fields, variables and service files are shown.
  const shown = (key: string): string =>
    fromDsn.has(key) ? ' (in the connection string)' : ` ${JSON.stringify(merged[key])}`;
  const user = merged['user'] ?? os.userInfo().username;
  const { port, sslmode, channelBinding } = checkedTransport(merged, shown);
  const settings: ConnectionSettings = {
    host: merged['host'] ?? 'localhost',
    port,
    database: merged['dbname'] ?? user,
    user,
    sslmode,
    channelBinding,
    applicationName: merged['application_name'] ?? input.applicationName ?? 'walscope',
    warnings: [],
  };
  if (merged['password'] !== undefined) settings.password = merged['password'];
  for (const k of ['sslrootcert', 'sslcert', 'sslkey'] as const) if (merged[k]) settings[k] = merged[k];
  if (merged['connect_timeout'] !== undefined)
    settings.connectTimeoutSec = parseConnectTimeout(merged['connect_timeout']);
  if (serviceName) settings.service = serviceName;
  if (settings.password === undefined) {
    const found = lookupPgpass(env['PGPASSFILE'] ?? path.join(home, '.pgpass'), settings);
    if (found.warning) settings.warnings.push(found.warning);
    if (found.password !== undefined) settings.password = found.password;
  }
  return settings;
}

/**
 * connect_timeout in seconds, read like libpq's pqParseIntParam (an integer, surrounding blanks
 * allowed; anything else is an error, not ignored). 0 waits indefinitely as in libpq; libpq takes
 * a negative value as 0, WALscope refuses it (it is a typo more often than a wish to wait forever).
 * Below 2 s libpq uses 2 s. https://www.postgresql.org/docs/current/libpq-connect.html
 */
export function parseConnectTimeout(text: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw invalid(
      `invalid integer value for connection option "connect_timeout"`,
      'Give connect_timeout a whole number of seconds (e.g. connect_timeout=10); 0 waits indefinitely.',
    );
  }
  const seconds = Number(trimmed);
  if (seconds < 0) {
    throw invalid(
      `invalid value for connection option "connect_timeout": it must not be negative`,
      'Give connect_timeout a whole number of seconds (e.g. connect_timeout=10); 0 waits indefinitely.',
    );
  }
  return seconds === 0 ? 0 : Math.max(2, seconds);
}

/** For logs and error messages: everything but the password. */
export function describeSettings(s: ConnectionSettings): string {
  return `host=${s.host} port=${s.port} dbname=${s.database} user=${s.user} sslmode=${s.sslmode}${s.service ? ` service=${s.service}` : ''}`;
}
