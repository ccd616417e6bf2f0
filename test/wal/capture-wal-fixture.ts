/**
 * Records main/wal/fixtures/pg18-wal.{bin,json}: 12 pages of real WAL from PostgreSQL 18 that begin
 * inside a record continued from the previous page (so a decoder must synchronise), with a record
 * spanning several pages, full-page images and heap/btree records; and what pg_walinspect reads
 * from the same bytes. Run: npx tsx test/wal/capture-wal-fixture.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatLsn, parseLsn } from '../../shared/lsn';
import { startPostgres } from '../support/postgres';

const PAGES = 12;
const BLCKSZ = 8192;
const OUT = path.resolve(import.meta.dirname, '../../main/wal/fixtures');

const s = await startPostgres({ major: 18, settings: { full_page_writes: 'on' }, name: 'fixture' });
try {
  await s.query('CREATE EXTENSION pg_walinspect');
  await s.query('CREATE TABLE f(id int PRIMARY KEY, v text)');
  await s.query('CHECKPOINT');
  const [{ lsn: msgStart }] = (await s.query<{ lsn: string }>(
    `SELECT pg_logical_emit_message(false, 'fixture', repeat('m', 20000))::text AS lsn`,
  )) as [{ lsn: string }];
  await s.query(`INSERT INTO f SELECT g, repeat('v', g % 200) FROM generate_series(1, 300) g`);
  await s.query(`UPDATE f SET v = 'u' WHERE id % 4 = 0`);
  await s.query('SELECT pg_switch_wal()');
  // The page after the one the long message starts on: it opens with the message's continuation.
  const message = parseLsn(msgStart) - 20100n; // the function returns the record's end; step back into it
  const first = message - (message % BigInt(BLCKSZ)) + BigInt(BLCKSZ);
  const [{ file, off }] = (await s.query<{ file: string; off: number }>(
    `SELECT file_name AS file, file_offset AS off FROM pg_walfile_name_offset($1::pg_lsn)`,
    [formatLsn(first)],
  )) as [{ file: string; off: number }];
  const seg = fs.readFileSync(path.join(s.dataDir, 'pg_wal', file));
  const bytes = seg.subarray(off, off + PAGES * BLCKSZ);
  const end = first + BigInt(PAGES * BLCKSZ);
  const records = await s.query(
    `SELECT start_lsn::text AS lsn, end_lsn::text AS "endLsn", prev_lsn::text AS "prevLsn", xid::text::int8 AS xid,
            resource_manager AS rmgr, record_type AS "recordType", record_length AS "recordLength",
            main_data_length AS "mainDataLength", fpi_length AS "fpiLength"
     FROM pg_get_wal_records_info($1, $2) WHERE end_lsn <= $2::pg_lsn`,
    [formatLsn(first), formatLsn(end)],
  );
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'pg18-wal.bin'), bytes);
  fs.writeFileSync(
    path.join(OUT, 'pg18-wal.json'),
    fixtureJson(
      formatLsn(first),
      records.map((r) => ({ ...r, xid: Number(r['xid']) })),
    ),
  );
  console.log(`wrote ${bytes.length} bytes from ${formatLsn(first)}, ${records.length} records`);
} finally {
  await s.destroy();
}

/** One record a line: readable diffs when the fixture is recorded again. */
function fixtureJson(start: string, records: Record<string, unknown>[]): string {
  const head = { start, blockSize: BLCKSZ, segmentSize: 16 * 1024 * 1024, major: 18 };
  const fields = Object.entries(head).map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  const rows = records.map((r) => `  ${JSON.stringify(r)}`).join(',\n');
  return `{\n${fields.join(',\n')},\n "records": [\n${rows}\n ]\n}\n`;
}
