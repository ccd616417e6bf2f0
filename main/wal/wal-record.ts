import type { Lsn } from '../../shared/lsn';
import { ProtocolError } from '../protocol/protocol-error';
import {
  BKPBLOCK_FORK_MASK,
  BKPBLOCK_HAS_DATA,
  BKPBLOCK_HAS_IMAGE,
  BKPBLOCK_SAME_REL,
  BKPBLOCK_WILL_INIT,
  FORK_NAMES,
  RECORD_HEADER_SIZE,
  XLR_BLOCK_ID_DATA_LONG,
  XLR_BLOCK_ID_DATA_SHORT,
  XLR_BLOCK_ID_ORIGIN,
  XLR_BLOCK_ID_TOPLEVEL_XID,
  XLR_MAX_BLOCK_ID,
  imageFlagsFor,
  type ForkName,
  type FpiCompression,
  type ImageFlags,
} from './wal-format';
import type { FramedRecord } from './wal-framer';

/** A full-page image attached to a block reference. */
export interface PageImage {
  /** Bytes of the image as stored (after removing the hole and compressing). */
  length: number;
  holeOffset: number;
  holeLength: number;
  compression: FpiCompression | null;
  /** False for images kept only for wal_consistency_checking. */
  apply: boolean;
}

export interface BlockRef {
  id: number;
  tablespace: number;
  database: number;
  relfilenode: number;
  fork: ForkName;
  block: number;
  willInit: boolean;
  /** Length of the rmgr's data for this block (not counting the image). */
  dataLength: number;
  image: PageImage | null;
  /** Offset of this block's data in the record (after its image). */
  dataOffset: number;
}

/** One decoded WAL record (header, block references, main data), as DecodeXLogRecord sees it. */
export interface WalRecord {
  lsn: Lsn;
  endLsn: Lsn;
  prevLsn: Lsn;
  xid: number;
  info: number;
  rmid: number;
  totalLength: number;
  mainDataLength: number;
  /** Sum of the record's full-page-image bytes. */
  fpiLength: number;
  blocks: BlockRef[];
  origin: number | null;
  toplevelXid: number | null;
  /** The whole record (header included); main data is bytes[mainDataOffset, +mainDataLength). */
  bytes: Buffer;
  mainDataOffset: number;
}

const ORIGIN_INVALID = 0;

/** Little-endian, bounds-checked reads over one record; every failure names LSN and offset. */
class RecordCursor {
  offset = RECORD_HEADER_SIZE;
  constructor(
    private readonly buf: Buffer,
    private readonly lsn: Lsn,
  ) {}

  fail(field: string, reason: string, offset = this.offset): never {
    throw new ProtocolError({ message: 'WAL record', field, lsn: this.lsn, offset, reason });
  }
  private need(n: number, field: string): void {
    if (this.buf.length - this.offset < n) this.fail(field, `needs ${n} bytes, ${this.buf.length - this.offset} left`);
  }
  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.offset++]!;
  }
  u16(field: string): number {
    this.need(2, field);
    const v = this.buf.readUInt16LE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(field: string): number {
    this.need(4, field);
    const v = this.buf.readUInt32LE(this.offset);
    this.offset += 4;
    return v;
  }
}

export interface RecordDecodeOptions {
  /** Server major version (12–18): the image flag bits changed in 15. */
  major: number;
  blockSize: number;
}

/** Decodes a framed record's headers the way xlogreader.c's DecodeXLogRecord checks them. */
export function decodeWalRecord(framed: FramedRecord, options: RecordDecodeOptions): WalRecord {
  const buf = framed.bytes;
  const c = new RecordCursor(buf, framed.lsn);
  const headers = readHeaders(c, buf.length, options);
  const { fpiLength, mainDataOffset } = placeBlockData(headers.blocks, c.offset);
  return {
    lsn: framed.lsn,
    endLsn: framed.endLsn,
    prevLsn: buf.readBigUInt64LE(8),
    xid: buf.readUInt32LE(4),
    info: buf[16]!,
    rmid: buf[17]!,
    totalLength: buf.length,
    mainDataLength: headers.mainDataLength,
    fpiLength,
    blocks: headers.blocks,
    origin: headers.origin === ORIGIN_INVALID ? null : headers.origin,
    toplevelXid: headers.toplevelXid,
    bytes: buf,
    mainDataOffset,
  };
}

interface RecordHeaders {
  blocks: BlockRef[];
  origin: number | null;
  toplevelXid: number | null;
  mainDataLength: number;
}

/**
 * The block headers after the fixed record header, up to the main-data header; afterwards the
 * cursor stands at the first data byte and the data the headers announce must fill the rest.
 */
function readHeaders(c: RecordCursor, length: number, options: RecordDecodeOptions): RecordHeaders {
  const flags = imageFlagsFor(options.major);
  const out: RecordHeaders = { blocks: [], origin: null, toplevelXid: null, mainDataLength: 0 };
  let dataTotal = 0;
  let last: Pick<BlockRef, 'tablespace' | 'database' | 'relfilenode'> | undefined;
  while (length - c.offset > dataTotal) {
    const at = c.offset;
    const id = c.u8('block id');
    if (id === XLR_BLOCK_ID_DATA_SHORT || id === XLR_BLOCK_ID_DATA_LONG) {
      out.mainDataLength = id === XLR_BLOCK_ID_DATA_SHORT ? c.u8('main data length') : c.u32('main data length');
      dataTotal += out.mainDataLength;
      break;
    }
    if (id === XLR_BLOCK_ID_ORIGIN) {
      out.origin = c.u16('origin');
      continue;
    }
    if (id === XLR_BLOCK_ID_TOPLEVEL_XID) {
      out.toplevelXid = c.u32('toplevel xid');
      continue;
    }
    if (id > XLR_MAX_BLOCK_ID) c.fail('block id', `invalid block_id ${id}`, at);
    const prev = out.blocks[out.blocks.length - 1];
    if (prev && id <= prev.id) c.fail('block id', `out-of-order block_id ${id}`, at);
    const block = readBlockHeader(c, id, flags, options.blockSize, last);
    last = block;
    dataTotal += block.dataLength + (block.image?.length ?? 0);
    out.blocks.push(block);
  }
  if (length - c.offset !== dataTotal)
    c.fail('record length', `headers announce ${dataTotal} data bytes, ${length - c.offset} follow`);
  return out;
}

/** Sets each block's data offset (data follows in block order, each image before its data). */
function placeBlockData(blocks: BlockRef[], dataStart: number): { fpiLength: number; mainDataOffset: number } {
  let offset = dataStart;
  let fpiLength = 0;
  for (const b of blocks) {
    if (b.image) {
      offset += b.image.length;
      fpiLength += b.image.length;
    }
    b.dataOffset = offset;
    offset += b.dataLength;
  }
  return { fpiLength, mainDataOffset: offset };
}

function readBlockHeader(
  c: RecordCursor,
  id: number,
  flags: ImageFlags,
  blockSize: number,
  last: Pick<BlockRef, 'tablespace' | 'database' | 'relfilenode'> | undefined,
): BlockRef {
  const forkFlags = c.u8('fork flags');
  const forkNumber = forkFlags & BKPBLOCK_FORK_MASK;
  const fork = FORK_NAMES[forkNumber];
  if (fork === undefined) c.fail('fork flags', `invalid fork number ${forkNumber}`, c.offset - 1);
  const dataLength = c.u16('data length');
  const hasData = (forkFlags & BKPBLOCK_HAS_DATA) !== 0;
  if (hasData !== dataLength > 0)
    c.fail('data length', `BKPBLOCK_HAS_DATA ${hasData ? 'set' : 'not set'} but data length is ${dataLength}`);
  const image = forkFlags & BKPBLOCK_HAS_IMAGE ? readImageHeader(c, flags, blockSize) : null;
  let rel = last;
  if (!(forkFlags & BKPBLOCK_SAME_REL)) {
    rel = { tablespace: c.u32('tablespace'), database: c.u32('database'), relfilenode: c.u32('relfilenode') };
  } else if (!rel) {
    c.fail('fork flags', 'BKPBLOCK_SAME_REL set but no previous relation');
  }
  const block = c.u32('block number');
  return {
    id,
    tablespace: rel!.tablespace,
    database: rel!.database,
    relfilenode: rel!.relfilenode,
    fork,
    block,
    willInit: (forkFlags & BKPBLOCK_WILL_INIT) !== 0,
    dataLength,
    image,
    dataOffset: 0,
  };
}

function readImageHeader(c: RecordCursor, flags: ImageFlags, blockSize: number): PageImage {
  const at = c.offset;
  const length = c.u16('image length');
  const holeOffset = c.u16('hole offset');
  const info = c.u8('image info');
  const compression = flags.compression.find(([bit]) => info & bit)?.[1] ?? null;
  const hasHole = (info & flags.hasHole) !== 0;
  let holeLength = 0;
  if (compression) {
    if (hasHole) holeLength = c.u16('hole length');
  } else {
    holeLength = blockSize - length;
  }
  // The consistency checks xlogreader makes before trusting an image's lengths.
  if (hasHole && (holeOffset === 0 || holeLength === 0 || length === blockSize))
    c.fail(
      'image',
      `BKPIMAGE_HAS_HOLE set, but hole offset ${holeOffset} length ${holeLength} image length ${length}`,
      at,
    );
  if (!hasHole && (holeOffset !== 0 || holeLength !== 0))
    c.fail('image', `BKPIMAGE_HAS_HOLE not set, but hole offset ${holeOffset} length ${holeLength}`, at);
  if (compression && length === blockSize) c.fail('image', `compressed image has full length ${length}`, at);
  if (!hasHole && !compression && length !== blockSize)
    c.fail('image', `neither hole nor compression, but image length ${length}`, at);
  return { length, holeOffset, holeLength, compression, apply: (info & flags.apply) !== 0 };
}
