import type pg from 'pg';
import type { DecodingStats, PublicationView, PublishedTable } from '../../shared/contract/logical';
import { DECODING_STATS_SQL, publicationsSql, publicationTablesSql } from './logical-sql';
import type { RateTracker } from './rates';

type Row = Record<string, unknown>;
type Cell = string | number | boolean | null;

export function cellOf(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

export function numOf(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

const IDENTITY = { d: 'default', n: 'nothing', f: 'full', i: 'index' } as const;

/**
 * Why UPDATE/DELETE of this table would fail on the publisher ("cannot update table … because it
 * does not have a replica identity and publishes updates") and so never reach the subscriber.
 * https://www.postgresql.org/docs/current/logical-replication-publication.html
 */
export function identityProblem(
  publishes: { update: boolean; delete: boolean },
  t: { replicaIdentity: PublishedTable['replicaIdentity']; hasPrimaryKey: boolean; hasIdentityIndex: boolean },
): string | null {
  const ops = [publishes.update && 'UPDATE', publishes.delete && 'DELETE'].filter(Boolean).join('/');
  if (!ops) return null;
  switch (t.replicaIdentity) {
    case 'full':
      return null;
    case 'default':
      return t.hasPrimaryKey
        ? null
        : `${ops} published but no primary key and REPLICA IDENTITY DEFAULT: add a primary key or set REPLICA IDENTITY FULL/USING INDEX`;
    case 'index':
      return t.hasIdentityIndex ? null : `${ops} published but the REPLICA IDENTITY index is gone`;
    case 'nothing':
      return `${ops} published but REPLICA IDENTITY NOTHING: ${ops} of this table fail on the publisher`;
    default: {
      const never: never = t.replicaIdentity;
      return never;
    }
  }
}

export async function readPublications(client: pg.Client, v: number, notes: string[]): Promise<PublicationView[]> {
  const pubs = (await client.query<{ row: Row; owner: string; schemas: string[] }>(publicationsSql(v))).rows;
  const tables = (await client.query<Row>(publicationTablesSql(v))).rows;
  if (v < 150000) notes.push('publication column lists, row filters and TABLES IN SCHEMA: not on this version (15+)');
  if (v < 130000) notes.push('publish_via_partition_root: not on this version (13+)');
  if (v < 180000) notes.push('publish_generated_columns: not on this version (18+)');
  return pubs.map(({ row, owner, schemas }) => {
    const publishes = { update: row['pubupdate'] === true, delete: row['pubdelete'] === true };
    const columns: Record<string, Cell> = {};
    for (const [k, val] of Object.entries(row)) columns[k] = cellOf(val);
    const gen = row['pubgencols'];
    return {
      name: String(row['pubname']),
      owner,
      allTables: row['puballtables'] === true,
      schemas: schemas ?? [],
      insert: row['pubinsert'] === true,
      update: publishes.update,
      delete: publishes.delete,
      truncate: row['pubtruncate'] === true,
      viaRoot: typeof row['pubviaroot'] === 'boolean' ? row['pubviaroot'] : null,
      generatedColumns:
        gen === undefined
          ? null
          : gen === 's'
            ? 'stored'
            : gen === 'n'
              ? 'none'
              : typeof gen === 'boolean'
                ? gen
                  ? 'stored'
                  : 'none'
                : String(gen),
      columns,
      tables: tables
        .filter((t) => t['pubname'] === row['pubname'])
        .map((t) => {
          const replicaIdentity = IDENTITY[String(t['relreplident']) as keyof typeof IDENTITY] ?? 'default';
          const hasPrimaryKey = t['has_pk'] === true;
          return {
            schema: String(t['schemaname']),
            table: String(t['tablename']),
            columns: Array.isArray(t['attnames']) ? (t['attnames'] as string[]) : null,
            rowFilter: typeof t['rowfilter'] === 'string' ? t['rowfilter'] : null,
            replicaIdentity,
            hasPrimaryKey,
            identityProblem: identityProblem(publishes, {
              replicaIdentity,
              hasPrimaryKey,
              hasIdentityIndex: t['has_identity_index'] === true,
            }),
          };
        }),
    };
  });
}

/** A slot spilling in more than this share of its decoded transactions gets the hint. */
const SPILL_SHARE = 0.1;

export async function readDecodingStats(
  client: pg.Client,
  v: number,
  rates: RateTracker,
  at: number,
  workMem: string | null,
  notes: string[],
): Promise<DecodingStats[] | null> {
  if (v < 140000) {
    notes.push('decoding statistics (pg_stat_replication_slots): not on this version (14+)');
    return null;
  }
  const rows = (await client.query<{ row: Row }>(DECODING_STATS_SQL)).rows;
  return rows.map(({ row }) => {
    const slot = String(row['slot_name']);
    const n = (k: string): number => numOf(row[k]);
    const r = (k: string): number | null => rates.rate(`decoding:${slot}:${k}`, n(k), at);
    const spillTxns = n('spill_txns');
    const totalTxns = n('total_txns');
    const spilling = spillTxns > 0 && (totalTxns === 0 || spillTxns / totalTxns >= SPILL_SHARE);
    return {
      slot,
      spillTxns,
      spillCount: n('spill_count'),
      spillBytes: n('spill_bytes'),
      streamTxns: n('stream_txns'),
      streamCount: n('stream_count'),
      streamBytes: n('stream_bytes'),
      totalTxns,
      totalBytes: n('total_bytes'),
      rates: {
        spillTxns: r('spill_txns'),
        spillBytes: r('spill_bytes'),
        streamTxns: r('stream_txns'),
        streamBytes: r('stream_bytes'),
        totalTxns: r('total_txns'),
        totalBytes: r('total_bytes'),
      },
      statsReset: typeof row['stats_reset'] === 'string' ? row['stats_reset'] : null,
      spillHint: spilling
        ? `${spillTxns} of ${totalTxns} decoded transactions spilled to disk: raise logical_decoding_work_mem (now ${workMem ?? 'unknown'}) or enable streaming on the subscription`
        : null,
    };
  });
}
