import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayProxy, replicationKey } from '../../bench/replay-proxy';
import { runCli } from '../support/cli';
import { startPostgres, type PgServer } from '../support/postgres';

/**
 * The client-bound bench hands clients a recorded stream instead of the server's: that is only a
 * fair comparison if a client gets exactly what the server would have sent it.
 */
describe('bench replay proxy', () => {
  let server: PgServer;
  let proxy: ReplayProxy;
  let proxied: string;
  let end: string;
  let mid: string;

  beforeAll(async () => {
    server = await startPostgres({ name: 'replay-proxy' });
    await server.query(`CREATE TABLE r (id int PRIMARY KEY, v text); CREATE PUBLICATION rp FOR TABLE r`);
    await server.query(`SELECT pg_create_logical_replication_slot('src', 'pgoutput')`);
    for (let t = 0; t < 20; t++) {
      await server.query(`INSERT INTO r SELECT g, 'v' || g FROM generate_series(${t * 10 + 1}, ${t * 10 + 10}) g`);
      if (t === 9)
        [{ mid }] = (await server.query<{ mid: string }>(`SELECT pg_current_wal_lsn()::text AS mid`)) as [
          { mid: string },
        ];
    }
    await server.query(`UPDATE r SET v = v || '!' WHERE id % 3 = 0; DELETE FROM r WHERE id % 7 = 0`);
    await server.query(`INSERT INTO r SELECT g, repeat('x', 50) FROM generate_series(1001, 100000) g`);
    [{ end }] = (await server.query<{ end: string }>(`SELECT pg_current_wal_lsn()::text AS end`)) as [{ end: string }];
    proxy = new ReplayProxy(server.host, server.port);
    const url = new URL(server.dsn());
    url.port = String(await proxy.listen());
    proxied = url.toString();
  });

  afterAll(async () => {
    await proxy?.close();
    await server?.destroy();
  });

  const stream = async (dsn: string, slot: string, to = end): Promise<string> => {
    await server.query(`SELECT pg_copy_logical_replication_slot('src', $1)`, [slot]);
    const args = ['stream', '--slot', slot, '--direct', '--publication', 'rp', '--endpos', to, '--dsn', dsn];
    const r = await runCli([...args, '--option', 'proto_version=1', '--option', 'streaming=false'], {
      ...process.env,
      PGPASSWORD: server.password,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  };

  it('records the first stream and replays it: the CLI prints the same bytes as from the server', async () => {
    const live = await stream(server.dsn(), 'live');
    expect(live.split('\n').filter((l) => l.includes('"type":"insert"'))).toHaveLength(99200);
    expect(await stream(proxied, 'recorded')).toBe(live);
    expect(proxy.replays).toBe(0);
    const [recording] = proxy.recorded();
    expect(recording?.key).toBe('messages=true,proto_version=1,publication_names="rp",streaming=false');
    expect(recording?.messages).toBeGreaterThan(99200);
    const replayed = await stream(proxied, 'replayed');
    expect(replayed.length).toBe(live.length);
    expect(replayed).toBe(live);
    expect(proxy.replays).toBe(1);
  });

  it('a client that stops early (CopyDone while the replay is still being written) ends as it would live', async () => {
    const live = await stream(server.dsn(), 'live_mid', mid);
    expect(live.split('\n').filter((l) => l.includes('"type":"commit"'))).toHaveLength(10);
    expect(await stream(proxied, 'replayed_mid', mid)).toBe(live);
    expect(proxy.replays).toBe(2);
  });

  it('keys a recording by the START_REPLICATION options, however they are quoted', () => {
    expect(replicationKey(`START_REPLICATION SLOT "a" LOGICAL 0/0 (proto_version '1', publication_names 'p')`)).toBe(
      replicationKey(`START_REPLICATION SLOT b LOGICAL 0/16B3748 ("publication_names" 'p', "proto_version" '1')`),
    );
    expect(replicationKey('START_REPLICATION SLOT "a" PHYSICAL 0/0')).toBeUndefined();
    expect(replicationKey('SELECT 1')).toBeUndefined();
  });
});
