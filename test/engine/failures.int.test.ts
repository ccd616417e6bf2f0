import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fullMajors, startPostgres, type PgServer } from '../support/postgres';
import { cleanEnv, streamCli } from '../support/cli';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { eventually } from '../support/streams';

// After a fatal error nothing more is handed on: the NDJSON ends at the last complete message
// before the bad one, even though the messages after it arrived in the same socket read (the
// proxy sends the corrupt message and the next ones in one write, every time).
describe.each(fullMajors())('fatal stream errors on PostgreSQL %i', (major) => {
  let server: PgServer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    server = await startPostgres({ major });
    await server.query(`CREATE TABLE f (id int PRIMARY KEY, v text); CREATE PUBLICATION fpub FOR TABLE f`);
    proxy = await startFaultProxy({ host: server.host, port: server.port });
  });

  afterEach(() => proxy.setMode({ kind: 'pass' }));

  afterAll(async () => {
    await proxy?.close();
    await server?.destroy();
  });

  const BIN = path.resolve(__dirname, '../../bin/walscope.mjs');
  const proxiedDsn = (): string => server.dsn().replace(`:${server.port}/`, `:${proxy.port}/`);

  /** Streams a 50-row transaction through the proxy with the 5th Insert's byte `offset` flipped. */
  async function streamWithCorruptInsert(
    offset: number,
  ): Promise<{ code: number | null; lines: string[]; stderr: string }> {
    await server.query('TRUNCATE f');
    proxy.setMode({ kind: 'corrupt', tag: 'I', nth: 5, offset });
    const cli = streamCli(['stream', '--temporary', '--publication', 'fpub', '--dsn', proxiedDsn()]);
    await eventually(
      async () =>
        (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'walscope_tmp_%' AND active`))
          .length > 0,
    );
    await server.query(`INSERT INTO f SELECT g, 'row-' || lpad(g::text, 4, '0') FROM generate_series(1, 50) g`);
    const code = await new Promise<number | null>((resolve) => cli.child.on('close', resolve));
    return { code, lines: cli.lines.map((l) => JSON.stringify(l)), stderr: cli.stderr() };
  }

  it('a message the decoder cannot read ends the output at the message before it, naming LSN and offset', async () => {
    const r = await streamWithCorruptInsert(25); // the pgoutput message type byte of the 5th Insert
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^walscope: error \[DECODE\]: .* at LSN [0-9A-F]+\/[0-9A-F]+, byte offset \d+$/m);
    expect(r.stderr).not.toMatch(/\bat .*\.[jt]s:\d+/); // no stack trace
    expect(r.lines.at(-1)).toContain('row-0004');
    expect(r.lines.filter((l) => l.includes('"insert"'))).toHaveLength(4);
    expect(r.lines.some((l) => /row-00(0[5-9]|[1-5]\d)/.test(l))).toBe(false);
  });

  it('a CopyData that cannot be framed ends the output the same way, naming the last LSN and the offset', async () => {
    const r = await streamWithCorruptInsert(0); // the 'w' of the 5th Insert's XLogData
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^walscope: error \[PROTOCOL\]: .*after LSN [0-9A-F]+\/[0-9A-F]+.*, byte offset \d+$/m);
    expect(r.stderr).not.toMatch(/\bat .*\.[jt]s:\d+/); // no stack trace
    expect(r.lines.at(-1)).toContain('row-0004');
    expect(r.lines.filter((l) => l.includes('"insert"'))).toHaveLength(4);
    expect(r.lines.some((l) => /row-00(0[5-9]|[1-5]\d)/.test(l))).toBe(false);
  });

  it('a reader that closes the pipe (| head -1) ends walscope quietly with 141 and leaves no slot', async () => {
    await server.query(`INSERT INTO f VALUES (1000, 'first') ON CONFLICT DO NOTHING`);
    const head = spawn('head', ['-1'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let headOut = '';
    head.stdout.on('data', (d: Buffer) => (headOut += d.toString()));
    const cli = spawn(
      process.execPath,
      [BIN, 'stream', '--temporary', '--publication', 'fpub', '--dsn', server.dsn()],
      { env: cleanEnv(), stdio: ['ignore', head.stdin, 'pipe'] },
    );
    head.stdin.destroy(); // only the CLI holds the pipe's write end now
    let stderr = '';
    cli.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      cli.on('close', (code, signal) => resolve({ code, signal })),
    );
    let done = false;
    void exited.then(() => (done = true));
    // Keep changes coming until the CLI notices that nobody reads (bounded: 300 × 50 ms).
    for (let i = 0; i < 300 && !done; i++) {
      await server.query(`INSERT INTO f VALUES (${2000 + i}, 'more')`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const { code, signal } = await exited;
    expect(headOut.split('\n').filter(Boolean)).toHaveLength(1);
    expect(stderr).toBe('');
    expect({ code, signal }).toEqual({ code: 141, signal: null });
    await eventually(
      async () =>
        (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'walscope_%'`)).length === 0,
    );
    expect(await server.query(`SELECT 1 FROM pg_stat_replication`)).toEqual([]);
  });
});
