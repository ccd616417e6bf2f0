import pg from 'pg';
import { expect, test, WalscopePage } from './fixtures';

test.describe('a stream start that waits on the server', () => {
  test('the view names the open transaction a live tail waits for; Cancel ends it within 2 s, leaving no slot', async ({
    page,
    env,
  }) => {
    const s = env.server;
    const open = new pg.Client({
      host: s.host,
      port: s.port,
      user: s.user,
      password: s.password,
      database: s.database,
    });
    await open.connect();
    try {
      await open.query(`BEGIN; INSERT INTO items VALUES (900, 'held', 1)`);
      const { pid, xid } = (
        await open.query<{ pid: number; xid: string }>(
          `SELECT pg_backend_pid() AS pid, pg_current_xact_id()::text AS xid`,
        )
      ).rows[0]!;
      const w = new WalscopePage(page, env);
      await w.connect();
      await w.tab('Stream');
      await page.getByLabel('Source', { exact: true }).selectOption({ label: 'Live tail (temporary slot)' });
      await page.getByLabel('Plugin', { exact: true }).selectOption('test_decoding');
      await page.getByRole('button', { name: 'Start' }).click();
      const waiting = page.getByTestId('stream-waiting');
      await expect(waiting).toContainText(`CREATE_REPLICATION_SLOT has waited`, { timeout: 15_000 });
      await expect(waiting).toContainText(`transaction ${xid} (backend ${pid}, idle in transaction`);
      await waiting.getByRole('button', { name: 'Cancel' }).click();
      await expect(page.getByRole('button', { name: 'Start' })).toBeVisible({ timeout: 2000 });
      await expect
        .poll(
          async () => (await s.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'walscope_%'`)).length,
        )
        .toBe(0);
    } finally {
      await open.query('ROLLBACK').catch(() => undefined);
      await open.end();
    }
  });
});
