import fs from 'node:fs';
import { expect, startStandby, test, WalscopePage } from './fixtures';

test.describe('live stream, lag and standbys', () => {
  test('5. a live tail shows each change in order with values; pause keeps counting; filters; detail pane', async ({
    page,
    env,
  }) => {
    const w = new WalscopePage(page, env);
    await w.connect();
    await w.startStream('Live tail (temporary slot)', { plugin: 'test_decoding' });
    await env.server.query(`INSERT INTO items VALUES (1, 'apple', 3)`);
    await env.server.query(`UPDATE items SET qty = 4 WHERE id = 1`);
    await env.server.query(`DELETE FROM items WHERE id = 1`);
    await env.server.query(`SELECT pg_logical_emit_message(true, 'e2e', 'hello from SQL')`);
    await env.server.query(`INSERT INTO items VALUES (2, 'pear', 1)`);
    await env.server.query(`TRUNCATE items`);
    await expect(w.messages('truncate')).toHaveCount(1);
    const ops = await w
      .messages()
      .evaluateAll((rows) =>
        rows.map((r) => r.getAttribute('data-type')).filter((t) => t !== 'begin' && t !== 'commit'),
      );
    expect(ops).toEqual(['insert', 'update', 'delete', 'message', 'insert', 'truncate']);
    await expect(w.messages('insert').first()).toContainText('public.items');
    // Every row shows its LSN (carried in the wire row, not parsed from the message).
    await expect(w.messages('insert').first().locator('.lsn')).toHaveText(/^[0-9A-F]+\/[0-9A-F]+$/);
    await expect(w.messages('insert').first()).toContainText('name=apple');
    await expect(w.messages('message')).toContainText('hello from SQL');

    // Pause: the list freezes, the counter keeps going.
    await page.getByRole('button', { name: 'Pause' }).click();
    const before = Number(await page.getByTestId('received-count').innerText());
    await env.server.query(`INSERT INTO items VALUES (3, 'plum', 9)`);
    await expect.poll(async () => Number(await page.getByTestId('received-count').innerText())).toBeGreaterThan(before);
    await expect(w.messages('insert')).toHaveCount(2);
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect(w.messages('insert')).toHaveCount(3);

    // Filters narrow the list.
    await page.getByLabel('Operation').selectOption('update');
    await expect(w.messages()).toHaveCount(1);
    await page.getByLabel('Operation').selectOption('');
    await page.getByLabel('Filter text').fill('plum');
    await expect(w.messages()).toHaveCount(1);
    // Export writes what is shown: one message per line, values intact.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export NDJSON' }).click(),
    ]);
    const exported = fs
      .readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ type: 'insert', schema: 'public', table: 'items', new: { name: 'plum' } });
    await page.getByLabel('Filter text').fill('');

    // Detail pane: old and new values of the update (REPLICA IDENTITY FULL shows the whole old row).
    await env.server.query(`ALTER TABLE items REPLICA IDENTITY FULL`);
    await env.server.query(`UPDATE items SET name = 'plum 2' WHERE id = 3`);
    await expect(w.messages('update')).toHaveCount(2);
    await w.messages('update').last().click();
    const detail = page.getByRole('complementary', { name: 'Message detail' });
    // test_decoding labels the whole old row "old-key", shown in the "key" column.
    const tuples = detail.getByRole('table', { name: 'Tuple values' });
    await expect(tuples).toContainText('plum 2');
    expect(
      await tuples
        .getByRole('row')
        .evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? ''))),
    ).toEqual([
      ['column', 'key', 'new'],
      ['id', '3', '3'],
      ['name', 'plum', 'plum 2'],
      ['qty', '9', '9'],
    ]);
    await expect(detail.getByTestId('raw-hex')).toContainText('000000');
    await env.server.query(`ALTER TABLE items REPLICA IDENTITY DEFAULT`);
    await page.getByRole('button', { name: 'Stop' }).click();
    // The raw bytes of a stopped stream's rows are still there to inspect.
    await w.messages('insert').first().click();
    await expect(detail.getByTestId('raw-hex')).toContainText('table pu');
  });

  test('6. peek an existing slot through a copy: its confirmed_flush_lsn does not move', async ({ page, env }) => {
    await env.server.query(`SELECT pg_create_logical_replication_slot('e2e_peek', 'pgoutput')`);
    await env.server.query(`INSERT INTO items VALUES (10, 'backlog', 1)`);
    const [before] = await env.server.query(
      `SELECT confirmed_flush_lsn::text, restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'e2e_peek'`,
    );
    const w = new WalscopePage(page, env);
    await w.connect();
    await w.startStream('Existing slot — peek (temporary copy)', { slot: 'e2e_peek' });
    await expect(w.messages('insert')).toContainText('backlog');
    await page.getByRole('button', { name: 'Stop' }).click();
    const [after] = await env.server.query(
      `SELECT confirmed_flush_lsn::text, restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'e2e_peek'`,
    );
    expect(after).toEqual(before);
    await env.server.query(`SELECT pg_drop_replication_slot('e2e_peek')`);
  });

  test("7. an idle slot's lag grows while a workload runs; the heartbeat shows a recent keepalive", async ({
    page,
    env,
  }) => {
    await env.server.query(`SELECT pg_create_logical_replication_slot('e2e_idle', 'test_decoding')`);
    const w = new WalscopePage(page, env);
    await w.connect();
    await w.startStream('Live tail (temporary slot)', { plugin: 'test_decoding' });
    await expect(page.getByTestId('heartbeat')).toHaveText(/keepalive \d+ (ms|s) ago/, { timeout: 30_000 });
    await w.tab('Slots');
    await w.slotRow('e2e_idle').click();
    const pending = async (): Promise<number> => {
      const rows = await env.server.query<{ p: string }>(
        `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS p FROM pg_replication_slots WHERE slot_name = 'e2e_idle'`,
      );
      return Number(rows[0]!.p);
    };
    // The slot table's Pending cell, in bytes (humanBytes: "812 B", "1.5 kB", "120 kB", …).
    const pendingCell = w.slotRow('e2e_idle').getByRole('cell').nth(4);
    const shown = async (): Promise<number> => {
      const m = /^([\d.]+) (B|kB|MB|GB)$/.exec((await pendingCell.innerText()).trim());
      return m ? Number(m[1]) * 1024 ** ['B', 'kB', 'MB', 'GB'].indexOf(m[2]!) : NaN;
    };
    await expect.poll(shown).toBeGreaterThanOrEqual(0);
    const start = await pending();
    const firstShown = await shown();
    // Each batch of the workload must show up as a larger figure at a later poll.
    for (let i = 0; i < 3; i++) {
      const previous = await shown();
      await env.server.query(
        `INSERT INTO items SELECT g, 'load', g FROM generate_series(${20_000 + i * 1000}, ${20_999 + i * 1000}) g`,
      );
      await expect.poll(shown, { timeout: 15_000 }).toBeGreaterThan(previous);
    }
    expect(await pending()).toBeGreaterThan(start);
    expect(await shown()).toBeGreaterThan(firstShown);
    const chart = page.getByTestId('lag-chart-slot:e2e_idle');
    await expect(chart.locator('canvas')).toBeVisible();
    await env.server.query(`SELECT pg_drop_replication_slot('e2e_idle')`);
  });

  test('8. killing the walsender: the UI shows reconnecting, then resumes without gap or duplicate', async ({
    page,
    env,
  }) => {
    await env.server.query(`SELECT pg_create_logical_replication_slot('e2e_resume', 'test_decoding')`);
    const w = new WalscopePage(page, env);
    await w.connect();
    await w.startStream('Existing slot — peek (temporary copy)', { slot: 'e2e_resume' });
    for (let i = 0; i < 3; i++) await env.server.query(`INSERT INTO items VALUES ($1, 'before', 0)`, [30_000 + i]);
    await expect(w.messages('insert')).toHaveCount(3);
    await env.server.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_replication WHERE application_name LIKE 'walscope%'`,
    );
    await expect(page.getByTestId('stream-state')).toHaveText('reconnecting');
    for (let i = 3; i < 6; i++) await env.server.query(`INSERT INTO items VALUES ($1, 'after', 0)`, [30_000 + i]);
    await expect(page.getByTestId('stream-state')).toHaveText('streaming', { timeout: 30_000 });
    await expect(w.messages('insert')).toHaveCount(6);
    const ids = await w
      .messages('insert')
      .evaluateAll((rows) => rows.map((r) => /id=(\d+)/.exec(r.textContent ?? '')?.[1]));
    expect(ids).toEqual(['30000', '30001', '30002', '30003', '30004', '30005']);
    await expect(page.locator('.gap')).toHaveCount(0);
    await page.getByRole('button', { name: 'Stop' }).click();
    await env.server.query(`SELECT pg_drop_replication_slot('e2e_resume')`);
  });

  test('9. a physical standby appears in Standbys with lag figures', async ({ page, env }) => {
    const standby = await startStandby(env.server, { slot: 'e2e_standby_slot' });
    try {
      const w = new WalscopePage(page, env);
      await w.connect();
      await w.tab('Standbys');
      const row = page.getByTestId('standby-row-walscope_test_standby');
      await expect(row).toContainText('streaming');
      await expect(row).toContainText('e2e_standby_slot');
      await expect(row.getByTestId('replay-lag')).toHaveText(/\d/);
    } finally {
      await standby.destroy();
      await env.server.query(`SELECT pg_drop_replication_slot('e2e_standby_slot')`).catch(() => undefined);
    }
  });

  test('10. closing the window drops the temporary slot on the server', async ({ page, env }) => {
    const w = new WalscopePage(page, env);
    await w.connect();
    await w.startStream('Live tail (temporary slot)', { plugin: 'test_decoding' });
    const temp = await env.server.query<{ slot_name: string }>(
      `SELECT slot_name FROM pg_replication_slots WHERE temporary AND slot_name LIKE 'walscope_tmp_%'`,
    );
    expect(temp).toHaveLength(1);
    await page.close();
    await expect
      .poll(
        async () =>
          (await env.server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [temp[0]!.slot_name]))
            .length,
        { timeout: 20_000 },
      )
      .toBe(0);
  });
});
