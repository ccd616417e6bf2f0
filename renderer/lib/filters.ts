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

// A row's lowercased summary, built once: a new text filter re-scans every held row, and building
// 100,000 summaries per keystroke is what made typing lag under load.
const searchable = new WeakMap<WireMessage, string>();
function searchTextOf(m: WireMessage): string {
  let s = searchable.get(m);
  if (s === undefined) {
    s = summaryOf(m).toLowerCase();
    searchable.set(m, s);
  }
  return s;
}

/** Pure predicate: relation and text match case-insensitively as substrings; op and xid exactly. */
export function matches(m: WireMessage, f: StreamFilter): boolean {
  if (f.op && m.type !== f.op) return false;
  if (f.xid && String(m.xid ?? '') !== f.xid.trim()) return false;
  if (f.relation && !relationOf(m).toLowerCase().includes(f.relation.toLowerCase())) return false;
  if (f.text) {
    const needle = f.text.toLowerCase();
    if (!searchTextOf(m).includes(needle) && !m.lsn.toLowerCase().includes(needle)) return false;
  }
  return true;
}
