import { formatLsn } from '../../shared/lsn';
import type { WalBlockJson, WalRecordJson } from '../../shared/wal';
import { describeRecord } from './describe';
import type { RelationNames } from './relation-names';
import { recordTypeName, rmgrName } from './rmgr-names';
import type { WalRecord } from './wal-record';

/** The edge form of a record (CLI NDJSON, UI), with relation names where the cache has them. */
export function toWalRecordJson(r: WalRecord, major: number, names?: RelationNames): WalRecordJson {
  const blocks = r.blocks.map((b): WalBlockJson => {
    const json: WalBlockJson = {
      id: b.id,
      tablespace: b.tablespace,
      database: b.database,
      relfilenode: b.relfilenode,
      fork: b.fork,
      block: b.block,
      fpi: b.image?.length ?? 0,
      dataLength: b.dataLength,
    };
    if (b.image) {
      json.holeOffset = b.image.holeOffset;
      json.holeLength = b.image.holeLength;
      if (b.image.compression) json.compression = b.image.compression;
    }
    const name = names?.known(b);
    if (name) json.relation = name;
    return json;
  });
  const out: WalRecordJson = {
    lsn: formatLsn(r.lsn),
    endLsn: formatLsn(r.endLsn),
    prevLsn: formatLsn(r.prevLsn),
    xid: r.xid,
    rmgr: rmgrName(r.rmid),
    recordType: recordTypeName(r.rmid, r.info, major),
    recordLength: r.totalLength,
    mainDataLength: r.mainDataLength,
    fpiLength: r.fpiLength,
    blocks,
  };
  const relation = blocks.find((b) => b.relation)?.relation;
  if (relation) out.relation = relation;
  const description = describeRecord(r, major);
  if (description !== undefined && description !== '') out.description = description;
  if (r.origin !== null) out.origin = r.origin;
  if (r.toplevelXid !== null) out.toplevelXid = r.toplevelXid;
  return out;
}
