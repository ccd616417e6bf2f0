import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from '../support/cli';
import { startPostgres, type PgServer } from '../support/postgres';
import { builtRendererDir, rawExchange, rawGet, rawUpgrade, statusOf } from '../support/raw-http';
import { connectWs, type WsClient } from '../support/ws-client';
import { FRAME_CORPUS, frameArb, framesBytes, httpCorpus, requestArb } from './serve-fuzz-cases';

const BIN = path.resolve(__dirname, '../../bin/walscope.mjs');
/** Runs per generated property; raise it for a longer fuzz session (WALSCOPE_FUZZ_RUNS=5000). */
const RUNS = Number(process.env['WALSCOPE_FUZZ_RUNS'] ?? 300);
const AUTH_PREFIX = 'Sec-WebSocket-Protocol: walscope.v1, walscope.token.';

// Issue 12: no bytes sent to the serve port, authenticated or not, may end the process or affect
// another session. `walscope serve` runs as its own process, as users run it, so "the process
// ended" is observed as such; meanwhile another authenticated session streams from a real server.
describe('serve mode survives malformed input', () => {
  let pg: PgServer;
  let child: ChildProcess;
  let exited: string | undefined;
  let port: number;
  let token: string;
  let userData: string;
  let watcher: WsClient;
  let streamId: string;
  let nextId = 1;

  let exitEvent: Promise<void>;

  const assertAlive = (): void => {
    if (exited !== undefined) throw new Error(`walscope serve exited (${exited})`);
  };

  /** Runs one exchange; when it fails because the server is gone, says so with its output. */
  async function exchange(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      // A refused or reset connection usually means the process died: wait (bounded) for its exit.
      await Promise.race([exitEvent, new Promise((r) => setTimeout(r, 5000))]);
      assertAlive();
      throw err;
    }
    assertAlive();
  }

  /** The server still answers, and the other session's live tail still receives new rows. */
  async function stillServingAndStreaming(): Promise<void> {
    assertAlive();
    expect(statusOf(await rawGet(port, '/'))).toBe(200);
    const id = nextId++;
    await pg.query(`INSERT INTO t VALUES ($1, 'after fuzz')`, [id]);
    await watcher.waitForEvent(
      (e) =>
        e.name === 'stream.batch' &&
        e.payload['streamId'] === streamId &&
        (e.payload['rows'] as { type: string; json: string }[]).some(
          (r) => r.type === 'insert' && (JSON.parse(r.json) as { new: { id: string } }).new.id === String(id),
        ),
      20_000,
    );
  }

  /** One raw authenticated socket: handshake with the token, then `bytes`, then half-close. */
  async function sendFrames(bytes: Buffer): Promise<void> {
    const { socket, head } = await rawUpgrade(port, [`${AUTH_PREFIX}${token}`]);
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), 3000);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.resume();
      socket.end(bytes);
    });
  }

  beforeAll(async () => {
    const rendererDir = builtRendererDir();
    pg = await startPostgres({ name: 'serve-fuzz' });
    await pg.query(`CREATE TABLE t (id int PRIMARY KEY, v text)`);
    userData = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-serve-fuzz-'));
    child = spawn(process.execPath, [BIN, 'serve', '--user-data', userData, '--renderer', rendererDir], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    exitEvent = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        exited = `code ${code}, signal ${signal}; output: ${out.slice(-2000)}`;
        resolve();
      }),
    );
    [port, token] = await new Promise<[number, string]>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 60_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /serving at http:\/\/127\.0\.0\.1:(\d+)\/#token=([\w-]+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve([Number(m[1]), m[2]!]);
        }
      });
    });
    watcher = await connectWs(`ws://127.0.0.1:${port}/ws?token=${token}`);
    const s = await watcher.invoke<{ sessionId: string }>('session.connect', {
      target: { kind: 'dsn', dsn: pg.dsn() },
    });
    if (!s.ok) throw new Error(s.error.message);
    const st = await watcher.invoke<{ streamId: string }>('stream.start', {
      sessionId: s.value.sessionId,
      source: { kind: 'temporary', plugin: 'test_decoding', publications: [] },
    });
    if (!st.ok) throw new Error(st.error.message);
    streamId = st.value.streamId;
    await stillServingAndStreaming();
  }, 180_000);

  afterAll(async () => {
    await watcher?.close();
    if (child && exited === undefined) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    }
    await pg?.destroy();
    if (userData) fs.rmSync(userData, { recursive: true, force: true });
  });

  it('a fixed corpus of malformed requests and upgrades, unauthenticated, ends nothing', async () => {
    for (const input of httpCorpus(port, token)) {
      await exchange(() => rawExchange(port, input, { timeoutMs: 2000 }));
    }
    await stillServingAndStreaming();
  }, 120_000);

  it('a fixed corpus of bad frames after authentication closes only the sending socket', async () => {
    for (const frames of FRAME_CORPUS) {
      await exchange(() => sendFrames(framesBytes(frames)));
    }
    expect(watcher.ws.readyState).toBe(watcher.ws.OPEN);
    await stillServingAndStreaming();
  }, 120_000);

  it('generated request heads and bytes, before authentication, end nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { arbitrary: requestArb(port, token), weight: 3 },
          { arbitrary: fc.uint8Array({ maxLength: 512 }).map(Buffer.from), weight: 1 },
        ),
        async (input) => {
          await exchange(() => rawExchange(port, input, { timeoutMs: 2000 }));
        },
      ),
      // Once the server is gone every input fails: shrinking would only hide the real one.
      { numRuns: RUNS, endOnFailure: true },
    );
    await stillServingAndStreaming();
  }, 180_000);

  it('generated frame sequences after authentication end nothing and leave the other session streaming', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 6 }), async (frames) => {
        await exchange(() => sendFrames(framesBytes(frames)));
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(watcher.ws.readyState).toBe(watcher.ws.OPEN);
    await stillServingAndStreaming();
  }, 180_000);
});
