import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLsn } from '../../shared/lsn';
import type { DecodedMessage, Tuple } from '../../shared/messages';
import { tupleEntries } from '../../shared/tuple';
import { createDecoder } from '../../main/decoders/decoder';
import { fullMajors, startPostgres, type PgServer } from '../support/postgres';
import { capture, clientConfig } from '../support/streams';

/**
 * A row change reduced to what both plugins can express. test_decoding prints the old row as
 * "old-key:" whether it is a key or a whole row (REPLICA IDENTITY FULL) and pgoutput's key tuple
 * carries NULLs for non-key columns, so old/key tuples are compared without NULL entries.
 */
function normalize(m: DecodedMessage): string | undefined {
  // `[name, value]` pairs in column order: names and order are part of what must agree.
  const clean = (t: Tuple | undefined, dropNulls: boolean): unknown =>
    t && tupleEntries(t).filter(([, v]) => !(dropNulls && v === null));
  switch (m.type) {
    case 'insert':
      return JSON.stringify(['I', m.schema, m.table, clean(m.new, false)]);
    case 'update':
      return JSON.stringify(['U', m.schema, m.table, clean(m.new, false), clean(m.old ?? m.key, true) ?? null]);
    case 'delete':
      return JSON.stringify(['D', m.schema, m.table, clean(m.old ?? m.key, true) ?? null]);
    case 'truncate':
      return JSON.stringify(['T', [...m.relations].sort()]);
    default:
      return undefined;
  }
}

// The same WAL decoded twice: by our pgoutput decoder over the streaming protocol, and by the
// server's test_decoding through pg_logical_slot_peek_changes parsed by our test_decoding parser.
// They must agree row for row.
describe.each(fullMajors())('pgoutput vs test_decoding on PostgreSQL %i', (major) => {
  let server: PgServer;

  beforeAll(async () => {
    server = await startPostgres({ major });
    await server.query(`
      CREATE TABLE d1 (id int PRIMARY KEY, t text, b boolean, n numeric, ts timestamptz, j jsonb, by bytea,
                       arr int[], bits bit(4), f float8, big text);
      ALTER TABLE d1 ALTER COLUMN big SET STORAGE EXTERNAL;
      CREATE TABLE "Odd ""Name""" (k text PRIMARY KEY, v text);
      CREATE TABLE d_full (a int, b text);
      CREATE TABLE d_odd (id int PRIMARY KEY, "__proto__" text, "2" text, "1" text, "constructor" text,
                          "a""b" text, "back\\slash" text, "ünï 🐘" text, " " text, "hasOwnProperty" int);
      ALTER TABLE d_full REPLICA IDENTITY FULL;
      CREATE PUBLICATION pub FOR ALL TABLES;`);
    await server.query(`SELECT pg_create_logical_replication_slot('diff_pg', 'pgoutput')`);
    await server.query(`SELECT pg_create_logical_replication_slot('diff_td', 'test_decoding')`);
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('agree row for row', async () => {
    await server.query(`
      INSERT INTO d1 SELECT g, 'text ' || g || ' ''q'' ünï', g % 2 = 0, g * 1.25, '2026-01-02 03:04:05.678+00',
                           jsonb_build_object('k', g, 's', 'x y'), '\\x00ff'::bytea, ARRAY[g, NULL, 3], B'1010', 0.1 * g,
                           CASE WHEN g = 1 THEN repeat('B', 4000) END
        FROM generate_series(1, 50) g;
      UPDATE d1 SET t = 'changed' WHERE id = 1;
      UPDATE d1 SET id = 1000 WHERE id = 2;
      UPDATE d1 SET b = NULL, t = '' WHERE id BETWEEN 3 AND 5;
      DELETE FROM d1 WHERE id > 40;
      INSERT INTO "Odd ""Name""" VALUES ('a b', 'with "quotes"'), ('', NULL);
      UPDATE "Odd ""Name""" SET v = 'v2';
      INSERT INTO d_full VALUES (1, 'x'), (2, NULL);
      UPDATE d_full SET b = 'y' WHERE a = 2;
      DELETE FROM d_full WHERE a = 1;
      TRUNCATE d_full;
      INSERT INTO d_odd VALUES (1, 'p', 'two', 'one', 'c', 'q"', 'b\\s', 'u', 'sp', 5), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
      UPDATE d_odd SET "1" = 'uno', "__proto__" = NULL WHERE id = 1;
      UPDATE d_odd SET id = 3 WHERE id = 2;
      DELETE FROM d_odd WHERE id = 1;`);
    await server.query(`BEGIN; INSERT INTO d1 (id, t) VALUES (500, 'second tx'); COMMIT;`);
    const [{ lsn: end }] = (await server.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
      { lsn: string },
    ];

    const c = capture({
      connection: clientConfig(server),
      source: { kind: 'copy', slot: 'diff_pg' },
      publications: ['pub'],
      endLsn: parseLsn(end),
    });
    await c.done;
    const fromPgoutput = c.messages.map(normalize).filter((x): x is string => x !== undefined);

    const peeked = await server.query<{ lsn: string; data: string }>(
      `SELECT lsn::text, data FROM pg_logical_slot_peek_changes('diff_td', $1::pg_lsn, NULL, 'include-xids', '1')`,
      [end],
    );
    const td = createDecoder('test_decoding');
    const fromTestDecoding = peeked
      .map((r) => td.decode(Buffer.from(r.data, 'utf8'), parseLsn(r.lsn)))
      .map(normalize)
      .filter((x): x is string => x !== undefined);

    expect(fromPgoutput.length).toBe(81);
    const oddInsert = c.messages.find((m) => m.type === 'insert' && m.table === 'd_odd');
    expect(oddInsert?.type === 'insert' && oddInsert.new.names).toEqual([
      'id',
      '__proto__',
      '2',
      '1',
      'constructor',
      'a"b',
      'back\\slash',
      'ünï 🐘',
      ' ',
      'hasOwnProperty',
    ]);
    expect(fromPgoutput).toEqual(fromTestDecoding);
  });
});
