import { WalscopeError } from '../../shared/errors';
import type { Lsn } from '../../shared/lsn';
import type { DecodedMessage } from '../../shared/messages';
import { PgoutputDecoder } from './pgoutput';
import { TestDecodingDecoder } from './test-decoding';
import { Wal2JsonDecoder } from './wal2json';

export interface Decoder {
  readonly plugin: string;
  /**
   * Decodes one XLogData payload. `lsn` is the XLogData walStart. `data` is a view into a reused
   * buffer: nothing may keep it. Throws ProtocolError (code DECODE) on bad bytes, nothing else.
   */
  decode(data: Buffer, lsn: Lsn): DecodedMessage;
  /** Forgets per-stream state (relation cache, open transaction): the server re-sends it after a reconnect. */
  reset(): void;
}

export interface DecoderOptions {
  protoVersion?: number;
  binary?: boolean;
  /** pgoutput: row images as WireTuples (values made on first read); see PgoutputDecoder. */
  lazyRows?: boolean;
}

export function createDecoder(plugin: string, options: DecoderOptions = {}): Decoder {
  switch (plugin) {
    case 'pgoutput':
      return new PgoutputDecoder(options.protoVersion ?? 1, options.lazyRows ?? false);
    case 'test_decoding':
      return new TestDecodingDecoder();
    case 'wal2json':
      return new Wal2JsonDecoder();
    default:
      throw new WalscopeError({
        code: 'UNSUPPORTED',
        message: `WALscope cannot decode output plugin "${plugin}"`,
        hint: 'Supported plugins: pgoutput, test_decoding, wal2json.',
      });
  }
}
