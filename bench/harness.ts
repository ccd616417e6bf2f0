/**
 * What bench/run.ts and bench/cost-breakdown.ts share: the workload, the timed child process
 * (/usr/bin/time around it) and the CLI's stream command line, so both measure the same thing.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgServer } from '../test/support/postgres';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Sizes {
  singleInserts: number;
  insertTxns: number;
  updates: number;
  updateTxns: number;
  bigTxnRows: number;
}

export function benchSizes(scale: number): Sizes {
  return {
    singleInserts: Math.round(200_000 * scale),
    insertTxns: Math.round(2_000 * scale),
    updates: Math.round(100_000 * scale),
    updateTxns: Math.round(1_000 * scale),
    bigTxnRows: Math.round(200_000 * scale),
  };
}

export const totalRows = (s: Sizes): number => s.singleInserts + s.updates + s.bigTxnRows;

export interface Sample {
  seconds: number;
  rssMb: number;
  cpuSeconds: number;
  /** Voluntary context switches: roughly, how often the process slept waiting (for the socket). */
  wakeups: number;
  ok: boolean;
  error?: string;
}

export function runTimed(cmd: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const out = path.join(os.tmpdir(), `walscope-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %M %U %S %w', '-o', out, ...cmd], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const [e, m, u, s, w] = fs.readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      fs.rmSync(out, { force: true });
      // Wall time from our own clock: /usr/bin/time rounds to 10 ms, too coarse for pg_waldump.
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      resolve({
        seconds: Number.isFinite(e) ? wall : NaN,
        rssMb: m! / 1024,
        cpuSeconds: u! + s!,
        wakeups: w!,
        ok: code === 0,
        ...(code === 0 ? {} : { error: stderr.slice(-300) }),
      });
    });
  });
}

/** The bench tables, a source slot `bench_src` created first, then the row changes; their LSN range. */
export async function workload(server: PgServer, sizes: Sizes): Promise<{ start: string; end: string }> {
  await server.query(
    `CREATE TABLE bench (id int PRIMARY KEY, v int, pad text); CREATE PUBLICATION bench_pub FOR TABLE bench`,
  );
  await server.query(`SELECT pg_create_logical_replication_slot('bench_src', 'pgoutput')`);
  const [{ lsn: start }] = (await server.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
    { lsn: string },
  ];
  const perTxn = sizes.singleInserts / sizes.insertTxns;
  for (let t = 0; t < sizes.insertTxns; t++) {
    await server.query(
      `DO $$ BEGIN FOR i IN ${t * perTxn + 1}..${(t + 1) * perTxn} LOOP INSERT INTO bench VALUES (i, 0, 'row ' || i); END LOOP; END $$`,
    );
  }
  const perUpd = sizes.updates / sizes.updateTxns;
  for (let t = 0; t < sizes.updateTxns; t++) {
    await server.query(`UPDATE bench SET v = v + 1 WHERE id > ${t * perUpd} AND id <= ${(t + 1) * perUpd}`);
  }
  await server.query(
    `INSERT INTO bench SELECT g, 0, 'big ' || g FROM generate_series(1000001, ${1_000_000 + sizes.bigTxnRows}) g`,
  );
  const [{ lsn: end }] = (await server.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [
    { lsn: string },
  ];
  return { start, end };
}

/** `walscope stream` as the bench runs it: bundled CLI, NDJSON to the caller's stdout. */
export function cliStream(dsn: string, slot: string, end: string, proto1: boolean): string[] {
  return [
    process.execPath,
    path.join(root, 'bin/walscope.mjs'),
    'stream',
    '--slot',
    slot,
    '--direct',
    '--publication',
    'bench_pub',
    '--endpos',
    end,
    ...(proto1 ? ['--option', 'proto_version=1', '--option', 'streaming=false'] : []),
    '--dsn',
    dsn,
  ];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const lsnBytes = (a: string, b: string): number => {
  const n = (x: string): bigint => {
    const [h, l] = x.split('/');
    return (BigInt(`0x${h}`) << 32n) | BigInt(`0x${l}`);
  };
  return Number(n(b) - n(a));
};
