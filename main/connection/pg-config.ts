import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
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

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

function notPem(what: string, file: string, detail: string): WalscopeError {
  return new WalscopeError({
    code: 'INVALID_ARGUMENT',
    message: `${what} ${file} is not usable: ${detail}`,
    hint: 'Give a PEM file (text starting with -----BEGIN …-----); convert DER with: openssl x509 -inform der -in FILE -out FILE.pem (certificates) or openssl pkey -inform der -in FILE -out FILE.pem (keys).',
  });
}

/**
 * A certificate file (root or client) checked before use: Node accepts non-PEM text as a CA list
 * without a word and fails later, deep in the TLS upgrade, with an OpenSSL message that would
 * reach the user as INTERNAL. Every certificate in the file must parse.
 */
function readCertificates(file: string, what: string): string {
  const text = readFile(file, what);
  const blocks = text.match(CERTIFICATE_BLOCK);
  if (!blocks) throw notPem(what, file, 'no PEM certificate in it');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (e) {
      throw notPem(what, file, `a certificate in it does not parse (${(e as Error).message})`);
    }
  }
  return text;
}

function readPrivateKey(file: string, what: string): string {
  const text = readFile(file, what);
  try {
    createPrivateKey(text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MISSING_PASSPHRASE') {
      throw new WalscopeError({
        code: 'INVALID_ARGUMENT',
        message: `${what} ${file} is encrypted`,
        hint: 'WALscope does not read sslpassword: decrypt the key (openssl pkey -in FILE -out FILE.plain) and keep it readable only by you.',
      });
    }
    throw notPem(what, file, 'not a PEM private key');
  }
  return text;
}

/** The TLS half of toPgClientConfig: what each sslmode asks of the handshake (listed there). */
function sslConfig(s: ConnectionSettings): Pick<WalscopeClientConfig, 'ssl' | 'sslFallback'> {
  const tls: ConnectionOptions = {};
  if (s.sslcert) tls.cert = readCertificates(s.sslcert, 'client certificate (sslcert)');
  if (s.sslkey) tls.key = readPrivateKey(s.sslkey, 'client key (sslkey)');
  const ca =
    s.sslrootcert && s.sslrootcert !== 'system'
      ? readCertificates(s.sslrootcert, 'root certificate (sslrootcert)')
      : undefined;
  switch (s.sslmode) {
    case 'disable':
    case 'allow':
      return { ssl: false };
    case 'prefer':
      return { ssl: { ...tls, rejectUnauthorized: false }, sslFallback: true };
    case 'require':
      return {
        ssl: ca
          ? { ...tls, ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }
          : { ...tls, rejectUnauthorized: false },
      };
    case 'verify-ca':
      return { ssl: { ...tls, ...(ca ? { ca } : {}), rejectUnauthorized: true, checkServerIdentity: () => undefined } };
    case 'verify-full':
      return {
        ssl: {
          ...tls,
          ...(ca ? { ca } : {}),
          rejectUnauthorized: true,
          // SNI carries host names only (RFC 6066; Node warns, DEP0123, when given an IP). The
          // certificate is checked against the host we were given either way: an IP address
          // against the certificate's IP SANs, a name against its DNS SANs.
          ...(isIP(s.host) ? {} : { servername: s.host }),
          checkServerIdentity: (_servername, cert) => checkServerIdentity(s.host, cert),
        },
      };
    default:
      return unreachable(s.sslmode, 'sslmode');
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
  // Unset: connectWithSslFallback applies WALscope's default bound; 0: no bound (libpq's 0).
  if (s.connectTimeoutSec !== undefined) config.connectionTimeoutMillis = s.connectTimeoutSec * 1000;
  if (opts.replication) {
    (config as Record<string, unknown>)['replication'] = opts.replication === 'database' ? 'database' : true;
  }
  Object.assign(config, sslConfig(s));
  return config;
}

export { connectWithSslFallback, DEFAULT_CONNECT_TIMEOUT_MS, type ConnectOptions } from './open-client';
