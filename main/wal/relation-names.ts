import type { BlockRef } from './wal-record';

/** Runs one SQL query with parameters (a read-only SQL session). */
export type SqlQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

export type RelKey = Pick<BlockRef, 'tablespace' | 'database' | 'relfilenode'>;
export const relKeyText = (k: RelKey): string => `${k.tablespace}/${k.database}/${k.relfilenode}`;

/** A relation no one could name (not yet committed, dropped since): asked again after this long. */
const NEGATIVE_TTL_MS = 2_000;

// pg_filenode_relation wants 0 for the database's default tablespace.
const LOOKUP_SQL = `
SELECT k.spc::int8 AS spc, k.rel::int8 AS rel, format('%s.%s', n.nspname, c.relname) AS name
FROM unnest($1::oid[], $2::oid[]) AS k(spc, rel)
LEFT JOIN pg_class c ON c.oid = pg_filenode_relation(
  CASE WHEN k.spc = (SELECT dattablespace FROM pg_database WHERE oid = $3::oid) THEN 0 ELSE k.spc END, k.rel)
LEFT JOIN pg_namespace n ON n.oid = c.relnamespace`;

/**
 * (tablespace, database, relfilenode) → schema.table through the SQL session's
 * pg_filenode_relation, cached. Only the connected database's relations and shared catalogs
 * (database 0) can be named; others stay numeric. A rewrite (VACUUM FULL, TRUNCATE, CLUSTER)
 * gives a table a new relfilenode, which is simply a new key; a Storage CREATE for a key forgets
 * what was cached for it, since relfilenodes can be reused.
 */
export class RelationNames {
  private readonly cache = new Map<string, { name: string | null; at: number }>();

  constructor(
    private readonly query: SqlQuery,
    private readonly databaseOid: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached name: a string, null (cannot be named), or undefined (not looked up yet). */
  known(k: RelKey): string | null | undefined {
    if (!this.resolvable(k)) return null;
    const hit = this.cache.get(relKeyText(k));
    if (!hit) return undefined;
    if (hit.name === null && this.now() - hit.at > NEGATIVE_TTL_MS) return undefined;
    return hit.name;
  }

  resolvable(k: RelKey): boolean {
    return k.database === this.databaseOid || k.database === 0;
  }

  forget(k: RelKey): void {
    this.cache.delete(relKeyText(k));
  }

  /** Looks up every key not known yet, in one query. */
  async resolve(keys: readonly RelKey[]): Promise<void> {
    const todo = new Map<string, RelKey>();
    for (const k of keys) if (this.known(k) === undefined) todo.set(relKeyText(k), k);
    if (todo.size === 0) return;
    const list = [...todo.values()];
    const rows = await this.query(LOOKUP_SQL, [
      list.map((k) => k.tablespace),
      list.map((k) => k.relfilenode),
      this.databaseOid,
    ]);
    const at = this.now();
    const byKey = new Map(rows.map((r) => [`${String(r['spc'])}/${String(r['rel'])}`, r['name']]));
    for (const k of list) {
      const name = byKey.get(`${k.tablespace}/${k.relfilenode}`);
      this.cache.set(relKeyText(k), { name: typeof name === 'string' && name !== '.' ? name : null, at });
    }
  }
}
