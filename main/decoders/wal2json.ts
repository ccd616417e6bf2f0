import { isUtf8 } from 'node:buffer';
import type { Lsn } from '../../shared/lsn';
import type { JsonMessage } from '../../shared/messages';
import { ProtocolError } from '../protocol/protocol-error';
import type { Decoder } from './decoder';

/**
 * Whether a wal2json document ends a transaction. Format version 1 (the default) sends each
 * transaction as one document with a `change` array; version 2 sends one document per action,
 * and "C" is the commit. Both are written by the plugin's commit callback, for which the server
 * sets the XLogData position to the end of the commit record (logical.c, commit_cb_wrapper).
 */
function endsTransaction(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null) return false;
  const d = doc as { change?: unknown; action?: unknown };
  return Array.isArray(d.change) || d.action === 'C';
}

/**
 * wal2json output is already JSON: passed through in wal2json's own shape, parsed for the engine
 * API and as its exact text for the NDJSON and wire forms. Its row images are arrays
 * (`columnnames`/`columnvalues` in format 1, `columns: [{name, type, value}]` in format 2), so
 * column order and odd names survive parsing; its numbers do not always (beyond 2^53), hence the text.
 */
export class Wal2JsonDecoder implements Decoder {
  readonly plugin = 'wal2json';

  decode(data: Buffer, lsn: Lsn): JsonMessage {
    if (!isUtf8(data)) {
      throw new ProtocolError(
        { message: 'wal2json', field: 'payload', lsn, offset: 0, reason: 'invalid UTF-8' },
        'DECODE',
      );
    }
    const text = data.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new ProtocolError(
        { message: 'wal2json', field: 'payload', lsn, offset: 0, reason: `invalid JSON (${(e as Error).message})` },
        'DECODE',
      );
    }
    const xid = typeof parsed === 'object' && parsed !== null ? (parsed as { xid?: unknown }).xid : undefined;
    return {
      type: 'json',
      lsn,
      plugin: 'wal2json',
      data: parsed,
      text,
      ...(typeof xid === 'number' ? { xid } : {}),
      ...(endsTransaction(parsed) ? { endLsn: lsn } : {}),
    };
  }

  reset(): void {}
}
