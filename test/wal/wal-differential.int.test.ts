import { describe, expect, it } from 'vitest';
import { parseLsn } from '../../shared/lsn';
import type { WalRecordJson } from '../../shared/wal';
import { runCli } from '../support/cli';
import { allMajors, startPostgres, type PgServer } from '../support/postgres';

// Live WAL against the server's own reader: every record of a varied workload, decoded from the
// physical stream by `walscope wal`, must equal what pg_walinspect reads from the WAL files.

async function lsnNow(s: PgServer): Promise<string> {
  const [row] = await s.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  return row!.lsn;
}

/** The workload: every kind of record a DBA sees in real WAL. */
async function workload(s: PgServer): Promise<void> {
  const q = (sql: string): Promise<unknown> => s.query(sql);
  await q('CREATE TABLE w(id int PRIMARY KEY, v text, n int)');
  await q(`INSERT INTO w SELECT g, repeat('x', g % 300), g FROM generate_series(1, 4000) g`);
  await q('UPDATE w SET n = n + 1 WHERE id % 5 = 0'); // HOT (no indexed column changes)
  await q('UPDATE w SET id = id + 100000 WHERE id % 97 = 0'); // non-HOT (the key changes)
  await q('DELETE FROM w WHERE id % 13 = 0');
  await q(`COPY w FROM PROGRAM 'seq 200001 200400 | sed "s/$/\tc\t1/"'`);
  await q('CREATE INDEX w_v ON w (v)');
  await q('CHECKPOINT'); // the next change to each page carries a full-page image
  await q('UPDATE w SET n = 0 WHERE id % 50 = 1');
  await q('VACUUM w');
  await q('CREATE SEQUENCE w_seq');
  await q(`SELECT nextval('w_seq') FROM generate_series(1, 40)`);
  await q("BEGIN; INSERT INTO w VALUES (-1, 'p', 0); PREPARE TRANSACTION 'w_2pc'");
  await q("COMMIT PREPARED 'w_2pc'");
  await q(
    "BEGIN; INSERT INTO w VALUES (-2, 's', 0); SAVEPOINT a; INSERT INTO w VALUES (-3, 's', 0); RELEASE a; SAVEPOINT b; INSERT INTO w VALUES (-4, 's', 0); ROLLBACK TO b; COMMIT",
  );
  await q("SELECT pg_logical_emit_message(true, 'walscope', 'transactional')");
  await q("SELECT pg_logical_emit_message(false, 'walscope', repeat('m', 30000))"); // spans pages
  await q('VACUUM FULL w');
  await q('CREATE TABLE w_trunc AS SELECT g FROM generate_series(1, 100) g');
  await q('TRUNCATE w_trunc');
  await q('SELECT pg_switch_wal()');
  await q(`INSERT INTO w VALUES (-5, 'after switch', 0)`);
}

async function decode(s: PgServer, start: string, end: string): Promise<WalRecordJson[]> {
  const res = await runCli(['wal', '--dsn', s.dsn(), '--start', start, '--endpos', end]);
  expect(res.code, res.stderr).toBe(0);
  return res.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as WalRecordJson);
}

interface InspectRow {
  start_lsn: string;
  end_lsn: string;
  prev_lsn: string;
  xid: string;
  resource_manager: string;
  record_type: string;
  record_length: number;
  main_data_length: number;
  fpi_length: number;
  description: string | null;
  block_ref: string | null;
}

/** block_ref text of PostgreSQL 15: "blkref #0: rel 1663/5/16394 fork main blk 0 (FPW); hole: …". */
function blocksFromText(text: string | null): { id: number; rel: string; fork: string; block: number; fpi: boolean }[] {
  const out = [];
  for (const m of (text ?? '').matchAll(/blkref #(\d+): rel (\d+\/\d+\/\d+) fork (\w+) blk (\d+)( \(FPW)?/g)) {
    out.push({ id: Number(m[1]), rel: m[2]!, fork: m[3]!, block: Number(m[4]), fpi: m[5] !== undefined });
  }
  return out;
}

const withInspect = allMajors().filter((m) => m >= 15);
const withoutInspect = allMajors().filter((m) => m < 15);

describe.each(withInspect)('walscope wal on PostgreSQL %i equals pg_walinspect', (major) => {
  it('every record: LSNs, rmgr, record type, lengths, FPI, xid, block references; descriptions it gives', async () => {
    const s = await startPostgres({
      major,
      settings: { max_prepared_transactions: 5, full_page_writes: 'on' },
      name: 'wal',
    });
    try {
      await s.query('CREATE EXTENSION pg_walinspect');
      const start = await lsnNow(s);
      await workload(s);
      const end = await lsnNow(s);
      const mine = await decode(s, start, end);
      const theirs = await s.query<InspectRow>(
        `SELECT start_lsn::text, end_lsn::text, prev_lsn::text, xid::text, resource_manager, record_type,
                record_length, main_data_length, fpi_length, description, block_ref
         FROM pg_get_wal_records_info($1, $2)`,
        [start, end],
      );
      expect(theirs.length).toBeGreaterThan(1000);
      expect(mine.map((r) => r.lsn)).toEqual(theirs.map((r) => r.start_lsn));
      const types = new Set<string>();
      for (let i = 0; i < theirs.length; i++) {
        const t = theirs[i]!;
        const r = mine[i]!;
        types.add(`${r.rmgr}/${r.recordType}`);
        expect({
          lsn: r.lsn,
          endLsn: r.endLsn,
          prevLsn: r.prevLsn,
          xid: String(r.xid),
          rmgr: r.rmgr,
          recordType: r.recordType,
          recordLength: r.recordLength,
          mainDataLength: r.mainDataLength,
          fpiLength: r.fpiLength,
        }).toEqual({
          lsn: t.start_lsn,
          endLsn: t.end_lsn,
          prevLsn: t.prev_lsn,
          xid: t.xid,
          rmgr: t.resource_manager,
          recordType: t.record_type,
          recordLength: t.record_length,
          mainDataLength: t.main_data_length,
          fpiLength: t.fpi_length,
        });
        if (r.description !== undefined) expect(`${r.lsn} ${r.description}`).toBe(`${r.lsn} ${t.description}`);
        if (major === 15) {
          expect(
            r.blocks.map((b) => ({
              id: b.id,
              rel: `${b.tablespace}/${b.database}/${b.relfilenode}`,
              fork: b.fork,
              block: b.block,
              fpi: b.fpi > 0,
            })),
          ).toEqual(blocksFromText(t.block_ref));
        }
      }
      // The workload produced what it was written to produce.
      for (const t of [
        'Heap/HOT_UPDATE',
        'Heap/UPDATE',
        'Heap/DELETE',
        'Heap2/MULTI_INSERT',
        'Btree/INSERT_LEAF',
        'XLOG/FPI',
        'XLOG/SWITCH',
        'Transaction/PREPARE',
        'Transaction/COMMIT_PREPARED',
        'LogicalMessage/MESSAGE',
        'Sequence/LOG',
        'Heap/TRUNCATE',
        'Storage/CREATE',
        'Transaction/COMMIT',
      ]) {
        expect(types, t).toContain(t);
      }
      expect(mine.some((r) => r.fpiLength > 0 && r.rmgr === 'Heap')).toBe(true);
      expect(mine.some((r) => r.relation === 'public.w')).toBe(true);
      expect(mine.filter((r) => r.description !== undefined).length).toBeGreaterThan(theirs.length / 2);
      if (major >= 16) {
        const blocks = await s.query<Record<string, string | number>>(
          `SELECT start_lsn::text AS lsn, block_id, reltablespace::int8 AS spc, reldatabase::int8 AS db,
                  relfilenode::int8 AS rel, relforknumber AS fork, relblocknumber::int8 AS blk,
                  block_data_length, block_fpi_length
           FROM pg_get_wal_block_info($1, $2, true) ORDER BY start_lsn, block_id`,
          [start, end],
        );
        const forks = ['main', 'fsm', 'vm', 'init'];
        expect(
          mine.flatMap((r) =>
            r.blocks.map((b) => [
              r.lsn,
              b.id,
              b.tablespace,
              b.database,
              b.relfilenode,
              b.fork,
              b.block,
              b.dataLength,
              b.fpi,
            ]),
          ),
        ).toEqual(
          blocks.map((b) => [
            b['lsn'],
            b['block_id'],
            Number(b['spc']),
            Number(b['db']),
            Number(b['rel']),
            forks[Number(b['fork'])],
            Number(b['blk']),
            b['block_data_length'],
            b['block_fpi_length'],
          ]),
        );
      }
    } finally {
      await s.destroy();
    }
  });
});

describe.each(withoutInspect)('walscope wal on PostgreSQL %i (no pg_walinspect)', (major) => {
  it('decodes the workload with every CRC verified and the record chain unbroken', async () => {
    const s = await startPostgres({
      major,
      settings: { max_prepared_transactions: 5, full_page_writes: 'on' },
      name: 'wal',
    });
    try {
      const start = await lsnNow(s);
      await workload(s);
      const end = await lsnNow(s);
      // The framer rejects a CRC mismatch or a broken prev-link with an error: exit 0 means none.
      const mine = await decode(s, start, end);
      expect(mine.length).toBeGreaterThan(1000);
      for (let i = 1; i < mine.length; i++) {
        expect(mine[i]!.prevLsn).toBe(mine[i - 1]!.lsn);
        const gap = parseLsn(mine[i]!.lsn) - parseLsn(mine[i - 1]!.endLsn);
        expect([0n, 24n, 40n]).toContain(gap); // a page header may sit between two records
      }
      expect(mine.some((r) => r.rmgr === 'XLOG' && r.recordType === 'SWITCH')).toBe(true);
      expect(parseLsn(mine.at(-1)!.lsn) < parseLsn(end)).toBe(true);
    } finally {
      await s.destroy();
    }
  });
});
