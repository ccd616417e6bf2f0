import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedMessage } from '../../shared/messages';
import { fullMajors, startPostgres, type PgServer } from '../support/postgres';
import { capture, clientConfig } from '../support/streams';

const count = (ms: DecodedMessage[], type: DecodedMessage['type']): number => ms.filter((m) => m.type === type).length;

// --endpos stops only where the output is well-formed: never between Stream Start and Stream Stop
// (nor between Begin and Commit). A small logical_decoding_work_mem makes the server stream a big
// transaction in several blocks (pgoutput protocol 2+, streaming on: the default on 14+).
describe.each(fullMajors())('end position and streamed transactions on PostgreSQL %i', (major) => {
  let server: PgServer;
  let all: DecodedMessage[];

  beforeAll(async () => {
    server = await startPostgres({ major, settings: { logical_decoding_work_mem: '64kB' } });
    await server.query(`CREATE TABLE big (id int PRIMARY KEY, pad text); CREATE PUBLICATION bpub FOR TABLE big`);
    await server.query(`SELECT pg_create_logical_replication_slot('big_slot', 'pgoutput')`);
    await server.query(`INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 3000) g`);
    await server.query(`SELECT pg_logical_emit_message(false, 'after', 'x')`);
    const c = capture({
      connection: clientConfig(server),
      source: { kind: 'copy', slot: 'big_slot' },
      publications: ['bpub'],
    });
    await c.until((ms) => ms.some((m) => m.type === 'message' && m.prefix === 'after'));
    await c.stop();
    all = [...c.messages];
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('the workload is streamed in several blocks (the premise of the next test)', () => {
    expect(count(all, 'stream_start')).toBeGreaterThan(2);
    expect(count(all, 'stream_commit')).toBe(1);
  });

  it('an end position inside a Stream Start … Stream Stop block ends the output after that Stream Stop', async () => {
    const firstStop = all.findIndex((m) => m.type === 'stream_stop');
    const secondStart = all.findIndex((m, i) => i > firstStop && m.type === 'stream_start');
    const secondStop = all.findIndex((m, i) => i > secondStart && m.type === 'stream_stop');
    // A change in the middle of the second block.
    const inside = all[Math.floor((secondStart + secondStop) / 2)]!;
    expect(inside.type).toBe('insert');
    const c = capture({
      connection: clientConfig(server),
      source: { kind: 'copy', slot: 'big_slot' },
      publications: ['bpub'],
      endLsn: inside.lsn,
    });
    await expect(c.done).resolves.toBe('endpos');
    const got = c.messages;
    expect(got.at(-1)!.type).toBe('stream_stop');
    expect(count(got, 'stream_start')).toBe(count(got, 'stream_stop'));
    expect(got.map((m) => m.type)).toEqual(all.slice(0, secondStop + 1).map((m) => m.type));
  });
});
