import type { WireMessage } from '../../shared/contract';
import { relationOf, summaryOf } from './format';

export interface StreamFilter {
  relation: string;
  op: string;
  xid: string;
  text: string;
}

export const EMPTY_FILTER: StreamFilter = { relation: '', op: '', xid: '', text: '' };

export function isFilterActive(f: StreamFilter): boolean {
  return f.relation !== '' || f.op !== '' || f.xid !== '' || f.text !== '';
}

/** Pure predicate: relation and text match case-insensitively as substrings; op and xid exactly. */
export function matches(m: WireMessage, f: StreamFilter): boolean {
  if (f.op && m.type !== f.op) return false;
  if (f.xid && String(m.xid ?? '') !== f.xid.trim()) return false;
  if (f.relation && !relationOf(m).toLowerCase().includes(f.relation.toLowerCase())) return false;
  if (f.text) {
    const needle = f.text.toLowerCase();
    if (!summaryOf(m).toLowerCase().includes(needle) && !m.lsn.toLowerCase().includes(needle)) return false;
  }
  return true;
}
