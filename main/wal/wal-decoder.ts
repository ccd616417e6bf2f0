import type { Lsn } from '../../shared/lsn';
import { WalFramer } from './wal-framer';
import { decodeWalRecord, type WalRecord } from './wal-record';

export interface WalDecoderOptions {
  /** Server major version (12–18). */
  major: number;
  blockSize: number;
  segmentSize: number;
  /** First record handed on: the first that begins at or after this LSN. */
  startLsn: Lsn;
}

/**
 * Physical WAL bytes in, decoded records out: framing (WalFramer) then the record's headers and
 * block references (decodeWalRecord). Pure: the stream that feeds it lives in main/session.
 */
export class WalDecoder {
  private readonly framer: WalFramer;

  constructor(options: WalDecoderOptions, onRecord: (record: WalRecord) => void) {
    const decode = { major: options.major, blockSize: options.blockSize };
    this.framer = new WalFramer(options, (framed) => onRecord(decodeWalRecord(framed, decode)));
  }

  /** Where the stream must start for `lsn`: the beginning of its page (the page header tells where records begin). */
  static streamStartFor(lsn: Lsn, blockSize: number): Lsn {
    return lsn - (lsn % BigInt(blockSize));
  }

  push(chunk: Buffer, walStart: Lsn): void {
    this.framer.push(chunk, walStart);
  }

  get position(): Lsn {
    return this.framer.position;
  }
}
