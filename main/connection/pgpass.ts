import fs from 'node:fs';

/**
 * ~/.pgpass lookup with libpq's rules: `hostname:port:database:username:password`, `*` matches
 * anything, `\:` and `\\` escape, first match wins, and the file is ignored when group or others
 * can read it. https://www.postgresql.org/docs/current/libpq-pgpass.html
 */
function splitFields(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
    } else if (ch === ':' && fields.length < 4) {
      fields.push(cur);
      cur = '';
    } else cur += ch;
  }
  fields.push(cur);
  return fields;
}

export interface PgpassLookup {
  password?: string;
  warning?: string;
}

export function lookupPgpass(
  file: string,
  want: { host: string; port: number; database: string; user: string },
): PgpassLookup {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return {};
  }
  if (!stat.isFile()) return {};
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    return { warning: `password file ${file} has group or world access; permissions should be u=rw (0600) or less` };
  }
  const host = want.host.startsWith('/') ? 'localhost' : want.host;
  for (const raw of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (!raw || raw.startsWith('#')) continue;
    const f = splitFields(raw);
    if (f.length < 5) continue;
    const match = (pattern: string, value: string): boolean => pattern === '*' || pattern === value;
    if (
      match(f[0]!, host) &&
      match(f[1]!, String(want.port)) &&
      match(f[2]!, want.database) &&
      match(f[3]!, want.user)
    ) {
      return { password: f[4]! };
    }
  }
  return {};
}
