import { WalscopeError, type ErrorCode } from '../../shared/errors';

/**
 * Turns whatever `pg`, the socket or TLS threw into a WalscopeError with a stable code and a
 * sentence saying what to do. The server's own message is kept verbatim: a DBA trusts it.
 * SQLSTATEs: https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
interface PgLikeError {
  message?: unknown;
  code?: unknown;
  detail?: unknown;
  hint?: unknown;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

function classifySqlstate(state: string, message: string): { code: ErrorCode; hint?: string } {
  switch (state) {
    case '28P01':
    case '28000':
      return {
        code: 'AUTH',
        hint: 'Check the user name and password (or ~/.pgpass) and that pg_hba.conf allows this host and the replication database.',
      };
    case '42501':
      return {
        code: 'PRIVILEGE',
        hint: 'The role needs the REPLICATION attribute (ALTER ROLE … REPLICATION) or superuser, and pg_hba.conf must allow replication connections.',
      };
    case '42710':
      return { code: 'SLOT_EXISTS', hint: 'Pick another slot name, or inspect the existing slot instead.' };
    case '42704':
      return { code: 'SLOT_NOT_FOUND', hint: 'List the slots (walscope slots) and check the name.' };
    case '55006':
      return {
        code: 'SLOT_IN_USE',
        hint: 'Another consumer is attached to this slot. Inspect it through a temporary copy instead of attaching directly.',
      };
    case '53400':
    case '53300':
      return {
        code: 'SLOT_LIMIT',
        hint: 'The server ran out of replication slots or WAL senders: raise max_replication_slots / max_wal_senders or drop unused slots.',
      };
    case '42602':
    case '22023':
    case '42601':
      return { code: 'INVALID_ARGUMENT' };
    case '57014':
      return { code: 'CANCELLED' };
    case '57P01':
    case '57P02':
    case '57P03':
    case '08006':
    case '08003':
    case '08001':
    case '08004':
      return { code: 'CONNECTION', hint: 'The server is shutting down, restarting or unreachable; WALscope retries.' };
    case '0A000':
      return { code: 'UNSUPPORTED' };
    case '55000':
      if (/wal_level/i.test(message)) {
        return {
          code: 'WAL_LEVEL',
          hint: 'Set wal_level = logical in postgresql.conf and restart the server (logical decoding needs it).',
        };
      }
      return { code: 'SERVER' };
    default:
      return { code: 'SERVER' };
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'Connection refused: is the server running and listening on that host and port?',
  ENOTFOUND: 'Host name not found: check the host in the connection string.',
  EAI_AGAIN: 'Host name lookup failed: check the host and your DNS.',
  ETIMEDOUT: 'Connection timed out: check the host, port and firewalls.',
  ECONNRESET: 'The connection was reset.',
  EHOSTUNREACH: 'Host unreachable: check the host and your network.',
  ENETUNREACH: 'Network unreachable: check your network.',
  EPIPE: 'The connection was closed by the server.',
};

export function toWalscopeError(err: unknown, context?: string): WalscopeError {
  if (err instanceof WalscopeError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as PgLikeError;
  const raw = typeof e.message === 'string' && e.message.length > 0 ? e.message : String(err);
  const message = context ? `${context}: ${raw}` : raw;
  const code = typeof e.code === 'string' ? e.code : undefined;

  if (code && SQLSTATE.test(code) && !code.startsWith('E')) {
    const c = classifySqlstate(code, raw);
    const serverHint = typeof e.hint === 'string' ? e.hint : undefined;
    const detail = typeof e.detail === 'string' ? ` (${e.detail})` : '';
    const hint = [c.hint, serverHint].filter(Boolean).join(' ');
    return new WalscopeError(
      { code: c.code, message: message + detail, sqlstate: code, ...(hint ? { hint } : {}) },
      { cause: err },
    );
  }
  if (code && NETWORK_CODES[code]) {
    return new WalscopeError({ code: 'CONNECTION', message, hint: NETWORK_CODES[code] }, { cause: err });
  }
  if (/Connection terminated|connection.*(closed|ended)|socket hang up/i.test(raw)) {
    return new WalscopeError(
      { code: 'CONNECTION', message, hint: 'The server closed the connection; WALscope retries where it can.' },
      { cause: err },
    );
  }
  if (/timeout/i.test(raw)) {
    return new WalscopeError({ code: 'TIMEOUT', message }, { cause: err });
  }
  if (/SSL|TLS|certificate|self[- ]signed/i.test(raw) || (code && code.startsWith('ERR_TLS'))) {
    return new WalscopeError(
      {
        code: 'CONNECTION',
        message,
        hint: 'TLS failed: check sslmode, sslrootcert and that the server certificate matches the host name.',
      },
      { cause: err },
    );
  }
  if (/password authentication failed|SASL|SCRAM|no password/i.test(raw)) {
    return new WalscopeError(
      { code: 'AUTH', message, hint: 'Check the password (or ~/.pgpass, PGPASSWORD).' },
      { cause: err },
    );
  }
  return new WalscopeError({ code: 'INTERNAL', message }, { cause: err });
}

/** Errors after which retrying the same connection can succeed. */
export function isTransient(err: WalscopeError): boolean {
  return err.code === 'CONNECTION' || err.code === 'TIMEOUT' || err.code === 'SLOT_IN_USE';
}
