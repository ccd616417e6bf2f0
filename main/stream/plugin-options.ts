import { WalscopeError } from '../../shared/errors';
import { pgoutputOptions } from '../protocol/pgoutput-options';
import type { ReplicationConnection } from './replication-connection';

export interface ResolvedPluginOptions {
  /** Sent in START_REPLICATION. */
  wire: Record<string, string>;
  /** What the decoder needs to know about them. */
  decoder: { protoVersion?: number; binary?: boolean };
}

/**
 * Plugin options for START_REPLICATION: pgoutput gets the highest protocol the server speaks (or
 * the one asked for) with messages on and streaming as far as that protocol allows, then the
 * user's overrides, checked before START_REPLICATION (protocol/pgoutput-options.ts). Publications
 * are checked up front: pgoutput only fails on them at the first change, which would look like a
 * mid-stream failure.
 */
export async function pluginOptionsFor(
  conn: ReplicationConnection,
  plugin: string,
  opts: { publications?: string[]; pluginOptions?: Record<string, string> },
): Promise<ResolvedPluginOptions> {
  const overrides = opts.pluginOptions ?? {};
  if (plugin !== 'pgoutput') return { wire: { ...overrides }, decoder: {} };

  const publications = opts.publications ?? [];
  const wire = pgoutputOptions(conn.serverVersionNum, publications, overrides);
  const existing = (await conn.run('SELECT pubname FROM pg_publication ORDER BY 1')).rows.map((r) => String(r[0]));
  if (publications.length === 0 && !('publication_names' in overrides)) {
    throw new WalscopeError({
      code: 'INVALID_ARGUMENT',
      message: 'pgoutput needs a publication to know which tables to send',
      hint: existing.length
        ? `Name one with --publication (this database has: ${names(existing)}), or use --plugin test_decoding.`
        : 'This database has no publication: CREATE PUBLICATION … FOR ALL TABLES, or use --plugin test_decoding.',
    });
  }
  const missing = publications.filter((p) => !existing.includes(p));
  if (missing.length) {
    throw new WalscopeError({
      code: 'INVALID_ARGUMENT',
      message: `publication ${names(missing)} does not exist`,
      hint: existing.length ? `This database has: ${names(existing)}.` : 'This database has no publication.',
    });
  }
  return {
    wire,
    decoder: {
      protoVersion: Number(wire['proto_version'] ?? '1'),
      binary: /^(true|on)$/i.test(wire['binary'] ?? ''),
    },
  };
}

/** Publication names quoted, since a name may contain a comma or a space. */
function names(list: readonly string[]): string {
  return list.map((n) => JSON.stringify(n)).join(', ');
}
