import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullMajors, startPostgres, type PgServer } from './support/postgres';
import { runCli, type CliResult } from './support/cli';

// Values and names exactly as the server sent them, checked on the CLI's raw NDJSON text (a
// JSON.parse'd object would itself lose `__proto__` and reorder "1"/"2"). Issue 11.

/** Columns in table order: names a JS object loses or reorders, quoting, unicode, a space. */
const COLUMNS: [string, string][] = [
  ['id', '1'],
  ['__proto__', 'p'],
  ['2', 'two'],
  ['1', 'one'],
  ['constructor', 'c'],
  ['a"b', 'q"'],
  ['back\\slash', 'b\\s'],
  ['ünï 🐘', 'u'],
  [' ', 'sp'],
];
const ident = (n: string): string => `"${n.replace(/"/g, '""')}"`;
const literal = (v: string): string => `'${v.replace(/'/g, "''")}'`;
/** The expected `"new":{…}` text; `encode` gives each value's JSON. */
const newText = (encode: (v: string, name: string) => string): string =>
  `"new":{${COLUMNS.map(([n, v]) => `${JSON.stringify(n)}:${encode(v, n)}`).join(',')}}`;

function lines(r: CliResult): string[] {
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe.each(fullMajors())('values and names on PostgreSQL %i', (major) => {
  let server: PgServer;
  let end: string;
  const maxProto = major >= 16 ? 4 : major >= 15 ? 3 : 2;

  beforeAll(async () => {
    server = await startPostgres({ major, settings: { logical_decoding_work_mem: '64kB' } });
    await server.query(`
      CREATE TABLE odd (${COLUMNS.map(([n]) => `${ident(n)} ${n === 'id' ? 'int PRIMARY KEY' : 'text'}`).join(', ')});
      CREATE TABLE big (id int PRIMARY KEY, pad text);
      CREATE PUBLICATION pub_all FOR ALL TABLES;
      CREATE PUBLICATION "a,b" FOR TABLE odd;
      CREATE PUBLICATION "q""p" FOR TABLE odd;`);
    for (const [slot, plugin] of [
      ['v_pg', 'pgoutput'],
      ['v_td', 'test_decoding'],
    ]) {
      await server.query(`SELECT pg_create_logical_replication_slot('${slot}', '${plugin}')`);
    }
    await server.query(`INSERT INTO odd VALUES (${COLUMNS.map(([, v]) => literal(v)).join(', ')})`);
    await server.query(`SELECT pg_logical_emit_message(true, 'bin', '\\xfffe00c3'::bytea)`);
    await server.query(`SELECT pg_logical_emit_message(false, 'nontx', '\\x80'::bytea)`);
    // Bigger than logical_decoding_work_mem: streamed in progress where the protocol allows.
    await server.query(`INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g`);
    await server.query(`INSERT INTO odd (id) VALUES (2)`);
    end = (await server.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`))[0]!.lsn;
  });

  afterAll(async () => {
    await server?.destroy();
  });

  const stream = (slot: string, ...extra: string[]): Promise<CliResult> =>
    runCli(['stream', '--slot', slot, '--endpos', end, ...extra, '--dsn', server.dsn()], undefined, 60_000);

  it('pgoutput text, pgoutput binary and test_decoding NDJSON carry every column once, in table order', async () => {
    const text = await stream('v_pg', '--publication', 'pub_all');
    const binary = await stream('v_pg', '--publication', 'pub_all', '--option', 'binary=true');
    const td = await stream('v_td');
    const hex = (v: string): string => JSON.stringify({ binary: Buffer.from(v).toString('hex') });
    const expected: [CliResult, string][] = [
      [text, newText((v) => JSON.stringify(v))],
      [binary, newText((v, n) => (n === 'id' ? hex('\x00\x00\x00\x01') : hex(v)))],
      [td, newText((v) => JSON.stringify(v))],
    ];
    for (const [r, row] of expected) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const insert = lines(r).find((l) => l.includes('"type":"insert"') && l.includes('"table":"odd"'))!;
      expect(insert).toContain(row);
      expect(insert.split('"__proto__"')).toHaveLength(2);
    }
  });

  it('each --publication is one name: "a,b" and "q""p" are used as they are', async () => {
    const r = await stream('v_pg', '--publication', 'a,b', '--publication', 'q"p');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const tables = lines(r)
      .filter((l) => l.includes('"type":"insert"'))
      .map((l) => (JSON.parse(l) as { table: string }).table);
    expect(tables).toEqual(['odd', 'odd']);
  });

  it('test_decoding: a logical message that is not UTF-8 comes through as hex and the stream goes on', async () => {
    const r = await stream('v_td');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const parsed = lines(r).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.filter((m) => m['type'] === 'message')).toEqual([
      expect.objectContaining({ transactional: true, prefix: 'bin', content: null, contentHex: 'fffe00c3' }),
      expect.objectContaining({ transactional: false, prefix: 'nontx', content: null, contentHex: '80' }),
    ]);
    expect(parsed.filter((m) => m['type'] === 'insert' && m['table'] === 'odd')).toHaveLength(2);
  });

  it('--option proto_version=N alone works for every protocol the server speaks; streaming follows it', async () => {
    for (let proto = 1; proto <= maxProto; proto++) {
      const r = await stream('v_pg', '--publication', 'pub_all', '--option', `proto_version=${proto}`);
      expect(r.stderr, `proto ${proto}`).toBe('');
      expect(r.code, `proto ${proto}`).toBe(0);
      const types = lines(r).map((l) => (JSON.parse(l) as { type: string }).type);
      expect(
        types.filter((t) => t === 'insert'),
        `proto ${proto}`,
      ).toHaveLength(2002);
      expect(types.includes('stream_start'), `proto ${proto}`).toBe(proto >= 2);
    }
  });

  it('an option the server would refuse is refused before START_REPLICATION, with a hint', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--option', 'proto_version=1', '--option', 'streaming=on'],
        /: pgoutput proto_version=1 does not support streaming/,
      ],
      [
        ['--option', `proto_version=${maxProto + 1}`],
        new RegExp(`: pgoutput option proto_version=\\d+: .* 1 to ${maxProto}`),
      ],
      [
        ['--option', 'origin=local'],
        major >= 16
          ? /: pgoutput option origin=local: expected any or none/
          : /: pgoutput option origin needs PostgreSQL 16/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await stream('v_pg', '--publication', 'pub_all', ...args);
      expect(r.code).toBe(2); // a usage error
      expect(r.stderr).toMatch(/^walscope: error \[INVALID_ARGUMENT\]/);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/\n {2}hint: \S/);
    }
    const active = await server.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_stat_replication`);
    expect(active[0]!.n).toBe('0');
  });
});
