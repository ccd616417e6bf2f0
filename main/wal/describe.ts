import { formatPgMicros } from '../../shared/pgtime';
import { rmgrName, recordTypeName } from './rmgr-names';
import type { WalRecord } from './wal-record';

/**
 * Descriptions of the records that dominate real WAL, in pg_waldump's wording (rmgrdesc/*desc.c):
 * PostgreSQL 16 rewrote most of them as "key: value" lists, so the wording follows the server's
 * major. A record this module does not describe gets no description rather than a guessed one.
 */
type Describe = (d: MainData, major: number, r: WalRecord) => string | undefined;

/** Little-endian reads over the record's main data; a short read yields no description. */
class MainData {
  constructor(
    private readonly buf: Buffer,
    private readonly start: number,
    readonly length: number,
  ) {}
  has(end: number): boolean {
    return end <= this.length;
  }
  u8(at: number): number {
    return this.buf[this.start + at]!;
  }
  u16(at: number): number {
    return this.buf.readUInt16LE(this.start + at);
  }
  u32(at: number): number {
    return this.buf.readUInt32LE(this.start + at);
  }
  i32(at: number): number {
    return this.buf.readInt32LE(this.start + at);
  }
  i64(at: number): bigint {
    return this.buf.readBigInt64LE(this.start + at);
  }
  u64(at: number): bigint {
    return this.buf.readBigUInt64LE(this.start + at);
  }
  bytes(at: number, n: number): Buffer {
    return this.buf.subarray(this.start + at, this.start + at + n);
  }
}

const hex2 = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;

const INFOBITS: readonly [number, string][] = [
  [0x01, 'IS_MULTI'],
  [0x02, 'LOCK_ONLY'],
  [0x04, 'EXCL_LOCK'],
  [0x08, 'KEYSHR_LOCK'],
  [0x10, 'KEYS_UPDATED'],
];
const infobitsOld = (bits: number): string =>
  INFOBITS.filter(([b]) => bits & b)
    .map(([, n]) => `${n} `)
    .join('');
const infobitsNew = (bits: number): string =>
  `[${INFOBITS.filter(([b]) => bits & b)
    .map(([, n]) => n)
    .join(', ')}]`;

const heap: Record<string, Describe> = {
  INSERT: (d, major) => {
    if (!d.has(3)) return undefined;
    return major >= 16 ? `off: ${d.u16(0)}, flags: ${hex2(d.u8(2))}` : `off ${d.u16(0)} flags ${hex2(d.u8(2))}`;
  },
  DELETE: (d, major) => {
    if (!d.has(8)) return undefined;
    const [xmax, off, bits, flags] = [d.u32(0), d.u16(4), d.u8(6), d.u8(7)];
    return major >= 16
      ? `xmax: ${xmax}, off: ${off}, infobits: ${infobitsNew(bits)}, flags: ${hex2(flags)}`
      : `off ${off} flags ${hex2(flags)} ${infobitsOld(bits)}`;
  },
  UPDATE: (d, major) => describeUpdate(d, major),
  HOT_UPDATE: (d, major) => describeUpdate(d, major),
  LOCK: (d, major) => {
    if (!d.has(8)) return undefined;
    const [xid, off, bits, flags] = [d.u32(0), d.u16(4), d.u8(6), d.u8(7)];
    return major >= 16
      ? `xmax: ${xid}, off: ${off}, infobits: ${infobitsNew(bits)}, flags: ${hex2(flags)}`
      : `off ${off}: xid ${xid}: flags ${hex2(flags)} ${infobitsOld(bits)}`;
  },
};
heap['INSERT+INIT'] = heap['INSERT']!;
heap['UPDATE+INIT'] = heap['UPDATE']!;
heap['HOT_UPDATE+INIT'] = heap['HOT_UPDATE']!;

function describeUpdate(d: MainData, major: number): string | undefined {
  if (!d.has(14)) return undefined;
  const [oldXmax, oldOff, bits, flags, newXmax, newOff] = [d.u32(0), d.u16(4), d.u8(6), d.u8(7), d.u32(8), d.u16(12)];
  return major >= 16
    ? `old_xmax: ${oldXmax}, old_off: ${oldOff}, old_infobits: ${infobitsNew(bits)}, flags: ${hex2(flags)}, new_xmax: ${newXmax}, new_off: ${newOff}`
    : `off ${oldOff} xmax ${oldXmax} flags ${hex2(flags)} ${infobitsOld(bits)}; new off ${newOff} xmax ${newXmax}`;
}

const heap2: Record<string, Describe> = {
  VISIBLE: (d, major) => {
    if (!d.has(5)) return undefined;
    return major >= 16
      ? `snapshotConflictHorizon: ${d.u32(0)}, flags: ${hex2(d.u8(4))}`
      : `cutoff xid ${d.u32(0)} flags ${hex2(d.u8(4))}`;
  },
  MULTI_INSERT: (d, major, r) => multiInsert(d, major, (r.blocks[0]?.dataLength ?? 0) === 0),
  'MULTI_INSERT+INIT': (d, major) => multiInsert(d, major, true),
};

/** The offsets are printed only when block 0 carries its data (not +INIT, no full-page image instead). */
function multiInsert(d: MainData, major: number, noOffsets: boolean): string | undefined {
  if (!d.has(4)) return undefined;
  const flags = d.u8(0);
  const n = d.u16(2);
  if (major < 16) return `${n} tuples flags ${hex2(flags)}`;
  let s = `ntuples: ${n}, flags: ${hex2(flags)}`;
  if (!noOffsets && d.has(4 + 2 * n))
    s += `, offsets: [${Array.from({ length: n }, (_, i) => d.u16(4 + 2 * i)).join(', ')}]`;
  return s;
}

const btreeInsert: Describe = (d, major) =>
  d.has(2) ? (major >= 16 ? `off: ${d.u16(0)}` : `off ${d.u16(0)}`) : undefined;
const btreeSplit: Describe = (d, major) => {
  if (!d.has(10)) return undefined;
  const [level, first, newItem, posting] = [d.u32(0), d.u16(4), d.u16(6), d.u16(8)];
  return major >= 16
    ? `level: ${level}, firstrightoff: ${first}, newitemoff: ${newItem}, postingoff: ${posting}`
    : major >= 13
      ? `level ${level}, firstrightoff ${first}, newitemoff ${newItem}, postingoff ${posting}`
      : undefined;
};
const btree: Record<string, Describe> = {
  INSERT_LEAF: btreeInsert,
  INSERT_UPPER: btreeInsert,
  INSERT_META: btreeInsert,
  SPLIT_L: btreeSplit,
  SPLIT_R: btreeSplit,
  NEWROOT: (d, major) => (d.has(8) ? (major >= 16 ? `level: ${d.u32(4)}` : `lev ${d.u32(4)}`) : undefined),
};

/** Commit/abort without extra parts (no XLOG_XACT_HAS_INFO) is just the time. */
const xactTime: Describe = (d, _major, r) => {
  if (r.info & 0x80 || !d.has(8)) return undefined;
  // timestamptz_to_str drops trailing zeros of the fraction.
  return formatPgMicros(d.i64(0))
    .replace('T', ' ')
    .replace(/\.?0*Z$/, '+00');
};
const transaction: Record<string, Describe> = { COMMIT: xactTime, ABORT: xactTime };

const standby: Record<string, Describe> = {
  RUNNING_XACTS: (d) => {
    if (!d.has(24)) return undefined;
    const xcnt = d.i32(0);
    let s = `nextXid ${d.u32(12)} latestCompletedXid ${d.u32(20)} oldestRunningXid ${d.u32(16)}`;
    if (xcnt > 0 && d.has(24 + 4 * xcnt)) {
      s += `; ${xcnt} xacts:`;
      for (let i = 0; i < xcnt; i++) s += ` ${d.u32(24 + 4 * i)}`;
    }
    if (d.u8(8)) s += '; subxid overflowed';
    return s;
  },
  LOCK: (d) => {
    if (!d.has(4)) return undefined;
    const n = d.i32(0);
    if (!d.has(4 + 12 * n)) return undefined;
    let s = '';
    for (let i = 0; i < n; i++) s += `xid ${d.u32(4 + 12 * i)} db ${d.u32(8 + 12 * i)} rel ${d.u32(12 + 12 * i)} `;
    return s;
  },
};

const FORK_SUFFIX = ['', '_fsm', '_vm', '_init'];
/** relpathperm(): where the server keeps the relation's files. */
function relPath(spc: number, db: number, rel: number, fork: number): string {
  const suffix = FORK_SUFFIX[fork] ?? '';
  if (spc === 1664) return `global/${rel}${suffix}`;
  if (spc === 1663) return `base/${db}/${rel}${suffix}`;
  return `pg_tblspc/${spc}/…/${db}/${rel}${suffix}`;
}

const storage: Record<string, Describe> = {
  CREATE: (d) => (d.has(16) ? relPath(d.u32(0), d.u32(4), d.u32(8), d.i32(12)) : undefined),
};
const sequence: Record<string, Describe> = {
  LOG: (d) => (d.has(12) ? `rel ${d.u32(0)}/${d.u32(4)}/${d.u32(8)}` : undefined),
};
const logicalMessage: Record<string, Describe> = {
  MESSAGE: (d) => {
    if (!d.has(24)) return undefined;
    const prefixSize = Number(d.u64(8));
    const size = Number(d.u64(16));
    if (!d.has(24 + prefixSize + size) || prefixSize < 1) return undefined;
    const prefix = d.bytes(24, prefixSize - 1).toString('utf8');
    const payload = Array.from(d.bytes(24 + prefixSize, size), (b) => b.toString(16).toUpperCase().padStart(2, '0'));
    const kind = d.u8(4) ? 'transactional' : 'non-transactional';
    return `${kind}, prefix "${prefix}"; payload (${size} bytes): ${payload.join(' ')}`;
  },
};
const xlog: Record<string, Describe> = {
  NEXTOID: (d) => (d.has(4) ? String(d.u32(0)) : undefined),
  RESTORE_POINT: (d) => {
    if (!d.has(8)) return undefined;
    const name = d.bytes(8, d.length - 8);
    const nul = name.indexOf(0);
    return name.subarray(0, nul < 0 ? name.length : nul).toString('utf8');
  },
};

const BY_RMGR: Readonly<Record<string, Record<string, Describe>>> = {
  Heap: heap,
  Heap2: heap2,
  Btree: btree,
  Transaction: transaction,
  Standby: standby,
  Storage: storage,
  Sequence: sequence,
  LogicalMessage: logicalMessage,
  XLOG: xlog,
};

export function describeRecord(r: WalRecord, major: number): string | undefined {
  const describe = BY_RMGR[rmgrName(r.rmid)]?.[recordTypeName(r.rmid, r.info, major)];
  if (!describe) return undefined;
  try {
    return describe(new MainData(r.bytes, r.mainDataOffset, r.mainDataLength), major, r);
  } catch {
    // Main data shorter than its struct: no description rather than a wrong one.
    return undefined;
  }
}
