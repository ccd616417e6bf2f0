import fs from 'node:fs';
import path from 'node:path';
import type { ConnectTarget, RecentConnection, RecentTarget } from '../../shared/contract';
import { parseConnectionString } from '../connection';

/** How many servers the recent list keeps. */
export const RECENT_MAX = 10;

/**
 * The last servers connected, newest first, in the user data dir (`recent.json`, 0600). No
 * password is ever written: a typed password is not part of what is kept, and a DSN is stored
 * re-written without its password keyword (libpq then finds it in ~/.pgpass or PGPASSWORD, or
 * connecting asks again). Without a file (tests, no user data dir) the list lives in memory.
 */
export class RecentConnections {
  private memory: RecentConnection[] = [];

  constructor(
    private readonly file: string | undefined,
    private readonly max = RECENT_MAX,
  ) {}

  list(): RecentConnection[] {
    if (!this.file) return this.memory;
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown;
      return Array.isArray(parsed) ? (parsed as RecentConnection[]) : [];
    } catch {
      return [];
    }
  }

  /** Puts `target` first (once), keeping at most `max`; the demo and unparsable DSNs are not kept. */
  record(target: ConnectTarget, label: string, at = Date.now()): void {
    const kept = recentTargetOf(target);
    if (!kept) return;
    const key = JSON.stringify(kept);
    const next = [{ target: kept, label, at }, ...this.list().filter((r) => JSON.stringify(r.target) !== key)];
    this.write(next.slice(0, this.max));
  }

  private write(all: RecentConnection[]): void {
    if (!this.file) {
      this.memory = all;
      return;
    }
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}

/** What the recent list keeps of a connect target: the same target without any password. */
export function recentTargetOf(target: ConnectTarget): RecentTarget | null {
  switch (target.kind) {
    case 'dsn': {
      const dsn = dsnWithoutPassword(target.dsn);
      return dsn ? { kind: 'dsn', dsn } : null;
    }
    case 'fields': {
      const { password: _password, ...fields } = target.fields;
      return { kind: 'fields', fields };
    }
    case 'profile':
      return { kind: 'profile', profileId: target.profileId };
    case 'service':
      return { kind: 'service', service: target.service };
    case 'demo':
    case 'demoSubscriber':
    case 'demoStandby':
      return null;
    default: {
      const never: never = target;
      throw new Error(`unknown connect target ${String(never)}`);
    }
  }
}

/**
 * The DSN as keyword=value pairs without `password` (URI or keywords in; both forms can carry
 * one). Null when it does not parse: nothing half-understood is written to disk.
 */
export function dsnWithoutPassword(dsn: string): string | null {
  let info;
  try {
    info = parseConnectionString(dsn);
  } catch {
    return null;
  }
  const parts = Object.entries(info)
    .filter(([key]) => key !== 'password')
    .map(([key, value]) => `${key}=${quoteValue(value)}`);
  return parts.length ? parts.join(' ') : null;
}

/** libpq's keyword value quoting: single quotes, with \ and ' escaped by a backslash. */
function quoteValue(value: string): string {
  if (value !== '' && /^[^\s'\\]+$/.test(value)) return value;
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
