import { WalscopeError } from '../../shared/errors';

/**
 * Parses a libpq connection string, URI form (postgres[ql]://user:pw@host:port/db?k=v) or
 * keyword/value form (host=h port=5432 password='a b'), into libpq keywords.
 * https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING
 */
export type Conninfo = Record<string, string>;

/**
 * Messages about a malformed string never quote it: where the syntax breaks is often inside a
 * password (an unquoted space, an unescaped "&" or "/"), so they give a position or a parameter
 * number instead.
 */
function invalid(message: string, hint = FORMS_HINT): WalscopeError {
  return new WalscopeError({ code: 'INVALID_ARGUMENT', message, hint });
}

const FORMS_HINT = 'Use postgres://user@host:5432/dbname?sslmode=require or host=… port=… dbname=… user=…';
const QUOTE_HINT = "Quote a value that holds spaces or quotes: password='a b\\'c'. " + FORMS_HINT;
const PERCENT_HINT =
  'Percent-encode reserved characters in the user name, password and parameter values (/ as %2F, ? as %3F, # as %23, @ as %40, & as %26, space as %20).';

function decode(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw invalid(`invalid percent-encoding in the connection URI ${what}`);
  }
}

function parseUri(uri: string): Conninfo {
  const m = /^postgres(?:ql)?:\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/.exec(uri);
  if (!m) throw invalid('malformed connection URI');
  const out: Conninfo = {};
  let authority = m[1]!;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    if (user) out['user'] = decode(user, 'user');
    if (colon >= 0) out['password'] = decode(userinfo.slice(colon + 1), 'password');
  }
  // Several hosts (failover lists) are allowed by libpq; WALscope inspects one server: the first.
  const first = authority.split(',')[0] ?? '';
  if (first) {
    let host: string;
    let port: string | undefined;
    if (first.startsWith('[')) {
      const close = first.indexOf(']');
      if (close < 0) throw invalid('unterminated IPv6 address in the connection URI');
      host = first.slice(1, close);
      const rest = first.slice(close + 1);
      if (rest && !rest.startsWith(':')) throw invalid('unexpected text after the IPv6 address in the connection URI');
      port = rest ? rest.slice(1) : undefined;
    } else {
      const colon = first.lastIndexOf(':');
      host = colon >= 0 ? first.slice(0, colon) : first;
      port = colon >= 0 ? first.slice(colon + 1) : undefined;
    }
    if (host) out['host'] = decode(host, 'host');
    if (port) out['port'] = port;
  }
  // An "@" after the host part means the user info was cut short: a password holding an unencoded
  // "/" (e.g. postgres://u:se/cret@h/db) would otherwise become part of the database name, and be
  // shown wherever the database is named.
  if (at < 0 && m[2]?.includes('@')) {
    throw invalid('the connection URI has an "@" after its host part', PERCENT_HINT);
  }
  if (m[2]) out['dbname'] = decode(m[2], 'database');
  const pairs = (m[3] ?? '').split('&');
  for (const [index, pair] of pairs.entries()) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw invalid(
        `malformed parameter ${index + 1} of the connection URI's query (expected key=value)`,
        PERCENT_HINT,
      );
    }
    const key = decode(pair.slice(0, eq), 'parameter');
    const value = decode(pair.slice(eq + 1).replace(/\+/g, ' '), 'parameter');
    // libpq accepts the JDBC-style ssl=true as sslmode=require.
    if (key === 'ssl' && value === 'true') out['sslmode'] = 'require';
    else out[key] = value;
  }
  return out;
}

function parseKeywordValue(s: string): Conninfo {
  const out: Conninfo = {};
  let i = 0;
  const n = s.length;
  const space = (): void => {
    while (i < n && /\s/.test(s[i]!)) i++;
  };
  for (;;) {
    space();
    if (i >= n) return out;
    const start = i;
    while (i < n && /[A-Za-z0-9_]/.test(s[i]!)) i++;
    const key = s.slice(start, i);
    if (!key) throw invalid(`malformed connection string at character ${start + 1}: expected a keyword`, QUOTE_HINT);
    space();
    if (s[i] !== '=') {
      throw invalid(`missing "=" after the keyword at character ${start + 1} of the connection string`, QUOTE_HINT);
    }
    i++;
    space();
    let value = '';
    if (s[i] === "'") {
      i++;
      for (;;) {
        if (i >= n) throw invalid('unterminated quoted value in the connection string');
        const ch = s[i]!;
        if (ch === '\\' && i + 1 < n) {
          value += s[i + 1];
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          value += ch;
          i++;
        }
      }
    } else {
      while (i < n && !/\s/.test(s[i]!)) {
        if (s[i] === '\\' && i + 1 < n) i++;
        value += s[i];
        i++;
      }
    }
    out[key] = value;
  }
}

export function parseConnectionString(dsn: string): Conninfo {
  const trimmed = dsn.trim();
  if (/^postgres(ql)?:\/\//.test(trimmed)) return parseUri(trimmed);
  if (/^[a-z]+:\/\//i.test(trimmed)) throw invalid('connection URIs start with postgres:// or postgresql://');
  return parseKeywordValue(trimmed);
}
