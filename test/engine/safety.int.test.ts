import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLsn } from '../../shared/lsn';
import { fullMajors, startPostgres, type PgServer } from '../support/postgres';
import { capture, clientConfig, eventually, rows } from '../support/streams';
import { col } from '../support/tuples';

interface SlotPos {
  confirmed_flush_lsn: string;
  restart_lsn: string;
  catalog_xmin: string;
}

// An inspector must do no harm: inspect-mode streams leave every slot where it was, never send
// hot-standby feedback, and let a fast shutdown finish.
describe.each(fullMajors())('inspect-mode safety on PostgreSQL %i', (major) => {
  let server: PgServer;

  const positions = async (slot: string): Promise<SlotPos> => {
    const [row] = await server.query<SlotPos>(
      `SELECT confirmed_flush_lsn::text, restart_lsn::text, catalog_xmin::text FROM pg_replication_slots WHERE slot_name = $1`,
      [slot],
    );
    return row!;
  };

  beforeAll(async () => {
    server = await startPostgres({ major });
    await server.query(`CREATE TABLE s (id int PRIMARY KEY, v text); CREATE PUBLICATION pub FOR TABLE s`);
    await server.query(`SELECT pg_create_logical_replication_slot('theirs', 'pgoutput')`);
    await server.query(`SELECT pg_create_logical_replication_slot('owned', 'test_decoding')`);
    await server.query(`INSERT INTO s SELECT g, 'v' || g FROM generate_series(1, 200) g`);
    await server.query(`UPDATE s SET v = 'u' WHERE id <= 10`);
    await server.query(`SELECT pg_logical_emit_message(false, 'done', 'x')`);
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('reads a slot through a temporary copy and leaves the original untouched', async () => {
    const before = await positions('theirs');
    const c = capture({
      connection: clientConfig(server),
      source: { kind: 'copy', slot: 'theirs' },
      publications: ['pub'],
    });
    await c.until((ms) => ms.some((m) => m.type === 'message' && m.prefix === 'done'));
    expect(rows(c.messages)).toHaveLength(210);
    expect(c.stream.currentSlot).toMatch(/^walscope_copy_[0-9a-f]{10}$/);
    const [walsender] = await server.query<{ backend_xmin: string | null }>(
      `SELECT backend_xmin::text FROM pg_stat_replication WHERE pid = $1`,
      [c.stream.backendPid],
    );
    expect(walsender!.backend_xmin).toBeNull(); // no hot-standby feedback
    await c.stop();
    expect(await positions('theirs')).toEqual(before);
    await eventually(
      async () =>
        (await server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'walscope_%'`)).length === 0,
    );
  });

  it('streams a slot directly in inspect mode without moving it, even past its keepalives', async () => {
    const before = await positions('owned');
    // wal_sender_timeout = 2 s for this walsender: status updates every second and keepalives
    // soon, so the wait below always sees status updates sent after everything was received.
    const c = capture({
      connection: { ...clientConfig(server), options: '-c wal_sender_timeout=2s' },
      source: { kind: 'direct', slot: 'owned' },
    });
    await c.until((ms) => ms.some((m) => m.type === 'message' && m.prefix === 'done'));
    const seen = c.keepalives;
    await c.until(() => c.keepalives >= seen + 2, 15_000);
    await c.stop();
    expect(await positions('owned')).toEqual(before);
  });

  it('consume mode (the explicit opt-in) does confirm what was handed on', async () => {
    await server.query(`SELECT pg_create_logical_replication_slot('consumed', 'test_decoding')`);
    const before = await positions('consumed');
    await server.query(`INSERT INTO s VALUES (1000, 'c'); SELECT pg_logical_emit_message(false, 'done2', 'x')`);
    const c = capture({
      connection: clientConfig(server),
      source: { kind: 'direct', slot: 'consumed' },
      mode: 'consume',
    });
    await c.until((ms) => ms.some((m) => m.type === 'message' && m.prefix === 'done2'));
    await c.stop();
    const after = await positions('consumed');
    expect(parseLsn(after.confirmed_flush_lsn) > parseLsn(before.confirmed_flush_lsn)).toBe(true);
  });

  it('refuses consume mode on anything but a directly opened slot', () => {
    expect(() =>
      capture({ connection: clientConfig(server), source: { kind: 'copy', slot: 'theirs' }, mode: 'consume' }),
    ).toThrow(/consume mode/);
  });

  it('lets pg_ctl stop -m fast finish within 5 s with a direct and a copy stream attached; neither slot moves', async () => {
    const before = { theirs: await positions('theirs'), owned: await positions('owned') };
    const direct = capture({ connection: clientConfig(server), source: { kind: 'direct', slot: 'owned' } });
    const copy = capture({
      connection: clientConfig(server),
      source: { kind: 'copy', slot: 'theirs' },
      publications: ['pub'],
    });
    await copy.until((ms) => ms.some((m) => m.type === 'message' && m.prefix === 'done'));
    await server.query(`INSERT INTO s VALUES (2000, 'late')`);
    await copy.until((ms) => ms.some((m) => m.type === 'insert' && col(m.new, 'id') === '2000'));
    await direct.until((ms) => ms.some((m) => m.type === 'insert' && col(m.new, 'id') === '2000'));
    const { ms } = await server.stop('fast');
    expect(ms).toBeLessThan(5000);
    await direct.stop();
    await copy.stop();
    await server.start();
    expect({ theirs: await positions('theirs'), owned: await positions('owned') }).toEqual(before);
  });
});
