import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION } from '../../shared/contract';
import { MAX_UNACKED_BATCHES } from '../../shared/contract/ws-protocol';
import { startServe, type ServeHandle } from '../../main/serve/serve';
import { ProfileStore } from '../../main/sessions/profile-store';
import { startPostgres, type PgServer } from '../support/postgres';
import { eventually } from '../support/eventually';
import { builtRendererDir } from '../support/raw-http';
import { connectWs } from '../support/ws-client';

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('serve mode: the contract over a WebSocket', () => {
  let a: PgServer;
  let b: PgServer;
  let serve: ServeHandle;
  let dataDir: string;

  beforeAll(async () => {
    const rendererDir = builtRendererDir();
    [a, b] = await Promise.all([startPostgres({ name: 'bridge-a' }), startPostgres({ name: 'bridge-b' })]);
    for (const s of [a, b]) await s.query(`CREATE TABLE t (id int PRIMARY KEY, v text)`);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-userdata-'));
    serve = await startServe({
      rendererDir,
      profiles: new ProfileStore(path.join(dataDir, 'profiles.json'), undefined),
      demo: () => Promise.reject(new Error('no demo in this test')),
      env: {},
    });
  });

  afterAll(async () => {
    await serve?.close();
    await a?.destroy();
    await b?.destroy();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the page with a strict CSP and refuses a foreign Host', async () => {
    const base = `http://127.0.0.1:${serve.port}`;
    expect(serve.url).toMatch(new RegExp(`^${base}/#token=${serve.token}$`));
    const ok = await get(serve.url);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(ok.headers['content-security-policy']).not.toMatch(/unsafe/);
    expect((await get(`${base}/`, { host: 'evil.example:80' })).status).toBe(421);
  });

  it('refuses sockets without the token or from a foreign origin', async () => {
    const ws = `ws://127.0.0.1:${serve.port}/ws`;
    await expect(connectWs(ws)).rejects.toThrow(/403/);
    await expect(connectWs(`${ws}?token=nope`)).rejects.toThrow(/403/);
    await expect(connectWs(`${ws}?token=${serve.token}`, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    const ok = await connectWs(`${ws}?token=${serve.token}`, { origin: `http://127.0.0.1:${serve.port}` });
    await ok.close();
  });

  it('answers a page of another contract version (or none) with a CONTRACT error, and serves its own', async () => {
    const url = `ws://127.0.0.1:${serve.port}/ws?token=${serve.token}`;
    for (const version of [CONTRACT_VERSION + 1, null]) {
      const old = await connectWs(url, {}, version);
      expect(await old.invoke('app.info', {})).toMatchObject({
        ok: false,
        error: { code: 'CONTRACT', message: expect.stringContaining(`engine speaks ${CONTRACT_VERSION}`) },
      });
      await old.close();
    }
    const current = await connectWs(url);
    expect(await current.invoke('app.info', {})).toMatchObject({
      ok: true,
      value: { contractVersion: CONTRACT_VERSION },
    });
    await current.close();
  });

  it('rejects malformed and unknown commands with typed errors', async () => {
    const c = await connectWs(`ws://127.0.0.1:${serve.port}/ws?token=${serve.token}`);
    expect(await c.invoke('no.such', {})).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await c.invoke('session.connect', { target: { kind: 'dsn' } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(await c.invoke('stream.stop', { sessionId: 'x', streamId: 'y', extra: true })).toMatchObject({ ok: false });
    const bad = await c.invoke('session.connect', { target: { kind: 'dsn', dsn: a.dsn({ password: 'wrong' }) } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'AUTH' } });
    expect(JSON.stringify(bad)).not.toContain('wrong');
    await c.close();
  });

  it('two sessions at once: snapshots, a live tail each, and closing drops the temporary slots', async () => {
    const c = await connectWs(`ws://127.0.0.1:${serve.port}/ws?token=${serve.token}`);
    const sessions: { id: string; server: PgServer; streamId: string; slot: string }[] = [];
    for (const server of [a, b]) {
      const r = await c.invoke<{ sessionId: string; overview: { walLevel: string } }>('session.connect', {
        target: { kind: 'dsn', dsn: server.dsn() },
      });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value.overview.walLevel).toBe('logical');
      const s = await c.invoke<{ streamId: string; slot: string }>('stream.start', {
        sessionId: r.value.sessionId,
        source: { kind: 'temporary', plugin: 'test_decoding', publications: [] },
      });
      if (!s.ok) throw new Error(s.error.message);
      sessions.push({ id: r.value.sessionId, server, streamId: s.value.streamId, slot: s.value.slot });
    }
    for (const [i, s] of sessions.entries()) await s.server.query(`INSERT INTO t VALUES ($1, 'from ${i}')`, [i + 1]);
    for (const [i, s] of sessions.entries()) {
      const batch = await c.waitForEvent(
        (e) =>
          e.name === 'stream.batch' &&
          e.payload['streamId'] === s.streamId &&
          (e.payload['rows'] as { type: string }[]).some((row) => row.type === 'insert'),
      );
      // Rows carry what the list needs plus the whole message as JSON, parsed only when shown.
      const row = (batch['rows'] as { type: string; seq: number; rel: string; xid?: number; json: string }[]).find(
        (x) => x.type === 'insert',
      )!;
      expect(row.rel).toBe('public.t');
      const insert = JSON.parse(row.json) as { type: string; new: Record<string, string>; seq: number; lsn: string };
      expect(insert.seq).toBe(row.seq);
      expect(insert.new).toEqual({ id: String(i + 1), v: `from ${i}` });
      expect(insert.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      expect(insert).not.toHaveProperty('rawHex');
      // Rows travel without their bytes; the detail pane asks for them by sequence number.
      const raw = await c.invoke<{ hex: string }>('stream.raw', {
        sessionId: s.id,
        streamId: s.streamId,
        seq: insert.seq,
      });
      if (!raw.ok) throw new Error(raw.error.message);
      expect(Buffer.from(raw.value.hex, 'hex').toString()).toBe(
        `table public.t: INSERT: id[integer]:${i + 1} v[text]:'from ${i}'`,
      );
      const unknown = await c.invoke('stream.raw', { sessionId: s.id, streamId: s.streamId, seq: 1_000_000 });
      expect(unknown.ok ? null : unknown.error.message).toMatch(/no longer held/);
      await c.waitForEvent((e) => e.name === 'monitor.snapshot' && e.payload['sessionId'] === s.id);
      await c.waitForEvent((e) => e.name === 'stream.stats' && e.payload['streamId'] === s.streamId);
      const [slot] = await s.server.query(`SELECT temporary FROM pg_replication_slots WHERE slot_name = $1`, [s.slot]);
      expect(slot).toEqual({ temporary: true });
    }
    // Closing the socket (a window closing) stops the streams: their temporary slots are gone.
    await c.close();
    for (const s of sessions) {
      await eventually(
        async () =>
          (await s.server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [s.slot])).length === 0,
      );
      await eventually(
        async () =>
          (await s.server.query(`SELECT 1 FROM pg_stat_replication WHERE application_name LIKE 'walscope%'`)).length ===
          0,
      );
    }
  });

  it('a page that does not acknowledge gets at most MAX_UNACKED_BATCHES batches; each ack lets one more go', async () => {
    const c = await connectWs(`ws://127.0.0.1:${serve.port}/ws?token=${serve.token}`, {}, CONTRACT_VERSION, false);
    try {
      const r = await c.invoke<{ sessionId: string }>('session.connect', { target: { kind: 'dsn', dsn: a.dsn() } });
      if (!r.ok) throw new Error(r.error.message);
      const s = await c.invoke<{ streamId: string }>('stream.start', {
        sessionId: r.value.sessionId,
        source: { kind: 'temporary', plugin: 'test_decoding', publications: [] },
      });
      if (!s.ok) throw new Error(s.error.message);
      const batches = (): number =>
        c.events.filter((e) => e.name === 'stream.batch' && e.payload['streamId'] === s.value.streamId).length;
      // One transaction per batch interval: far more batches than the credit, if nothing held them.
      for (let i = 0; i < 12; i++) {
        await a.query(`INSERT INTO t VALUES ($1, 'flow')`, [1000 + i]);
        await new Promise((res) => setTimeout(res, 50));
      }
      await expect.poll(batches).toBe(MAX_UNACKED_BATCHES);
      await a.query(`INSERT INTO t VALUES (2000, 'flow')`); // still held back
      await new Promise((res) => setTimeout(res, 300));
      expect(batches()).toBe(MAX_UNACKED_BATCHES);
      c.ws.send(JSON.stringify({ kind: 'ack' }));
      await expect.poll(batches).toBe(MAX_UNACKED_BATCHES + 1);
      // What waited went out as one batch; nothing was lost: all 13 inserts arrive.
      for (let i = 0; i < 10; i++) c.ws.send(JSON.stringify({ kind: 'ack' }));
      await expect
        .poll(
          () =>
            c.events
              .filter((e) => e.name === 'stream.batch' && e.payload['streamId'] === s.value.streamId)
              .flatMap((e) => e.payload['rows'] as { type: string }[])
              .filter((row) => row.type === 'insert').length,
        )
        .toBe(13);
    } finally {
      await c.close();
    }
  });
});
