import type { WalRecordJson } from '../../shared/wal';

/** One row of "WAL by resource manager and record type", as pg_waldump --stats=record counts it. */
export interface WalTypeStats {
  rmgr: string;
  recordType: string;
  count: number;
  /** Record bytes without full-page images (pg_waldump's "record size"). */
  recordBytes: number;
  fpiBytes: number;
  /** recordBytes + fpiBytes. */
  combinedBytes: number;
}

export interface WalTopEntry {
  key: string;
  records: number;
  bytes: number;
  fpiBytes: number;
}

export interface WalWindowStats {
  from: string | null;
  to: string | null;
  records: number;
  bytes: number;
  fpiBytes: number;
  /** Records with at least one full-page image. */
  fpiRecords: number;
  byRecordType: WalTypeStats[];
  byRmgr: WalTypeStats[];
  topRelations: WalTopEntry[];
  topTransactions: WalTopEntry[];
  checkpoints: { lsn: string; recordType: string }[];
  segmentSwitches: string[];
}

const CHECKPOINT_TYPES = new Set(['CHECKPOINT_ONLINE', 'CHECKPOINT_SHUTDOWN', 'CHECKPOINT_REDO']);

/**
 * Aggregates records over a window: by record type and resource manager (count, bytes, FPI
 * bytes), by relation (a record's bytes go to its first block's relation), by top-level
 * transaction, plus checkpoints and segment switches. Relations and transactions are kept in
 * bounded maps (the smallest entries are evicted past `maxKeys`), so a window's memory is bounded.
 */
export class WalStatsWindow {
  private from: string | null = null;
  private to: string | null = null;
  private records = 0;
  private bytes = 0;
  private fpiBytes = 0;
  private fpiRecords = 0;
  private readonly types = new Map<string, WalTypeStats>();
  private readonly relations = new Map<string, WalTopEntry>();
  private readonly xids = new Map<string, WalTopEntry>();
  private readonly checkpoints: { lsn: string; recordType: string }[] = [];
  private readonly switches: string[] = [];

  constructor(private readonly maxKeys = 5_000) {}

  add(r: WalRecordJson): void {
    this.from ??= r.lsn;
    this.to = r.endLsn;
    this.records += 1;
    this.bytes += r.recordLength;
    this.fpiBytes += r.fpiLength;
    if (r.fpiLength > 0) this.fpiRecords += 1;
    const typeKey = `${r.rmgr}/${r.recordType}`;
    let t = this.types.get(typeKey);
    if (!t) {
      t = { rmgr: r.rmgr, recordType: r.recordType, count: 0, recordBytes: 0, fpiBytes: 0, combinedBytes: 0 };
      this.types.set(typeKey, t);
    }
    t.count += 1;
    t.recordBytes += r.recordLength - r.fpiLength;
    t.fpiBytes += r.fpiLength;
    t.combinedBytes += r.recordLength;
    const first = r.blocks[0];
    if (first) {
      const rel = first.relation ?? `${first.tablespace}/${first.database}/${first.relfilenode}`;
      this.bump(this.relations, rel, r);
    }
    const xid = r.toplevelXid ?? r.xid;
    if (xid !== 0) this.bump(this.xids, String(xid), r);
    if (r.rmgr === 'XLOG' && CHECKPOINT_TYPES.has(r.recordType))
      this.checkpoints.push({ lsn: r.lsn, recordType: r.recordType });
    if (r.rmgr === 'XLOG' && r.recordType === 'SWITCH') this.switches.push(r.lsn);
  }

  private bump(map: Map<string, WalTopEntry>, key: string, r: WalRecordJson): void {
    let e = map.get(key);
    if (!e) {
      if (map.size >= this.maxKeys) evictSmallest(map);
      e = { key, records: 0, bytes: 0, fpiBytes: 0 };
      map.set(key, e);
    }
    e.records += 1;
    e.bytes += r.recordLength;
    e.fpiBytes += r.fpiLength;
  }

  snapshot(top = 10): WalWindowStats {
    const byType = [...this.types.values()].sort((a, b) => b.combinedBytes - a.combinedBytes);
    const largest = (m: Map<string, WalTopEntry>): WalTopEntry[] =>
      [...m.values()]
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, top)
        .map((e) => ({ ...e }));
    return {
      from: this.from,
      to: this.to,
      records: this.records,
      bytes: this.bytes,
      fpiBytes: this.fpiBytes,
      fpiRecords: this.fpiRecords,
      byRecordType: byType.map((t) => ({ ...t })),
      byRmgr: rmgrTotals(byType),
      topRelations: largest(this.relations),
      topTransactions: largest(this.xids),
      checkpoints: [...this.checkpoints],
      segmentSwitches: [...this.switches],
    };
  }
}

/** Drops the smaller half at once, so a stream of new keys costs O(log n) per record, not O(n). */
function evictSmallest(map: Map<string, WalTopEntry>): void {
  const sorted = [...map.values()].sort((a, b) => a.bytes - b.bytes);
  for (const e of sorted.slice(0, Math.ceil(sorted.length / 2))) map.delete(e.key);
}

/** Several windows as one (the WAL tab's window is made of one-second windows). */
export function mergeWindows(list: readonly WalWindowStats[], top = 10): WalWindowStats {
  const types = new Map<string, WalTypeStats>();
  const rels = new Map<string, WalTopEntry>();
  const xids = new Map<string, WalTopEntry>();
  const out: WalWindowStats = {
    from: list.find((w) => w.from)?.from ?? null,
    to: [...list].reverse().find((w) => w.to)?.to ?? null,
    records: 0,
    bytes: 0,
    fpiBytes: 0,
    fpiRecords: 0,
    byRecordType: [],
    byRmgr: [],
    topRelations: [],
    topTransactions: [],
    checkpoints: [],
    segmentSwitches: [],
  };
  const addTop = (m: Map<string, WalTopEntry>, e: WalTopEntry): void => {
    const t = m.get(e.key) ?? { key: e.key, records: 0, bytes: 0, fpiBytes: 0 };
    t.records += e.records;
    t.bytes += e.bytes;
    t.fpiBytes += e.fpiBytes;
    m.set(e.key, t);
  };
  for (const w of list) {
    out.records += w.records;
    out.bytes += w.bytes;
    out.fpiBytes += w.fpiBytes;
    out.fpiRecords += w.fpiRecords;
    for (const t of w.byRecordType) {
      const key = `${t.rmgr}/${t.recordType}`;
      const m = types.get(key) ?? { ...t, count: 0, recordBytes: 0, fpiBytes: 0, combinedBytes: 0 };
      m.count += t.count;
      m.recordBytes += t.recordBytes;
      m.fpiBytes += t.fpiBytes;
      m.combinedBytes += t.combinedBytes;
      types.set(key, m);
    }
    for (const e of w.topRelations) addTop(rels, e);
    for (const e of w.topTransactions) addTop(xids, e);
    out.checkpoints.push(...w.checkpoints);
    out.segmentSwitches.push(...w.segmentSwitches);
  }
  const merged = [...types.values()].sort((a, b) => b.combinedBytes - a.combinedBytes);
  out.byRecordType = merged;
  out.byRmgr = rmgrTotals(merged);
  const largest = (m: Map<string, WalTopEntry>): WalTopEntry[] =>
    [...m.values()].sort((a, b) => b.bytes - a.bytes).slice(0, top);
  out.topRelations = largest(rels);
  out.topTransactions = largest(xids);
  return out;
}

/** Per resource manager: the sum of its record types. */
export function rmgrTotals(byType: readonly WalTypeStats[]): WalTypeStats[] {
  const rmgrs = new Map<string, WalTypeStats>();
  for (const t of byType) {
    const r = rmgrs.get(t.rmgr) ?? { ...t, recordType: '', count: 0, recordBytes: 0, fpiBytes: 0, combinedBytes: 0 };
    r.count += t.count;
    r.recordBytes += t.recordBytes;
    r.fpiBytes += t.fpiBytes;
    r.combinedBytes += t.combinedBytes;
    rmgrs.set(t.rmgr, r);
  }
  return [...rmgrs.values()].sort((a, b) => b.combinedBytes - a.combinedBytes);
}
