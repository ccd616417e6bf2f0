import { parseLsn, type Lsn } from '../../shared/lsn';
import { ProtocolError } from './protocol-error';

/**
 * Parsers for replication command results, separate from running them so they are tested
 * without a server. Input: the neutral shape the connection produces (values as text; bytea may
 * arrive as a Buffer). A result of the wrong shape is a ProtocolError, not a crash.
 */
export interface CommandRows {
  fields: string[];
  rows: (string | Buffer | null)[][];
}

export interface IdentifySystemResult {
  systemId: string;
  timeline: number;
  xlogpos: Lsn;
  dbname: string | null;
}
export interface TimelineHistoryResult {
  filename: string;
  content: string;
}
export interface ReadReplicationSlotResult {
  slotType: 'physical' | 'logical' | null;
  restartLsn: Lsn | null;
  restartTimeline: number | null;
}
export interface CreateReplicationSlotResult {
  slotName: string;
  consistentPoint: Lsn;
  snapshotName: string | null;
  outputPlugin: string | null;
}

function bad(command: string, field: string, reason: string): never {
  throw new ProtocolError({ message: `${command} result`, field, offset: 0, reason });
}

function oneRow(r: CommandRows, command: string, columns: number): (string | Buffer | null)[] {
  if (r.rows.length !== 1) bad(command, 'rows', `expected 1 row, got ${r.rows.length}`);
  const row = r.rows[0]!;
  if (row.length < columns) bad(command, 'columns', `expected ${columns} columns, got ${row.length}`);
  return row;
}

function text(v: string | Buffer | null | undefined, command: string, field: string): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return bad(command, field, 'is NULL');
}

function optText(v: string | Buffer | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : v.toString('utf8');
}

function lsn(v: string, command: string, field: string): Lsn {
  try {
    return parseLsn(v);
  } catch {
    return bad(command, field, `not an LSN: ${JSON.stringify(v)}`);
  }
}

function int(v: string, command: string, field: string): number {
  if (!/^\d+$/.test(v)) bad(command, field, `not an integer: ${JSON.stringify(v)}`);
  return Number(v);
}

export function parseIdentifySystem(r: CommandRows): IdentifySystemResult {
  const c = 'IDENTIFY_SYSTEM';
  const row = oneRow(r, c, 4);
  return {
    systemId: text(row[0], c, 'systemid'),
    timeline: int(text(row[1], c, 'timeline'), c, 'timeline'),
    xlogpos: lsn(text(row[2], c, 'xlogpos'), c, 'xlogpos'),
    dbname: optText(row[3]),
  };
}

/** bytea in text output is `\x` + hex; TIMELINE_HISTORY's content column is bytea on older servers. */
function byteaOrText(v: string | Buffer | null | undefined, c: string): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  const s = text(v, c, 'content');
  return /^\\x([0-9a-f]{2})*$/i.test(s) ? Buffer.from(s.slice(2), 'hex').toString('utf8') : s;
}

export function parseTimelineHistory(r: CommandRows): TimelineHistoryResult {
  const c = 'TIMELINE_HISTORY';
  const row = oneRow(r, c, 2);
  return { filename: text(row[0], c, 'filename'), content: byteaOrText(row[1], c) };
}

export function parseReadReplicationSlot(r: CommandRows): ReadReplicationSlotResult {
  const c = 'READ_REPLICATION_SLOT';
  const row = oneRow(r, c, 3);
  const type = optText(row[0]);
  if (type !== null && type !== 'physical' && type !== 'logical') bad(c, 'slot_type', `unknown type ${type}`);
  const restart = optText(row[1]);
  const tli = optText(row[2]);
  return {
    slotType: type,
    restartLsn: restart === null ? null : lsn(restart, c, 'restart_lsn'),
    restartTimeline: tli === null ? null : int(tli, c, 'restart_tli'),
  };
}

export function parseCreateReplicationSlot(r: CommandRows): CreateReplicationSlotResult {
  const c = 'CREATE_REPLICATION_SLOT';
  const row = oneRow(r, c, 4);
  return {
    slotName: text(row[0], c, 'slot_name'),
    consistentPoint: lsn(text(row[1], c, 'consistent_point'), c, 'consistent_point'),
    snapshotName: optText(row[2]),
    outputPlugin: optText(row[3]),
  };
}

export interface TimelineHistoryEntry {
  timeline: number;
  switchLsn: Lsn;
  reason: string;
}

/** A timeline history file: `<parent tli>\t<switch LSN>\t<reason>` per line, comments with '#'. */
export function parseTimelineHistoryFile(content: string): TimelineHistoryEntry[] {
  const out: TimelineHistoryEntry[] = [];
  for (const line of content.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const [tli, switchLsn, ...reason] = trimmed.split('\t');
    const c = 'timeline history';
    out.push({
      timeline: int(tli ?? '', c, 'timeline'),
      switchLsn: lsn(switchLsn ?? '', c, 'switch LSN'),
      reason: reason.join('\t'),
    });
  }
  return out;
}
