import fs from 'node:fs';
import { WalscopeError } from '../../shared/errors';
import type { Conninfo } from './conninfo';

/**
 * pg_service.conf lookup: INI sections named after services, keyword=value lines.
 * The per-user file (PGSERVICEFILE or ~/.pg_service.conf) wins over the system one
 * (PGSYSCONFDIR/pg_service.conf). https://www.postgresql.org/docs/current/libpq-pgservice.html
 */
function parseServiceFile(text: string): Map<string, Conninfo> {
  const services = new Map<string, Conninfo>();
  let current: Conninfo | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = {};
      services.set(section[1]!.trim(), current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0 && current) current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return services;
}

/** Each readable file's services, in lookup order (an unreadable file is skipped, as libpq does). */
function* readServiceFiles(files: string[]): Generator<{ file: string; services: Map<string, Conninfo> }> {
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    yield { file, services: parseServiceFile(text) };
  }
}

/** `described` replaces the quoted name in the message (a name from a connection string is not shown). */
export function lookupService(name: string, files: string[], described?: string): Conninfo {
  for (const { services } of readServiceFiles(files)) {
    const found = services.get(name);
    if (found) return found;
  }
  throw new WalscopeError({
    code: 'INVALID_ARGUMENT',
    message: `definition of service ${described ?? JSON.stringify(name)} not found`,
    hint: `Looked in: ${files.join(', ') || '(no service file)'}.`,
  });
}

/**
 * Every service section of `files` with the file it comes from; a name in several files is
 * listed once, from the first (the one lookupService would use). Unreadable files are skipped.
 */
export function listServices(files: string[]): { name: string; file: string }[] {
  const seen = new Map<string, string>();
  for (const { file, services } of readServiceFiles(files))
    for (const name of services.keys()) if (!seen.has(name)) seen.set(name, file);
  return [...seen].map(([name, file]) => ({ name, file }));
}
