import type { WireRow } from '../../shared/contract';

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

/**
 * Pure predicate: op and xid match exactly, relation case-insensitively as a substring, and text
 * case-insensitively anywhere in the row: its summary or its message (LSNs, every column value).
 * Nothing is parsed: the summary and the message's JSON text arrive with the row.
 */
export function matches(row: WireRow, f: StreamFilter): boolean {
  if (f.op && row.type !== f.op) return false;
  if (f.xid && String(row.xid ?? '') !== f.xid.trim()) return false;
  if (f.relation && !row.rel.toLowerCase().includes(f.relation.toLowerCase())) return false;
  if (f.text) {
    const needle = textPattern(f.text);
    if (!needle.test(row.summary) && !needle.test(row.json)) return false;
  }
  return true;
}

let lastText = '';
let lastPattern = /(?:)/i;
function textPattern(text: string): RegExp {
  if (text !== lastText) {
    lastText = text;
    lastPattern = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  }
  return lastPattern;
}
