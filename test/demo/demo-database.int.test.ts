import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConnectionString } from '../../main/connection/conninfo';
import { toPgClientConfig } from '../../main/connection/pg-config';
import { resolveConnectionSettings } from '../../main/connection/settings';
import { ReplicationConnection } from '../../main/stream/replication-connection';
import { ProfileStore } from '../../main/sessions/profile-store';
import { SessionManager } from '../../main/sessions/session-manager';
import type { DemoHandle } from '../../main/demo/demo-database';
import { eventually } from '../support/eventually';

// Records every demo the code under test starts, so a test can learn a run's password (which is
// never printed) and look for it in the output.
const started = vi.hoisted(() => [] as DemoHandle[]);
vi.mock('../../main/demo/demo-database', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../main/demo/demo-database')>();
  return {
    ...real,
    startDemoDatabase: async (opts: Parameters<typeof real.startDemoDatabase>[0]) => {
      const h = await real.startDemoDatabase(opts);
      started.push(h);
      return h;
    },
  };
});
const { startDemoDatabase } = await import('../../main/demo/demo-database');
const { serveCommand } = await import('../../main/cli/serve-command');

const isRoot = process.getuid?.() === 0;
const dirs: string[] = [];
const tempDir = (tag: string): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `walscope-demotest-${tag}-`));
  dirs.push(d);
  return d;
};
const passwordOf = (dsn: string): string => parseConnectionString(dsn)['password']!;
const mode = (p: string): number => fs.statSync(p).mode & 0o777;

/** Inodes of every listening TCP socket on the machine (Linux /proc). */
function tcpListenInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(f)) continue;
    for (const line of fs.readFileSync(f, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A') inodes.add(cols[9]!);
    }
  }
  return inodes;
}

function socketInodes(pid: number): string[] {
  return fs
    .readdirSync(`/proc/${pid}/fd`)
    .map((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .flatMap((l) => /^socket:\[(\d+)\]$/.exec(l)?.[1] ?? []);
}

/** What another local user gets when opening the socket: 'connected' or the error code. */
function connectAsNobody(socketPath: string): Promise<string> {
  const script = `const s=require('net').connect(process.argv[1]);s.on('connect',()=>{console.log('connected');s.destroy()});s.on('error',e=>console.log(e.code))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, socketPath], {
      uid: 65534,
      gid: 65534,
      cwd: '/',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out.trim()));
  });
}

describe('demo database', () => {
  let demo: DemoHandle;
  let client: pg.Client;
  beforeAll(async () => {
    demo = await startDemoDatabase({ userDataDir: tempDir('a'), rate: 200 });
    client = new pg.Client({ connectionString: demo.dsn });
    await client.connect();
  }, 120_000);
  afterAll(async () => {
    await client?.end();
    await demo?.stop();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('starts with slots, a consumer and live changes', async () => {
    const slots = await eventually(async () => {
      const r = await client.query<{ slot_name: string; active: boolean }>(
        `SELECT slot_name, active FROM pg_replication_slots ORDER BY 1`,
      );
      return r.rows.find((s) => s.slot_name === 'demo_consumer')?.active ? r.rows : undefined;
    });
    // The subscriber's and the standby's slots (demo_sub, walscope_demo_standby) appear as they start in the background.
    expect(slots!.map((s) => s.slot_name)).toEqual(expect.arrayContaining(['demo_consumer', 'demo_idle']));
    const before = Number((await client.query(`SELECT count(*) FROM orders`)).rows[0].count);
    await eventually(
      async () => Number((await client.query(`SELECT count(*) FROM orders`)).rows[0].count) > before + 5,
    );
    expect((await client.query(`SHOW wal_level`)).rows[0].wal_level).toBe('logical');
  });

  it('has no TCP listener: its DSN names a socket directory, and 127.0.0.1:<port> refuses', async () => {
    expect(parseConnectionString(demo.dsn)).toMatchObject({ host: demo.socketDir, port: String(demo.port) });
    expect((await client.query(`SHOW listen_addresses`)).rows[0].listen_addresses).toBe('');
    expect((await client.query(`SELECT inet_server_addr() AS a`)).rows[0].a).toBeNull();
    const tcp = await new Promise<string>((resolve) => {
      const s = net.connect(demo.port, '127.0.0.1', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(tcp).toBe('ECONNREFUSED');
    const postmaster = Number(fs.readFileSync(path.join(demo.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const listening = tcpListenInodes();
    expect(socketInodes(postmaster).filter((i) => listening.has(i))).toEqual([]);
  });

  it('keeps its run, data and socket directories (and the socket) at mode 0700, owned by the server user', () => {
    const runDir = path.dirname(demo.dataDir);
    expect(path.dirname(demo.socketDir)).toBe(runDir);
    expect(mode(runDir).toString(8)).toBe('700');
    expect(mode(demo.dataDir).toString(8)).toBe('700');
    expect(mode(demo.socketDir).toString(8)).toBe('700');
    expect(mode(path.join(demo.socketDir, `.s.PGSQL.${demo.port}`)).toString(8)).toBe('700');
    // As root the server runs as `postgres`, which must own what it writes; nobody else may enter.
    const serverUid = fs.statSync(demo.dataDir).uid;
    for (const d of [runDir, demo.socketDir]) expect(fs.statSync(d).uid).toBe(serverUid);
    if (!isRoot) expect(runDir.startsWith(path.join(os.tmpdir(), 'walscope-demotest-a-'))).toBe(true);
  });

  it.runIf(isRoot)('is not reachable by another local user (nobody cannot open its socket)', async () => {
    expect(await connectAsNobody(path.join(demo.socketDir, `.s.PGSQL.${demo.port}`))).toBe('EACCES');
  });

  it('is what the app connects to: session.connect demo, then a live tail streams its changes', async () => {
    let rows = 0;
    const manager = new SessionManager(
      {
        shell: 'serve',
        profiles: new ProfileStore(path.join(tempDir('profiles'), 'profiles.json'), undefined),
        demo: async () => demo,
        env: {},
      },
      (name, payload) => {
        if (name === 'stream.batch') rows += (payload as { rows: unknown[] }).rows.length;
      },
    );
    try {
      const connected = await manager.dispatcher.invoke('session.connect', { target: { kind: 'demo' } });
      expect(connected).toMatchObject({ ok: true, value: { demo: true, label: 'demo' } });
      const sessionId = (connected as { value: { sessionId: string } }).value.sessionId;
      const stream = await manager.dispatcher.invoke('stream.start', {
        sessionId,
        source: { kind: 'temporary', plugin: 'pgoutput', publications: ['demo_pub'] },
      });
      expect(stream).toMatchObject({ ok: true });
      await eventually(async () => rows > 0, 30_000);
    } finally {
      await manager.shutdown();
    }
  });

  it('takes a CancelRequest over its Unix socket (aborting a command on the demo works)', async () => {
    const settings = resolveConnectionSettings({ dsn: demo.dsn }, {});
    const conn = await ReplicationConnection.open(toPgClientConfig(settings), 'database');
    try {
      const sleeping = conn.run('SELECT pg_sleep(60)').then(
        () => 'finished',
        (e: unknown) => e,
      );
      await eventually(async () => {
        const r = await client.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE '%pg_sleep%'`, [
          conn.backendPid,
        ]);
        return r.rowCount === 1;
      });
      await conn.cancel();
      expect(await sleeping).toMatchObject({ code: 'CANCELLED', sqlstate: '57014' });
    } finally {
      await conn.close();
    }
  });

  it('uses a new random password and a fresh cluster each run, and removes the run when stopped', async () => {
    const userData = tempDir('b');
    const first = await startDemoDatabase({ userDataDir: userData, rate: 0 });
    const firstRun = path.dirname(first.dataDir);
    await first.stop();
    expect(fs.existsSync(firstRun)).toBe(false);
    const second = await startDemoDatabase({ userDataDir: userData, rate: 0 });
    try {
      expect(path.dirname(second.dataDir)).not.toBe(firstRun);
      expect(passwordOf(second.dsn)).not.toBe(passwordOf(first.dsn));
      expect(passwordOf(second.dsn)).toMatch(/^[\w-]{32}$/);
      const stale = new pg.Client({
        connectionString: second.dsn.replace(passwordOf(second.dsn), passwordOf(first.dsn)),
      });
      await expect(stale.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await second.stop();
    }
  }, 120_000);
});

describe('walscope serve --demo', () => {
  it('never writes the demo password to stdout or stderr', async () => {
    const renderer = tempDir('renderer');
    fs.writeFileSync(path.join(renderer, 'index.html'), '<div id="root"></div>');
    let out = '';
    const capture = (s: PassThrough): PassThrough => (s.on('data', (d: Buffer) => (out += d.toString())), s);
    const spies = [process.stdout, process.stderr].map((stream) => {
      const write = stream.write.bind(stream);
      return vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
        out += String(chunk);
        return write(chunk, ...rest);
      }) as typeof stream.write);
    });
    let stop: (() => void) | undefined;
    const before = started.length;
    try {
      const done = serveCommand(['--demo', '--user-data', tempDir('serve'), '--renderer', renderer], {
        stdout: capture(new PassThrough()),
        stderr: capture(new PassThrough()),
        env: {},
        onSignal: (h) => (stop = h),
        offSignal: () => undefined,
      });
      await eventually(async () => /serving at http/.test(out), 90_000);
      const demo = started[before]!;
      // Use the demo so whatever a session logs is in the output too.
      const c = new pg.Client({ connectionString: demo.dsn });
      await c.connect();
      await c.end();
      stop!();
      expect(await done).toBe(0);
      expect(out).toMatch(/serving at http:\/\/127\.0\.0\.1:\d+\/#token=/);
      expect(out).not.toContain(passwordOf(demo.dsn));
    } finally {
      spies.forEach((s) => s.mockRestore());
      for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    }
  }, 120_000);
});
