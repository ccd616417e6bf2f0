/**
 * The edge form of a decoded message: bigint LSNs as `X/X` text and PostgreSQL times as ISO
 * strings, so it can be written as NDJSON or sent over IPC (contextBridge cannot carry bigint).
 * Field naming rule the decoders follow: a bigint field ending in `Time` is a PostgreSQL
 * timestamp, any other bigint field is an LSN.
 */
import { formatLsn } from './lsn';
import type { DecodedMessage } from './messages';
import { formatPgMicros } from './pgtime';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonMessage = { [key: string]: JsonValue } & { type: DecodedMessage['type']; lsn: string };

export function toJsonMessage(message: DecodedMessage): JsonMessage {
  const out: Record<string, unknown> = {};
  for (const key in message) {
    const value = (message as unknown as Record<string, unknown>)[key];
    if (typeof value === 'bigint') {
      out[key] = key.endsWith('Time') ? formatPgMicros(value) : formatLsn(value);
    } else if (value !== undefined) {
      out[key] = value;
    }
  }
  return out as JsonMessage;
}
