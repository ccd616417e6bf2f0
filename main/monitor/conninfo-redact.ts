/**
 * A subscription's or WAL receiver's connection string, shown without its password. Both libpq
 * forms: key=value (password=secret, password='a b c', with \' escapes) and URI
 * (postgres://user:secret@host/db?password=secret). What cannot be parsed is not shown at all:
 * a half-parsed string could leak the secret.
 * https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING
 */
export const REDACTED = '********';

export function redactConninfo(conninfo: string): string | null {
  const s = conninfo.trim();
  if (/^postgres(ql)?:\/\//i.test(s)) return redactUri(s);
  return redactKeywords(s);
}

function redactUri(uri: string): string | null {
  const m = /^(postgres(?:ql)?:\/\/)([^/?#]*)(.*)$/i.exec(uri);
  if (!m) return null;
  let authority = m[2]!;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) authority = `${userinfo.slice(0, colon)}:${REDACTED}${authority.slice(at)}`;
  }
  const rest = m[3]!.replace(/([?&]password=)[^&#]*/gi, `$1${REDACTED}`);
  return `${m[1]}${authority}${rest}`;
}

/** Tokenizes key = value pairs as libpq does; returns null on malformed input (e.g. an open quote). */
function redactKeywords(s: string): string | null {
  const out: string[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  for (;;) {
    skipSpace();
    if (i >= s.length) break;
    const keyStart = i;
    while (i < s.length && s[i] !== '=' && !/\s/.test(s[i]!)) i++;
    const key = s.slice(keyStart, i);
    skipSpace();
    if (s[i] !== '=' || !key) return null;
    i++;
    skipSpace();
    let value = '';
    if (s[i] === "'") {
      i++;
      let closed = false;
      while (i < s.length) {
        const c = s[i]!;
        if (c === '\\' && i + 1 < s.length) {
          value += s[i + 1];
          i += 2;
        } else if (c === "'") {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) return null;
    } else {
      while (i < s.length && !/\s/.test(s[i]!)) {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        value += s[i];
        i++;
      }
    }
    out.push(`${key}=${key.toLowerCase() === 'password' ? REDACTED : quote(value)}`);
  }
  return out.join(' ');
}

function quote(v: string): string {
  return v === '' || /[\s'\\]/.test(v) ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : v;
}
