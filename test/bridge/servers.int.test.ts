import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileStore } from '../../main/sessions/profile-store';
import { RecentConnections } from '../../main/sessions/recent-connections';
import { SessionManager } from '../../main/sessions/session-manager';
import { startPostgres, type PgServer } from '../support/postgres';
import { contractClient, type ContractClient } from '../support/session-client';

/** Several servers per window: connecting by service and the recent list, on a real server (PostgreSQL 18). */
describe('servers in one window (PostgreSQL 18)', () => {
  let server: PgServer;
  let dir: string;
  let client: ContractClient;

  beforeAll(async () => {
    server = await startPostgres({ name: 'servers' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-servers-'));
    const [, secret] = /:\/\/[^:]+:([^@]+)@/.exec(server.dsn())!;
    fs.writeFileSync(
      path.join(dir, 'pg_service.conf'),
      `[local one]\nhost=127.0.0.1\nport=${server.port}\ndbname=postgres\nuser=postgres\npassword=${decodeURIComponent(secret!)}\nsslmode=disable\n`,
    );
    client = contractClient({
      env: { PGSERVICEFILE: path.join(dir, 'pg_service.conf'), PGPASSFILE: '/nonexistent' },
      recent: new RecentConnections(path.join(dir, 'recent.json')),
    });
  });

  afterAll(async () => {
    await client?.close();
    await server?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('connects a pg_service.conf section listed by services.list, labelled with its name', async () => {
    const services = await client.ok<{ name: string }[]>('services.list', {});
    expect(services.map((s) => s.name)).toEqual(['local one']);
    const connected = await client.ok<{ sessionId: string; label: string }>('session.connect', {
      target: { kind: 'service', service: 'local one' },
    });
    expect(connected.label).toBe('local one');
    await client.ok('session.disconnect', { sessionId: connected.sessionId });
  });

  it('a DSN with a password is listed in recent.list, newest first, and its password is in no file', async () => {
    const dsn = server.dsn();
    const password = decodeURIComponent(/:\/\/[^:]+:([^@]+)@/.exec(dsn)![1]!);
    const a = await client.ok<{ sessionId: string }>('session.connect', { target: { kind: 'dsn', dsn } });
    const recent = await client.ok<{ target: unknown; label: string }[]>('recent.list', {});
    expect(recent[0]!.target).toEqual({
      kind: 'dsn',
      dsn: `user=postgres host=127.0.0.1 port=${server.port} dbname=postgres sslmode=disable`,
    });
    expect(recent[1]!.target).toEqual({ kind: 'service', service: 'local one' });
    expect(fs.readFileSync(path.join(dir, 'recent.json'), 'utf8')).not.toContain(password);
    // The recent entry connects again (the password then comes from elsewhere: here it is refused).
    const again = await client.call('session.connect', { target: recent[0]!.target });
    expect(again.ok ? 'connected' : again.error.code).toBe('AUTH');
    await client.ok('session.disconnect', { sessionId: a.sessionId });
  });

  it('a catalog poll that fails marks the server reconnecting, and the next good poll marks it connected again', async () => {
    await server.query(`CREATE ROLE mon LOGIN REPLICATION PASSWORD 'mon-pw'`);
    const states: string[] = [];
    const manager = new SessionManager(
      {
        shell: 'serve',
        profiles: new ProfileStore(path.join(dir, 'p.json'), undefined),
        demo: () => Promise.reject(new Error('no demo')),
        env: { PGPASSFILE: '/nonexistent' },
        pollIntervalMs: 200,
      },
      (name, payload) => {
        if (name === 'session.state') states.push((payload as { state: string }).state);
      },
    );
    try {
      const dsn = server.dsn({ user: 'mon', password: 'mon-pw' });
      const r = await manager.dispatcher.invoke('session.connect', { target: { kind: 'dsn', dsn } });
      expect(r.ok).toBe(true);
      // The slots view reads pg_get_replication_slots(): without it every poll fails.
      await server.query(`REVOKE EXECUTE ON FUNCTION pg_get_replication_slots() FROM PUBLIC`);
      await expect.poll(() => states.includes('reconnecting'), { timeout: 10_000 }).toBe(true);
      await server.query(`GRANT EXECUTE ON FUNCTION pg_get_replication_slots() TO PUBLIC`);
      await expect.poll(() => states.slice(states.indexOf('reconnecting')), { timeout: 10_000 }).toContain('connected');
    } finally {
      await server.query(`GRANT EXECUTE ON FUNCTION pg_get_replication_slots() TO PUBLIC`);
      await manager.shutdown();
      await server.query(`DROP ROLE mon`);
    }
  });
});
