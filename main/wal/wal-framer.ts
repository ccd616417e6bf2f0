import type { Lsn } from '../../shared/lsn';
import { ProtocolError } from '../protocol/protocol-error';
import { CRC32C_INIT, crc32cFinish, crc32cUpdate } from './crc32c';
import {
  LONG_PAGE_HEADER_SIZE,
  RECORD_CRC_OFFSET,
  RECORD_HEADER_SIZE,
  RECORD_MAX_SIZE,
  RM_XLOG_ID,
  SHORT_PAGE_HEADER_SIZE,
  XLOG_SWITCH,
  XLP_FIRST_IS_CONTRECORD,
  XLP_LONG_HEADER,
  XLR_INFO_MASK,
  maxAlign,
} from './wal-format';

export interface WalFramerOptions {
  /** wal_block_size (XLOG_BLCKSZ), 8192 unless the server was built otherwise. */
  blockSize: number;
  /** wal_segment_size. */
  segmentSize: number;
  /** Records that begin before this LSN are not handed on (a start at any LSN). */
  startLsn: Lsn;
}

/** One whole record: its bytes with page headers removed, and where it lies in the WAL. */
export interface FramedRecord {
  lsn: Lsn;
  /** Where the next record may begin, as xlogreader's EndRecPtr (a switch record ends its segment). */
  endLsn: Lsn;
  /** The record (header included); a fresh buffer the receiver may keep. */
  bytes: Buffer;
}

type Mode =
  /** Before the first page header: skip the record continued from an earlier page. */
  | 'sync'
  /** Between records or inside one. */
  | 'records'
  /** Ignoring bytes up to `skipUntil` (alignment, a switched segment's tail, a continuation). */
  | 'skip';

/**
 * Cuts the physical WAL stream (XLogData payloads, contiguous) into records, as xlogreader.c does:
 * strips the short/long page header at every page boundary, checks each header's address and
 * continuation length, reassembles records spanning pages and segments, skips MAXALIGN padding
 * and the rest of a segment after XLOG_SWITCH, and verifies every record's CRC-32C. It keeps at
 * most one record in memory. Positions are plain numbers internally (exact below 2^53 bytes).
 */
export class WalFramer {
  private pos = -1;
  private mode: Mode = 'sync';
  private skipUntil = 0;
  private afterSkip: 'sync' | 'records' = 'records';
  private readonly pageHeader = Buffer.alloc(LONG_PAGE_HEADER_SIZE);
  private pageHeaderFill = 0;
  private readonly head = Buffer.alloc(RECORD_HEADER_SIZE);
  private headFill = 0;
  private record: Buffer | undefined;
  private recordFill = 0;
  private recordLsn = 0;
  private prevLsn: number | undefined;
  private readonly start: number;

  constructor(
    private readonly options: WalFramerOptions,
    private readonly onRecord: (record: FramedRecord) => void,
  ) {
    this.start = Number(options.startLsn);
  }

  /** Highest position consumed so far. */
  get position(): Lsn {
    return BigInt(Math.max(this.pos, 0));
  }

  /** Feeds the next XLogData payload; `walStart` must continue the previous one. */
  push(chunk: Buffer, walStart: Lsn): void {
    const at = Number(walStart);
    if (this.pos < 0) {
      if (at % this.options.blockSize !== 0) this.fail('stream start', at, 0, 'must begin at a page boundary');
      this.pos = at;
    } else if (at !== this.pos) {
      this.fail('XLogData', at, 0, `expected data at ${hex(this.pos)}, got ${hex(at)} (a gap in the stream)`);
    }
    let i = 0;
    while (i < chunk.length) i += this.step(chunk, i);
  }

  /** Consumes bytes from chunk[i…] and returns how many. */
  private step(chunk: Buffer, i: number): number {
    const { blockSize } = this.options;
    const inPage = this.pos % blockSize;
    const pageStart = this.pos - inPage;
    const headerSize = this.headerSizeAt(pageStart);
    if (inPage < headerSize) {
      const n = Math.min(headerSize - inPage, chunk.length - i);
      chunk.copy(this.pageHeader, inPage, i, i + n);
      this.pos += n;
      if (inPage + n === headerSize) this.pageHeaderDone(pageStart, headerSize);
      return n;
    }
    const pageLeft = blockSize - inPage;
    const avail = Math.min(pageLeft, chunk.length - i);
    switch (this.mode) {
      case 'sync':
        return this.fail('WAL page', pageStart, inPage, 'record data before the first page header');
      case 'skip': {
        const n = Math.min(avail, this.skipUntil - this.pos);
        this.pos += n;
        if (this.pos === this.skipUntil) this.mode = this.afterSkip;
        return n;
      }
      case 'records':
        return this.recordBytes(chunk, i, avail);
      default:
        return exhaustive(this.mode);
    }
  }

  private headerSizeAt(pageStart: number): number {
    return pageStart % this.options.segmentSize === 0 ? LONG_PAGE_HEADER_SIZE : SHORT_PAGE_HEADER_SIZE;
  }

  private pageHeaderDone(pageStart: number, headerSize: number): void {
    // Pages inside a skipped stretch (the tail of a switched segment) are not read.
    if (this.mode === 'skip') return;
    const h = this.pageHeader;
    const info = h.readUInt16LE(2);
    const pageAddr = Number(h.readBigUInt64LE(8));
    const remLen = h.readUInt32LE(16);
    if (pageAddr !== pageStart)
      this.fail('WAL page header', pageStart, 8, `page address ${hex(pageAddr)} where ${hex(pageStart)} was expected`);
    const isLong = (info & XLP_LONG_HEADER) !== 0;
    if (isLong !== (headerSize === LONG_PAGE_HEADER_SIZE))
      this.fail(
        'WAL page header',
        pageStart,
        2,
        `long-header flag ${isLong} at segment offset ${pageStart % this.options.segmentSize}`,
      );
    if (isLong) {
      const segSize = h.readUInt32LE(32);
      const blockSize = h.readUInt32LE(36);
      if (segSize !== this.options.segmentSize || blockSize !== this.options.blockSize)
        this.fail(
          'WAL page header',
          pageStart,
          32,
          `segment/block size ${segSize}/${blockSize} differ from the server's settings`,
        );
    }
    const continued = (info & XLP_FIRST_IS_CONTRECORD) !== 0;
    const pageBody = pageStart + headerSize;
    if (this.mode === 'sync') {
      // Starting mid-stream: the first record on this page begins after the continuation.
      const firstRecord = continued ? pageBody + maxAlign(remLen) : pageBody;
      if (firstRecord >= pageStart + this.options.blockSize) {
        this.skipTo(pageStart + this.options.blockSize, 'sync');
      } else {
        this.skipTo(firstRecord, 'records');
      }
      return;
    }
    if (this.record || this.headFill > 0) {
      const left = this.record
        ? this.record.length - this.recordFill
        : this.headFill >= 4
          ? this.head.readUInt32LE(0) - this.headFill
          : undefined;
      if (!continued || (left !== undefined && remLen !== left))
        this.fail(
          'WAL page header',
          pageStart,
          16,
          `continuation length ${remLen} where ${left ?? 'a record'} was expected`,
        );
    } else if (continued) {
      this.fail('WAL page header', pageStart, 2, 'continuation flag set between records');
    }
  }

  /** Ignores bytes up to `target`, then continues in `then` mode. */
  private skipTo(target: number, then: 'sync' | 'records'): void {
    this.afterSkip = then;
    if (this.pos >= target) {
      this.mode = then;
      return;
    }
    this.skipUntil = target;
    this.mode = 'skip';
  }

  private recordBytes(chunk: Buffer, i: number, avail: number): number {
    if (!this.record) {
      if (this.headFill === 0) this.recordLsn = this.pos;
      const n = Math.min(RECORD_HEADER_SIZE - this.headFill, avail);
      chunk.copy(this.head, this.headFill, i, i + n);
      this.headFill += n;
      this.pos += n;
      if (this.headFill >= 4) this.checkLength();
      if (this.headFill === RECORD_HEADER_SIZE) {
        const total = this.head.readUInt32LE(0);
        this.record = Buffer.allocUnsafe(total);
        this.head.copy(this.record, 0);
        this.recordFill = RECORD_HEADER_SIZE;
        this.headFill = 0;
        if (this.recordFill === total) this.recordDone();
      }
      return n;
    }
    const n = Math.min(this.record.length - this.recordFill, avail);
    chunk.copy(this.record, this.recordFill, i, i + n);
    this.recordFill += n;
    this.pos += n;
    if (this.recordFill === this.record.length) this.recordDone();
    return n;
  }

  private checkLength(): void {
    const total = this.head.readUInt32LE(0);
    if (total < RECORD_HEADER_SIZE || total > RECORD_MAX_SIZE)
      this.fail('WAL record', this.recordLsn, 0, `invalid record length ${total}`);
  }

  private recordDone(): void {
    const rec = this.record!;
    this.record = undefined;
    const lsn = this.recordLsn;
    const stored = rec.readUInt32LE(RECORD_CRC_OFFSET);
    let crc = crc32cUpdate(CRC32C_INIT, rec, RECORD_HEADER_SIZE, rec.length);
    crc = crc32cFinish(crc32cUpdate(crc, rec, 0, RECORD_CRC_OFFSET));
    if (crc !== stored)
      this.fail(
        'WAL record',
        lsn,
        RECORD_CRC_OFFSET,
        `incorrect resource manager data checksum (stored ${hex(stored)}, computed ${hex(crc)})`,
      );
    const prev = Number(rec.readBigUInt64LE(8));
    if (this.prevLsn !== undefined && prev !== this.prevLsn)
      this.fail(
        'WAL record',
        lsn,
        8,
        `record with incorrect prev-link ${hex(prev)} (previous record at ${hex(this.prevLsn)})`,
      );
    this.prevLsn = lsn;
    let end = maxAlign(this.pos);
    const isSwitch = rec[17] === RM_XLOG_ID && (rec[16]! & ~XLR_INFO_MASK) === XLOG_SWITCH;
    if (isSwitch) end = Math.ceil(end / this.options.segmentSize) * this.options.segmentSize;
    this.skipTo(end, 'records');
    if (lsn >= this.start) this.onRecord({ lsn: BigInt(lsn), endLsn: BigInt(end), bytes: rec });
  }

  private fail(message: string, lsn: number, offset: number, reason: string): never {
    throw new ProtocolError({ message, field: 'framing', lsn: BigInt(lsn), offset, reason });
  }
}

function hex(n: number): string {
  const big = BigInt(n);
  return `${(big >> 32n).toString(16).toUpperCase()}/${(big & 0xffffffffn).toString(16).toUpperCase()}`;
}

function exhaustive(x: never): never {
  throw new Error(`unexpected framer mode ${String(x)}`);
}
