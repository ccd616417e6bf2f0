import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WalscopeError } from '../../shared/errors';
import { resolveConnectionSettings } from './settings';

/**
 * No message about a connection string may show any part of its password, however the string is
 * broken: an unquoted space or quote, an unescaped & / ? # @ in a URI, a stray backslash. Passwords
 * are drawn from letters no message uses plus the characters that break parsing, so any 3-character
 * piece of one (with a letter in it) found in a message came from the password.
 */
const PASSWORD_CHARS = [...'QXZJKVW', ...' &=/?#@:%+\\\'"'];
const password = fc
  .array(fc.constantFrom(...PASSWORD_CHARS), { minLength: 3, maxLength: 24 })
  .map((cs) => cs.join(''))
  .filter((p) => /[QXZJKVW]/.test(p));

const TEMPLATES: ((p: string) => string)[] = [
  (p) => `host=db.example user=u password=${p} dbname=d sslmode=require`,
  (p) => `password=${p} host=db.example port=5432`,
  (p) => `host=db.example password='${p}`,
  (p) => `host=db.example password=${p}`,
  (p) => `postgres://u:${p}@db.example:5432/d?sslmode=require`,
  (p) => `postgresql://u:${p}@db.example/d`,
  (p) => `postgres://db.example/d?password=${p}&sslmode=require`,
  (p) => `postgres://db.example/d?sslmode=require&password=${p}&port=5432`,
  (p) => `postgres://u:${p}/x@db.example/d`,
];

/** Every 3-character piece of `secret` holding a letter (pieces of punctuation only, like "://",
 * also occur in the hints' own examples). */
function pieces(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 3 <= secret.length; i++) out.push(secret.slice(i, i + 3));
  return out.filter((piece) => /[QXZJKVW]/.test(piece));
}

function thrown(dsn: string): WalscopeError | undefined {
  try {
    resolveConnectionSettings({ dsn }, { PGPASSFILE: '/nonexistent' }, { home: '/nonexistent' });
    return undefined;
  } catch (e) {
    if (!(e instanceof WalscopeError)) throw e;
    return e;
  }
}

describe('messages about connection strings never show the password', () => {
  it('random passwords in malformed DSNs and URIs: no 3-character piece in any message or hint', () => {
    let failures = 0;
    fc.assert(
      fc.property(password, fc.constantFrom(...TEMPLATES), (p, template) => {
        const e = thrown(template(p));
        if (!e) return;
        failures++;
        const text = `${e.message}\n${e.hint ?? ''}`;
        for (const piece of pieces(p)) expect(text).not.toContain(piece);
      }),
      { numRuns: 3000 },
    );
    expect(failures).toBeGreaterThan(100); // the property ran on broken strings, not only valid ones
  });

  it('the classic cases fail with a position, not the text', () => {
    const space = thrown('host=h password=QXZ JKV dbname=d');
    expect(space?.message).toBe('missing "=" after the keyword at character 21 of the connection string');
    expect(space?.hint).toMatch(/Quote a value that holds spaces/);
    const amp = thrown('postgres://h/d?password=QXZ&JKV&sslmode=require');
    expect(amp?.message).toBe("malformed parameter 2 of the connection URI's query (expected key=value)");
    const slash = thrown('postgres://u:QX/ZJKV@h/d');
    expect(slash?.message).toBe('the connection URI has an "@" after its host part');
    const port = thrown('postgres://u:QXZ?JKV@h/d');
    expect(`${port?.message}`).not.toContain('QXZ');
  });

  it('values from variables, fields and service files are still quoted (they cannot hold a password)', () => {
    expect(() => resolveConnectionSettings({}, { PGPORT: 'abc' }, { home: '/nonexistent' })).toThrow(
      'invalid port "abc"',
    );
    expect(() =>
      resolveConnectionSettings({ overrides: { sslmode: 'sometimes' } }, {}, { home: '/nonexistent' }),
    ).toThrow('invalid sslmode "sometimes"');
    expect(() => resolveConnectionSettings({ dsn: 'sslmode=sometimes' }, {}, { home: '/nonexistent' })).toThrow(
      'invalid sslmode (in the connection string)',
    );
  });
});
