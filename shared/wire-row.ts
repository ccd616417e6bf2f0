import type { WireMessage, WireRow } from './contract/dto';
import { formatLsn } from './lsn';
import type { DecodedMessage, MessageType } from './messages';
import { messageJson } from './messages-json';
import { isTuple } from './tuple';

/** A message in either form: decoded (bigint LSNs) or wire (text LSNs); row images are `Tuple`s. */
type AnyMessage = WireMessage | DecodedMessage;
import { unreachable } from './unreachable';

/** `schema.table` of a row change, the truncated tables of a TRUNCATE, or ''. */
export function relationOf(message: AnyMessage): string {
  const m = message as Record<string, unknown>;
  if (typeof m['schema'] === 'string' && typeof m['table'] === 'string') return `${m['schema']}.${m['table']}`;
  if (m['type'] === 'truncate' && Array.isArray(m['relations'])) return (m['relations'] as string[]).join(', ');
  return '';
}

type TupleValue = string | null | { unchangedToast: true } | { binary: string };

export function cellText(v: unknown): string {
  const t = v as TupleValue;
  if (t === null) return 'NULL';
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && 'unchangedToast' in t) return '(unchanged TOAST)';
  if (t && typeof t === 'object' && 'binary' in t) return `\\x${t.binary}`;
  return String(v);
}

/** The first `max` columns as `name=value`, in column order. */
function tupleSummary(t: unknown, max = 4): string {
  if (!isTuple(t)) return '';
  const n = Math.min(max, t.names.length);
  const shown: string[] = [];
  for (let i = 0; i < n; i++) shown.push(`${t.names[i]}=${cellText(t.values[i]).slice(0, 40)}`);
  return shown.join(' ') + (t.names.length > max ? ' …' : '');
}

function lsnText(v: unknown): string {
  return typeof v === 'bigint' ? formatLsn(v) : String(v ?? '');
}

/** One line a DBA can scan. */
export function summaryOf(message: AnyMessage): string {
  const m = message as Record<string, unknown> & { type: MessageType; xid?: number };
  switch (m.type) {
    case 'begin':
      return `xid ${m.xid ?? '?'}`;
    case 'commit':
      return `end ${lsnText(m['endLsn'])}`;
    case 'insert':
      return tupleSummary(m['new']);
    case 'update':
      return `${m['key'] || m['old'] ? `${tupleSummary(m['key'] ?? m['old'], 2)} → ` : ''}${tupleSummary(m['new'])}`;
    case 'delete':
      return tupleSummary(m['key'] ?? m['old']);
    case 'truncate':
      return `${m['cascade'] ? 'CASCADE ' : ''}${m['restartIdentity'] ? 'RESTART IDENTITY' : ''}`.trim();
    case 'message':
      return `${m['transactional'] ? 'tx' : 'non-tx'} ${String(m['prefix'])}: ${String(m['content'] ?? `\\x${String(m['contentHex'])}`).slice(0, 80)}`;
    case 'relation':
      return `${(m['columns'] as unknown[] | undefined)?.length ?? 0} columns, identity ${String(m['replicaIdentity'])}`;
    case 'begin_prepare':
    case 'prepare':
    case 'commit_prepared':
    case 'rollback_prepared':
    case 'stream_prepare':
      return `gid ${String(m['gid'])}`;
    case 'origin':
    case 'type':
    case 'stream_start':
    case 'stream_stop':
    case 'stream_commit':
    case 'stream_abort':
    case 'json':
      return '';
    default:
      return unreachable(m.type, 'message type');
  }
}

/**
 * A decoded message as a stream row; its JSON text keeps row images in column order. `json`:
 * `messageJson(m, seq)` when the caller already made it (main writes it from the wire bytes).
 */
export function toWireRow(m: DecodedMessage, seq: number, json: string = messageJson(m, seq)): WireRow {
  return {
    seq,
    type: m.type,
    lsn: formatLsn(m.lsn),
    ...(m.xid !== undefined ? { xid: m.xid } : {}),
    rel: relationOf(m),
    summary: summaryOf(m),
    json,
  };
}
