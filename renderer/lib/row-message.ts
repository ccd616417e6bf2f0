import type { WireMessage, WireRow } from '../../shared/contract';

// Parsed messages of the rows that were shown or inspected, dropped with their rows.
const parsed = new WeakMap<WireRow, WireMessage>();

/** The row's whole message, parsed from its JSON text on first use. */
export function messageOf(row: WireRow): WireMessage {
  let m = parsed.get(row);
  if (m === undefined) {
    m = JSON.parse(row.json) as WireMessage;
    parsed.set(row, m);
  }
  return m;
}
