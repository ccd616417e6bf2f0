import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import { WalscopeError } from '../../shared/errors';
import { unreachable } from '../../shared/unreachable';
import type { ConnectionSettings } from './settings';

/** pg.ClientConfig plus whether a failed TLS negotiation may fall back to plain TCP (sslmode=prefer). */
export type WalscopeClientConfig = pg.ClientConfig & { sslFallback?: boolean };

function readFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new WalscopeError({
      code: 'INVALID_ARGUMENT',
      message: `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    });
  }
}

/**
 * libpq's sslmode in node-postgres terms. node-postgres on its own treats any ssl object as
 * verify-full unless told otherwise, so each mode is spelled out:
 * - disable / allow: plain TCP (allow's "TLS only if the server insists" is not expressible; we
 *   do not try TLS, matching allow's first attempt);
 * - prefer: TLS without verification, retried as plain TCP if the server has no TLS;
 * - require: TLS without verification — but with a root certificate given it verifies the
 *   chain, as libpq does (verify-ca);
 * - verify-ca: chain verified against sslrootcert, host name not checked;
 * - verify-full: chain and host name verified.
 * https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION
 */
export function toPgClientConfig(
  s: ConnectionSettings,
  opts: { replication?: 'database' | 'physical' } = {},
): WalscopeClientConfig {
  const config: WalscopeClientConfig = {
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.user,
    application_name: s.applicationName,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // SCRAM-SHA-256-PLUS when the server offers it over TLS (libpq's channel_binding=prefer).
    enableChannelBinding: s.channelBinding !== 'disable',
  };
  if (s.password !== undefined) config.password = s.password;
  if (s.connectTimeoutSec) config.connectionTimeoutMillis = s.connectTimeoutSec * 1000;
  if (opts.replication) {
    (config as Record<string, unknown>)['replication'] = opts.replication === 'database' ? 'database' : true;
  }
  const tls: ConnectionOptions = {};
  if (s.sslcert) tls.cert = readFile(s.sslcert, 'client certificate');
  if (s.sslkey) tls.key = readFile(s.sslkey, 'client key');
  const ca = s.sslrootcert && s.sslrootcert !== 'system' ? readFile(s.sslrootcert, 'root certificate') : undefined;
  switch (s.sslmode) {
    case 'disable':
    case 'allow':
      config.ssl = false;
      break;
    case 'prefer':
      config.ssl = { ...tls, rejectUnauthorized: false };
      config.sslFallback = true;
      break;
    case 'require':
      config.ssl = ca
        ? { ...tls, ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }
        : { ...tls, rejectUnauthorized: false };
      break;
    case 'verify-ca':
      config.ssl = { ...tls, ...(ca ? { ca } : {}), rejectUnauthorized: true, checkServerIdentity: () => undefined };
      break;
    case 'verify-full':
      config.ssl = { ...tls, ...(ca ? { ca } : {}), rejectUnauthorized: true, servername: s.host };
      break;
    default:
      unreachable(s.sslmode, 'sslmode');
  }
  return config;
}

/** Connects, retrying once without TLS when sslmode=prefer met a server without TLS. */
export async function connectWithSslFallback<C extends pg.Client>(
  make: (config: pg.ClientConfig) => C,
  config: WalscopeClientConfig,
): Promise<C> {
  const { sslFallback, ...rest } = config;
  const client = make(rest);
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    if (sslFallback && /does not support SSL/i.test(String((err as Error).message))) {
      const plain = make({ ...rest, ssl: false });
      await plain.connect();
      return plain;
    }
    throw err;
  }
}
