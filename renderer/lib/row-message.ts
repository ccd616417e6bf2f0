import type { WireMessage, WireRow } from '../../shared/contract';
import { parseMessageJson } from '../../shared/wire-json';

// Parsed messages of the rows that were shown or inspected, dropped with their rows.
const parsed = new WeakMap<WireRow, WireMessage>();

/**
 * The row's whole message, parsed from its JSON text on first use. Not `JSON.parse`: row images
 * are read in text order into `Tuple`s, so `__proto__` and integer-like column names keep their
 * place (decision 0009).
 */
export function messageOf(row: WireRow): WireMessage {
  let m = parsed.get(row);
  if (m === undefined) {
    m = parseMessageJson(row.json);
    parsed.set(row, m);
  }
  return m;
}

/** The rows' messages as NDJSON text, exactly the JSON text each row arrived with. */
export function ndjsonParts(rows: { readonly length: number; at(i: number): WireRow }): string[] {
  const parts: string[] = [];
  for (let i = 0; i < rows.length; i++) parts.push(rows.at(i).json + '\n');
  return parts;
}
