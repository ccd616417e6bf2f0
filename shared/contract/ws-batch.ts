/**
 * `stream.batch` events over the serve-mode WebSocket without encoding each row's JSON text a
 * second time. As a plain JSON frame, every row's `json` (already JSON text) would be escaped into
 * a JSON string by the server and unescaped by the page. Instead the frame is one JSON header line
 * (the event with the rows minus their `json`, plus `jsonLengths`), a line break, and the rows'
 * JSON texts spliced one after another; the page cuts them out by length. JSON.stringify never
 * writes a raw line break, so the first one ends the header, and a frame without one is an
 * ordinary JSON frame.
 */
import type { WireRow } from './dto';
import type { ServerFrame } from './ws-protocol';

export interface BatchPayload {
  sessionId: string;
  streamId: string;
  rows: WireRow[];
  dropped: number;
}

interface BatchHeader {
  kind: 'event';
  name: string;
  payload: Omit<BatchPayload, 'rows'> & { rows: Omit<WireRow, 'json'>[] };
  /** Length of each row's JSON text (UTF-16 code units), in row order. */
  jsonLengths: number[];
}

export function encodeBatchFrame(name: string, payload: BatchPayload): string {
  const rows: Omit<WireRow, 'json'>[] = [];
  const jsonLengths: number[] = [];
  const texts: string[] = [];
  for (const { json, ...rest } of payload.rows) {
    rows.push(rest);
    jsonLengths.push(json.length);
    texts.push(json);
  }
  const header: BatchHeader = { kind: 'event', name, payload: { ...payload, rows }, jsonLengths };
  return `${JSON.stringify(header)}\n${texts.join('')}`;
}

/** A server frame from its text: a spliced batch frame or an ordinary JSON one. Throws on bad text. */
export function parseServerFrame(text: string): ServerFrame {
  const nl = text.indexOf('\n');
  if (nl < 0) return JSON.parse(text) as ServerFrame;
  const header = JSON.parse(text.slice(0, nl)) as BatchHeader;
  const lengths = header.jsonLengths;
  const rows = header.payload.rows;
  if (!Array.isArray(lengths) || !Array.isArray(rows) || lengths.length !== rows.length) {
    throw new Error('malformed batch frame');
  }
  let pos = nl + 1;
  const full: WireRow[] = rows.map((r, i) => {
    const json = text.slice(pos, pos + lengths[i]!);
    pos += lengths[i]!;
    return { ...r, json };
  });
  if (pos !== text.length) throw new Error('malformed batch frame');
  return { kind: 'event', name: header.name, payload: { ...header.payload, rows: full } };
}
