import { WalscopeError } from '../../shared/errors';
import { formatLsn, type Lsn } from '../../shared/lsn';

/**
 * SQL text of the replication commands, per server version. Replication connections accept only
 * the simple query protocol, so there are no bind parameters: identifiers are double-quoted and
 * values single-quoted here, and slot/plugin names are validated before they get this far.
 * https://www.postgresql.org/docs/current/protocol-replication.html
 * Grammar: src/backend/replication/repl_gram.y (new option-list syntax since 15).
 */
const SLOT_NAME_RE = /^[a-z0-9_]{1,63}$/;
const PLUGIN_RE = /^[a-z0-9_]{1,63}$/;
const OPTION_NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;

function invalid(message: string, hint?: string): WalscopeError {
  return new WalscopeError({ code: 'INVALID_ARGUMENT', message, ...(hint ? { hint } : {}) });
}

function unsupported(message: string, hint?: string): WalscopeError {
  return new WalscopeError({ code: 'UNSUPPORTED', message, ...(hint ? { hint } : {}) });
}

export function validateSlotName(name: string): string {
  if (!SLOT_NAME_RE.test(name)) {
    throw invalid(
      `invalid replication slot name ${JSON.stringify(name)}`,
      'Slot names use lower-case letters, digits and underscores, at most 63 characters.',
    );
  }
  return name;
}

function validatePlugin(plugin: string): string {
  if (!PLUGIN_RE.test(plugin)) throw invalid(`invalid output plugin name ${JSON.stringify(plugin)}`);
  return plugin;
}

function rejectNul(s: string, what: string): void {
  if (s.includes('\0')) throw invalid(`${what} contains a NUL character`);
}

export function quoteIdent(s: string): string {
  rejectNul(s, 'identifier');
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * A single-quoted literal with quotes doubled. The replication grammar knows no backslash escapes
 * (repl_scanner.l), and SQL sent on a walsender connection runs with the server's
 * standard_conforming_strings, on by default since 9.1; a value with a backslash is refused rather
 * than guessed at, since none of our values (slot, plugin, publication names, LSNs) needs one.
 */
export function quoteLiteral(s: string): string {
  rejectNul(s, 'literal');
  if (s.includes('\\')) throw invalid(`value ${JSON.stringify(s)} contains a backslash`);
  return `'${s.replace(/'/g, "''")}'`;
}

export interface CreateSlotOptions {
  name: string;
  kind: 'logical' | 'physical';
  plugin?: string;
  temporary?: boolean;
  twoPhase?: boolean;
  failover?: boolean;
  reserveWal?: boolean;
  snapshot?: 'export' | 'use' | 'nothing';
}

export function createReplicationSlotSql(o: CreateSlotOptions, serverVersionNum: number): string {
  const name = validateSlotName(o.name);
  const ident = quoteIdent(name);
  const temp = o.temporary ? ' TEMPORARY' : '';
  if (o.kind === 'physical') {
    if (o.plugin || o.twoPhase || o.failover) throw invalid('plugin, two-phase and failover apply to logical slots');
    if (serverVersionNum >= 150000) {
      return `CREATE_REPLICATION_SLOT ${ident}${temp} PHYSICAL${o.reserveWal ? ' (RESERVE_WAL true)' : ''}`;
    }
    return `CREATE_REPLICATION_SLOT ${ident}${temp} PHYSICAL${o.reserveWal ? ' RESERVE_WAL' : ''}`;
  }
  if (!o.plugin) throw invalid('a logical slot needs an output plugin');
  const plugin = validatePlugin(o.plugin);
  if (o.failover && serverVersionNum < 170000) {
    throw unsupported(
      'failover slots need PostgreSQL 17 or later',
      'Before 17 a logical slot is not synchronized to standbys; create it without failover.',
    );
  }
  if (o.twoPhase && serverVersionNum < 140000) {
    throw unsupported(
      'two-phase slots need PostgreSQL 14 or later',
      'This server decodes a prepared transaction only at COMMIT PREPARED; create the slot without two-phase.',
    );
  }
  if (serverVersionNum >= 150000) {
    const opts: string[] = [];
    if (o.twoPhase) opts.push('TWO_PHASE true');
    if (o.failover) opts.push('FAILOVER true');
    if (o.snapshot) opts.push(`SNAPSHOT '${o.snapshot}'`);
    return `CREATE_REPLICATION_SLOT ${ident}${temp} LOGICAL ${quoteIdent(plugin)}${opts.length ? ` (${opts.join(', ')})` : ''}`;
  }
  if (o.twoPhase) return twoPhaseSlotSql14(name, plugin, o);
  // Before 15 the grammar takes one bare keyword after the plugin: the snapshot action.
  const action = { nothing: ' NOEXPORT_SNAPSHOT', use: ' USE_SNAPSHOT', export: ' EXPORT_SNAPSHOT' } as const;
  return `CREATE_REPLICATION_SLOT ${ident}${temp} LOGICAL ${quoteIdent(plugin)}${o.snapshot ? action[o.snapshot] : ''}`;
}

/**
 * PostgreSQL 14 decodes prepared transactions, but its replication grammar has no TWO_PHASE
 * keyword (CREATE_REPLICATION_SLOT takes it from 15): the SQL function takes it as its fourth
 * argument, `twophase`. A walsender on a database connection runs SQL, and a temporary slot made
 * this way belongs to the session like one made by the command. The columns are named as in the
 * command's result, so one parser reads both; the function exports no snapshot.
 * https://www.postgresql.org/docs/14/functions-admin.html#FUNCTIONS-REPLICATION
 */
function twoPhaseSlotSql14(name: string, plugin: string, o: CreateSlotOptions): string {
  if (o.snapshot === 'export' || o.snapshot === 'use') {
    throw unsupported(
      'on PostgreSQL 14 a two-phase slot cannot export or use a snapshot',
      'Create it without a snapshot, or on PostgreSQL 15 or later.',
    );
  }
  return (
    `SELECT slot_name::text AS slot_name, lsn::text AS consistent_point, NULL::text AS snapshot_name, ` +
    `${quoteLiteral(plugin)}::text AS output_plugin FROM pg_create_logical_replication_slot(` +
    `${quoteLiteral(name)}, ${quoteLiteral(plugin)}, ${o.temporary ? 'true' : 'false'}, true)`
  );
}

export function dropReplicationSlotSql(name: string, wait: boolean): string {
  return `DROP_REPLICATION_SLOT ${quoteIdent(validateSlotName(name))}${wait ? ' WAIT' : ''}`;
}

export function identifySystemSql(): string {
  return 'IDENTIFY_SYSTEM';
}

export function timelineHistorySql(timeline: number): string {
  if (!Number.isInteger(timeline) || timeline < 1 || timeline > 0xffffffff) {
    throw invalid(`invalid timeline ${timeline}`);
  }
  return `TIMELINE_HISTORY ${timeline}`;
}

export function readReplicationSlotSql(name: string, serverVersionNum: number): string {
  if (serverVersionNum < 150000) throw unsupported('READ_REPLICATION_SLOT needs PostgreSQL 15 or later');
  return `READ_REPLICATION_SLOT ${quoteIdent(validateSlotName(name))}`;
}

export function startLogicalReplicationSql(slot: string, start: Lsn, options: Record<string, string>): string {
  const opts = Object.entries(options).map(([k, v]) => {
    if (!OPTION_NAME_RE.test(k)) throw invalid(`invalid plugin option name ${JSON.stringify(k)}`);
    return `${quoteIdent(k)} ${quoteLiteral(v)}`;
  });
  const list = opts.length ? ` (${opts.join(', ')})` : '';
  return `START_REPLICATION SLOT ${quoteIdent(validateSlotName(slot))} LOGICAL ${formatLsn(start)}${list}`;
}

export function startPhysicalReplicationSql(slot: string | undefined, start: Lsn, timeline?: number): string {
  const slotPart = slot !== undefined ? `SLOT ${quoteIdent(validateSlotName(slot))} ` : '';
  const tli = timeline !== undefined ? ` ${timelineHistorySql(timeline).replace('TIMELINE_HISTORY', 'TIMELINE')}` : '';
  return `START_REPLICATION ${slotPart}PHYSICAL ${formatLsn(start)}${tli}`;
}

/** pgoutput's highest protocol per server: 4 (16+, parallel streaming), 3 (15, two-phase), 2 (14, streaming), 1. */
export function maxPgoutputProtoVersion(serverVersionNum: number): number {
  if (serverVersionNum >= 160000) return 4;
  if (serverVersionNum >= 150000) return 3;
  if (serverVersionNum >= 140000) return 2;
  return 1;
}
