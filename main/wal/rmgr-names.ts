/**
 * Resource manager and record type names exactly as the server prints them (rmgrlist.h and the
 * `*_identify` functions of src/backend/access/rmgrdesc/*desc.c), per major version 12–18. The
 * record type is decided by the rmgr's bits of xl_info (the high four).
 */
export const RMGR_NAMES = [
  'XLOG',
  'Transaction',
  'Storage',
  'CLOG',
  'Database',
  'Tablespace',
  'MultiXact',
  'RelMap',
  'Standby',
  'Heap2',
  'Heap',
  'Btree',
  'Hash',
  'Gin',
  'Gist',
  'Sequence',
  'SPGist',
  'BRIN',
  'CommitTs',
  'ReplicationOrigin',
  'Generic',
  'LogicalMessage',
] as const;

/** Ids 128–255 are custom resource managers (PostgreSQL 15+), shown by id. */
export const RM_MIN_CUSTOM_ID = 128;

export function rmgrName(rmid: number): string {
  const name = RMGR_NAMES[rmid];
  if (name) return name;
  if (rmid >= RM_MIN_CUSTOM_ID) return `custom${String(rmid).padStart(3, '0')}`;
  return `unknown${rmid}`;
}

type TypeTable = Readonly<Record<number, string>>;
const INIT = 0x80;
const when = (cond: boolean, t: Record<number, string>): Record<number, string> => (cond ? t : {});
const withInit = (t: Record<number, string>, ops: readonly number[]): TypeTable => {
  const out: Record<number, string> = { ...t };
  for (const op of ops) out[op | INIT] = `${t[op]}+INIT`;
  return out;
};

const xlog = (major: number): TypeTable => ({
  0x00: 'CHECKPOINT_SHUTDOWN',
  0x10: 'CHECKPOINT_ONLINE',
  0x20: 'NOOP',
  0x30: 'NEXTOID',
  0x40: 'SWITCH',
  0x50: 'BACKUP_END',
  0x60: 'PARAMETER_CHANGE',
  0x70: 'RESTORE_POINT',
  0x80: 'FPW_CHANGE',
  0x90: 'END_OF_RECOVERY',
  0xa0: 'FPI_FOR_HINT',
  0xb0: 'FPI',
  0xd0: 'OVERWRITE_CONTRECORD',
  ...when(major >= 17, { 0xe0: 'CHECKPOINT_REDO' }),
});
const xact = (major: number): TypeTable => ({
  0x00: 'COMMIT',
  0x10: 'PREPARE',
  0x20: 'ABORT',
  0x30: 'COMMIT_PREPARED',
  0x40: 'ABORT_PREPARED',
  0x50: 'ASSIGNMENT',
  ...when(major >= 14, { 0x60: 'INVALIDATION' }),
});
const heap2 = (major: number): TypeTable => {
  const common = { 0x00: 'REWRITE', 0x40: 'VISIBLE', 0x50: 'MULTI_INSERT', 0x60: 'LOCK_UPDATED', 0x70: 'NEW_CID' };
  const prune =
    major >= 17
      ? { 0x10: 'PRUNE_ON_ACCESS', 0x20: 'PRUNE_VACUUM_SCAN', 0x30: 'PRUNE_VACUUM_CLEANUP' }
      : major >= 14
        ? { 0x10: 'PRUNE', 0x20: 'VACUUM', 0x30: 'FREEZE_PAGE' }
        : { 0x10: 'CLEAN', 0x20: 'FREEZE_PAGE', 0x30: 'CLEANUP_INFO' };
  return withInit({ ...common, ...prune }, [0x50]);
};
const HEAP = withInit(
  {
    0x00: 'INSERT',
    0x10: 'DELETE',
    0x20: 'UPDATE',
    0x30: 'TRUNCATE',
    0x40: 'HOT_UPDATE',
    0x50: 'HEAP_CONFIRM',
    0x60: 'LOCK',
    0x70: 'INPLACE',
  },
  [0x00, 0x20, 0x40],
);
const btree = (major: number): TypeTable => ({
  0x00: 'INSERT_LEAF',
  0x10: 'INSERT_UPPER',
  0x20: 'INSERT_META',
  0x30: 'SPLIT_L',
  0x40: 'SPLIT_R',
  ...when(major >= 13, { 0x50: 'INSERT_POST', 0x60: 'DEDUP' }),
  0x70: 'DELETE',
  0x80: 'UNLINK_PAGE',
  0x90: 'UNLINK_PAGE_META',
  0xa0: 'NEWROOT',
  0xb0: 'MARK_PAGE_HALFDEAD',
  0xc0: 'VACUUM',
  0xd0: 'REUSE_PAGE',
  0xe0: 'META_CLEANUP',
});
const database = (major: number): TypeTable =>
  major >= 15 ? { 0x00: 'CREATE_FILE_COPY', 0x10: 'CREATE_WAL_LOG', 0x20: 'DROP' } : { 0x00: 'CREATE', 0x10: 'DROP' };
const gist = (major: number): TypeTable => ({
  0x00: 'PAGE_UPDATE',
  0x10: 'DELETE',
  0x20: 'PAGE_REUSE',
  0x30: 'PAGE_SPLIT',
  0x60: 'PAGE_DELETE',
  ...when(major >= 14, { 0x70: 'ASSIGN_LSN' }),
});
const commitTs = (major: number): TypeTable => ({
  0x00: 'ZEROPAGE',
  0x10: 'TRUNCATE',
  ...when(major < 14, { 0x20: 'SETTS' }),
});
const FIXED: Readonly<Record<string, TypeTable>> = {
  Storage: { 0x10: 'CREATE', 0x20: 'TRUNCATE' },
  CLOG: { 0x00: 'ZEROPAGE', 0x10: 'TRUNCATE' },
  Tablespace: { 0x00: 'CREATE', 0x10: 'DROP' },
  MultiXact: { 0x00: 'ZERO_OFF_PAGE', 0x10: 'ZERO_MEM_PAGE', 0x20: 'CREATE_ID', 0x30: 'TRUNCATE_ID' },
  RelMap: { 0x00: 'UPDATE' },
  Standby: { 0x00: 'LOCK', 0x10: 'RUNNING_XACTS', 0x20: 'INVALIDATIONS' },
  Heap: HEAP,
  Hash: {
    0x00: 'INIT_META_PAGE',
    0x10: 'INIT_BITMAP_PAGE',
    0x20: 'INSERT',
    0x30: 'ADD_OVFL_PAGE',
    0x40: 'SPLIT_ALLOCATE_PAGE',
    0x50: 'SPLIT_PAGE',
    0x60: 'SPLIT_COMPLETE',
    0x70: 'MOVE_PAGE_CONTENTS',
    0x80: 'SQUEEZE_PAGE',
    0x90: 'DELETE',
    0xa0: 'SPLIT_CLEANUP',
    0xb0: 'UPDATE_META_PAGE',
    0xc0: 'VACUUM_ONE_PAGE',
  },
  Gin: {
    0x10: 'CREATE_PTREE',
    0x20: 'INSERT',
    0x30: 'SPLIT',
    0x40: 'VACUUM_PAGE',
    0x50: 'DELETE_PAGE',
    0x60: 'UPDATE_META_PAGE',
    0x70: 'INSERT_LISTPAGE',
    0x80: 'DELETE_LISTPAGE',
    0x90: 'VACUUM_DATA_LEAF_PAGE',
  },
  Sequence: { 0x00: 'LOG' },
  SPGist: {
    0x10: 'ADD_LEAF',
    0x20: 'MOVE_LEAFS',
    0x30: 'ADD_NODE',
    0x40: 'SPLIT_TUPLE',
    0x50: 'PICKSPLIT',
    0x60: 'VACUUM_LEAF',
    0x70: 'VACUUM_ROOT',
    0x80: 'VACUUM_REDIRECT',
  },
  BRIN: withInit(
    {
      0x00: 'CREATE_INDEX',
      0x10: 'INSERT',
      0x20: 'UPDATE',
      0x30: 'SAMEPAGE_UPDATE',
      0x40: 'REVMAP_EXTEND',
      0x50: 'DESUMMARIZE',
    },
    [0x10, 0x20],
  ),
  ReplicationOrigin: { 0x00: 'SET', 0x10: 'DROP' },
  Generic: { 0x00: 'Generic' },
  LogicalMessage: { 0x00: 'MESSAGE' },
};

const VERSIONED: Readonly<Record<string, (major: number) => TypeTable>> = {
  XLOG: xlog,
  Transaction: xact,
  Heap2: heap2,
  Btree: btree,
  Database: database,
  Gist: gist,
  CommitTs: commitTs,
};

const XACT_OPMASK = 0x70;
const cache = new Map<number, Map<number, TypeTable>>();

function tableFor(rmid: number, major: number): TypeTable | undefined {
  let byRmgr = cache.get(major);
  if (!byRmgr) cache.set(major, (byRmgr = new Map()));
  let t = byRmgr.get(rmid);
  if (t === undefined) {
    const name = RMGR_NAMES[rmid];
    if (!name) return undefined;
    t = VERSIONED[name]?.(major) ?? FIXED[name] ?? {};
    byRmgr.set(rmid, t);
  }
  return t;
}

/** The record type as the server names it; "UNKNOWN (x)" as pg_walinspect prints an unnamed one. */
export function recordTypeName(rmid: number, info: number, major: number): string {
  let bits = info & 0xf0;
  // xact_identify ignores XLOG_XACT_HAS_INFO (0x80): the operation is the next three bits.
  if (rmid === 1) bits &= XACT_OPMASK;
  const name = tableFor(rmid, major)?.[bits];
  return name ?? `UNKNOWN (${(info & 0xf0).toString(16)})`;
}
