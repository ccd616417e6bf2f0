import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where one run of the demo cluster lives, and who may enter it (decision 0006). A run is a fresh
 * directory holding the data directory and the Unix socket directory; it is private to the OS user
 * the server runs as (this user, or `postgres` when WALscope runs as root) and removed when the
 * demo stops. Nothing in it is reachable by other local users: there is no TCP listener, and the
 * socket sits in a directory only its owner can enter.
 */
export interface DemoRun {
  /** mkdtemp-made, so its name cannot be guessed or planted in advance. */
  runDir: string;
  dataDir: string;
  socketDir: string;
  /** The socket file's name is `.s.PGSQL.<port>`; with no TCP listener the port only names it. */
  socketPath(port: number): string;
}

export interface RunOwner {
  uid: number;
  gid: number;
}

/**
 * Mode of the run, socket and (by initdb) data directories, and of the socket file itself.
 * Owner only: another local user reaching the socket could log in as superuser and run OS
 * commands as the server's user (`COPY … TO PROGRAM`).
 */
export const PRIVATE_MODE = 0o700;

const RUN_PREFIX = 'walscope-demo-';
const OWNER_FILE = 'walscope-owner.pid';
/** sun_path is 108 bytes on Linux and 104 on macOS; keep room for `.s.PGSQL.65535` and a lock file. */
const MAX_SOCKET_PATH = 100;

/** The OS user the server runs as: ourselves, or `postgres` as root (PostgreSQL refuses root). */
export function demoServerOwner(): RunOwner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  }
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

function makePrivate(dir: string, owner: RunOwner | undefined): void {
  fs.chmodSync(dir, PRIVATE_MODE);
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
}

/**
 * Where runs are created: `<user data>/demo`, except as root (the `postgres` user cannot enter
 * root's home, and we do not open it up) and when that path is too long for a Unix socket path:
 * then the system temp dir, where mkdtemp's random name and the private mode keep others out.
 */
export function demoRunsParent(userDataDir: string, owner: RunOwner | undefined): string {
  const inUserData = path.join(path.resolve(userDataDir), 'demo');
  const longest = path.join(inUserData, `${RUN_PREFIX}XXXXXX`, 'socket', '.s.PGSQL.65535.lock');
  return owner || Buffer.byteLength(longest) > MAX_SOCKET_PATH || inUserData.includes('"') ? os.tmpdir() : inUserData;
}

export function createDemoRun(userDataDir: string, owner: RunOwner | undefined): DemoRun {
  const parent = demoRunsParent(userDataDir, owner);
  if (parent !== os.tmpdir()) {
    fs.mkdirSync(parent, { recursive: true, mode: PRIVATE_MODE });
    fs.chmodSync(parent, PRIVATE_MODE);
  }
  removeStaleRuns(parent, owner);
  const runDir = fs.mkdtempSync(path.join(parent, RUN_PREFIX));
  // Written before the directory is handed to the server's user, so the file stays ours.
  fs.writeFileSync(path.join(runDir, OWNER_FILE), `${process.pid}\n`, { mode: 0o600 });
  makePrivate(runDir, owner);
  const socketDir = path.join(runDir, 'socket');
  fs.mkdirSync(socketDir);
  makePrivate(socketDir, owner);
  return {
    runDir,
    dataDir: path.join(runDir, 'pgdata'),
    socketDir,
    socketPath: (port) => path.join(socketDir, `.s.PGSQL.${port}`),
  };
}

export function removeDemoRun(run: DemoRun): void {
  fs.rmSync(run.runDir, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The WALscope process that created each run under `parent` (for clean-up and tests). */
export function listDemoRuns(parent: string, owner: RunOwner | undefined): { dir: string; ownerPid: number }[] {
  const expectedUid = owner?.uid ?? process.getuid?.();
  const out: { dir: string; ownerPid: number }[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return out;
  }
  for (const name of names.filter((n) => n.startsWith(RUN_PREFIX))) {
    const dir = path.join(parent, name);
    try {
      // Only directories we made: not a symlink, owned by the server's user, with our pid file.
      const st = fs.lstatSync(dir);
      const pidFile = fs.lstatSync(path.join(dir, OWNER_FILE));
      if (!st.isDirectory() || (expectedUid !== undefined && st.uid !== expectedUid)) continue;
      if (!pidFile.isFile() || pidFile.uid !== process.getuid?.()) continue;
      const pid = Number(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0) out.push({ dir, ownerPid: pid });
    } catch {
      continue;
    }
  }
  return out;
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs left behind by a WALscope that was killed before it could remove them. A run whose server
 * still seems to run is left alone: removing its files under it would not stop it, and signalling a
 * pid read from a file could hit an unrelated process.
 */
function removeStaleRuns(parent: string, owner: RunOwner | undefined): void {
  for (const r of listDemoRuns(parent, owner)) {
    if (r.ownerPid === process.pid || alive(r.ownerPid)) continue;
    const server = postmasterPid(path.join(r.dir, 'pgdata'));
    if (server !== undefined && alive(server)) continue;
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
}

/**
 * The postgres flags that make a run's server private: no TCP listener at all, a Unix socket in
 * the run's 0700 socket directory, the socket file itself 0700 (issue 12).
 */
export function privateSocketFlags(run: DemoRun): string[] {
  return [
    '-c',
    // Empty: no TCP/IP socket at all (the value reaches postgres unquoted, as one argv entry).
    'listen_addresses=',
    '-c',
    `unix_socket_directories="${run.socketDir}"`,
    '-c',
    `unix_socket_permissions=0${PRIVATE_MODE.toString(8)}`,
  ];
}
