/**
 * Constants of the on-disk WAL format shared by PostgreSQL 12–18
 * (src/include/access/xlog_internal.h, xlogrecord.h). WAL is written in the server's native byte
 * order; WALscope reads it little-endian (x86-64 and arm64 servers) and says so when a page
 * header's magic does not read as a known value.
 */

/** Fields are 8-byte aligned on 64-bit servers (MAXIMUM_ALIGNOF). */
export const MAXALIGN = 8;
export function maxAlign(n: number): number {
  return (n + MAXALIGN - 1) & ~(MAXALIGN - 1);
}

/** XLogPageHeaderData (20 bytes) MAXALIGNed. */
export const SHORT_PAGE_HEADER_SIZE = 24;
/** XLogLongPageHeaderData (adds system id, segment size, block size) MAXALIGNed. */
export const LONG_PAGE_HEADER_SIZE = 40;

export const XLP_FIRST_IS_CONTRECORD = 0x0001;
export const XLP_LONG_HEADER = 0x0002;

/** XLogRecord: tot_len u32, xid u32, prev u64, info u8, rmid u8, 2 pad, crc u32. */
export const RECORD_HEADER_SIZE = 24;
export const RECORD_CRC_OFFSET = 20;
/** XLogRecordMaxSize (1020 MB): the server never writes a longer record. */
export const RECORD_MAX_SIZE = 1020 * 1024 * 1024;

/** xl_info bits the resource manager owns; the low four are XLogInsert's. */
export const XLR_INFO_MASK = 0x0f;

export const XLR_MAX_BLOCK_ID = 32;
export const XLR_BLOCK_ID_DATA_SHORT = 255;
export const XLR_BLOCK_ID_DATA_LONG = 254;
export const XLR_BLOCK_ID_ORIGIN = 253;
export const XLR_BLOCK_ID_TOPLEVEL_XID = 252;

export const BKPBLOCK_FORK_MASK = 0x0f;
export const BKPBLOCK_HAS_IMAGE = 0x10;
export const BKPBLOCK_HAS_DATA = 0x20;
export const BKPBLOCK_WILL_INIT = 0x40;
export const BKPBLOCK_SAME_REL = 0x80;

/** bimg_info bits: their layout changed in PostgreSQL 15 (LZ4 and zstd compression). */
export interface ImageFlags {
  hasHole: number;
  apply: number;
  /** Compression methods and the name each reports. */
  compression: readonly (readonly [bit: number, method: FpiCompression])[];
}
export type FpiCompression = 'pglz' | 'lz4' | 'zstd';
const IMAGE_FLAGS_12: ImageFlags = { hasHole: 0x01, apply: 0x04, compression: [[0x02, 'pglz']] };
const IMAGE_FLAGS_15: ImageFlags = {
  hasHole: 0x01,
  apply: 0x02,
  compression: [
    [0x04, 'pglz'],
    [0x08, 'lz4'],
    [0x10, 'zstd'],
  ],
};
export function imageFlagsFor(major: number): ImageFlags {
  return major >= 15 ? IMAGE_FLAGS_15 : IMAGE_FLAGS_12;
}

export const FORK_NAMES = ['main', 'fsm', 'vm', 'init'] as const;
export type ForkName = (typeof FORK_NAMES)[number];

/** RM_XLOG_ID and XLOG_SWITCH: the rest of the segment after this record is unused. */
export const RM_XLOG_ID = 0;
export const XLOG_SWITCH = 0x40;
