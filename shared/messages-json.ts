/**
 * The edge forms of a decoded message: bigint LSNs as `X/X` text and PostgreSQL times as ISO
 * strings, so it can be written as NDJSON or sent over IPC (contextBridge cannot carry bigint).
 * Field naming rule the decoders follow: a bigint field ending in `Time` is a PostgreSQL
 * timestamp, any other bigint field is an LSN.
 *
 * Two forms, because a row image must keep every column name in order (decision 0009):
 * - `messageJson`: JSON text, row images as `{"col":value,…}` objects in column order (JSON text
 *   keeps order and `__proto__`). The NDJSON line of the CLI and the `json` of a wire row.
 * - `toWireMessage`: a plain object for IPC, row images kept as `Tuple` (`{names, values}`), which
 *   survives structured clone and JSON without reordering. `parseMessageJson` (shared/wire-json.ts)
 *   turns the text form into this form.
 */
import type { WireMessage } from './contract/dto';
import { formatLsn } from './lsn';
import type { DecodedMessage } from './messages';
import { formatPgMicros } from './pgtime';
import { isTuple, tupleJson } from './tuple';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const TUPLE_KEYS = new Set(['new', 'old', 'key']);

function bigintText(key: string, value: bigint): string {
  return key.endsWith('Time') ? formatPgMicros(value) : formatLsn(value);
}

/** wal2json's text as one NDJSON-safe value: raw line breaks occur only between tokens in valid JSON. */
function oneLine(text: string): string {
  return text.includes('\n') || text.includes('\r') ? text.replace(/[\r\n]+/g, ' ') : text;
}

/**
 * The message as one line of JSON text, keys in the message's own order, `"seq":n` last when given.
 * wal2json's `data` is its own text verbatim (its numbers keep every digit).
 */
export function messageJson(message: DecodedMessage, seq?: number): string {
  const fields = message as unknown as Record<string, unknown>;
  let out = '{';
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    let text: string;
    if (message.type === 'json' && (key === 'data' || key === 'text')) {
      if (key === 'text') continue;
      text = oneLine(message.text);
    } else if (typeof value === 'bigint') text = JSON.stringify(bigintText(key, value));
    else if (TUPLE_KEYS.has(key) && isTuple(value)) text = tupleJson(value);
    else text = JSON.stringify(value);
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${text}`;
  }
  if (seq !== undefined) out += `${out.length > 1 ? ',' : ''}"seq":${seq}`;
  return `${out}}`;
}

/** The message as a plain object for IPC: bigints as text, row images as `Tuple`, `seq` added. */
export function toWireMessage(message: DecodedMessage, seq: number): WireMessage {
  const out: Record<string, unknown> = {};
  const fields = message as unknown as Record<string, unknown>;
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined || (message.type === 'json' && key === 'text')) continue;
    out[key] = typeof value === 'bigint' ? bigintText(key, value) : value;
  }
  out['seq'] = seq;
  return out as WireMessage;
}
