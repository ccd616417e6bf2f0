import { isUtf8 } from 'node:buffer';
import type { Lsn } from '../../shared/lsn';
import type { JsonMessage } from '../../shared/messages';
import { ProtocolError } from '../protocol/protocol-error';
import type { Decoder } from './decoder';

/** wal2json output is already JSON: passed through parsed, in wal2json's own shape. */
export class Wal2JsonDecoder implements Decoder {
  readonly plugin = 'wal2json';

  decode(data: Buffer, lsn: Lsn): JsonMessage {
    if (!isUtf8(data)) {
      throw new ProtocolError(
        { message: 'wal2json', field: 'payload', lsn, offset: 0, reason: 'invalid UTF-8' },
        'DECODE',
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch (e) {
      throw new ProtocolError(
        { message: 'wal2json', field: 'payload', lsn, offset: 0, reason: `invalid JSON (${(e as Error).message})` },
        'DECODE',
      );
    }
    const xid = typeof parsed === 'object' && parsed !== null ? (parsed as { xid?: unknown }).xid : undefined;
    return { type: 'json', lsn, plugin: 'wal2json', data: parsed, ...(typeof xid === 'number' ? { xid } : {}) };
  }

  reset(): void {}
}
