import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { startPostgres, type PgServer } from '../test/support/postgres';
import { expect, test, WalscopePage } from './fixtures';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/screenshots');

const label = (server: PgServer): string => `postgres@127.0.0.1:${server.port}/postgres`;

/** The shown server's workspace, and a hidden one (every connected server's stays mounted). */
const shown = (page: Page) => page.locator('section.workspace:not([hidden])');
const hiddenServer = (page: Page, server: PgServer) =>
  page.locator(`section.workspace[hidden][aria-label="Server ${label(server)}"]`);

async function receivedIn(scope: ReturnType<typeof shown>): Promise<number> {
  return Number(await scope.getByTestId('received-count').textContent());
}

test.describe('several servers in one window', () => {
  let b: PgServer;

  test.beforeAll(async () => {
    b = await startPostgres({ name: 'e2e-servers-b' });
  });

  test.afterAll(async ({ env }) => {
    await b?.destroy();
    await env.server.query(`DELETE FROM items WHERE id >= 70000 AND id < 80000`);
  });

  test('two servers in the sidebar; switching keeps A’s stream running and counting while B is shown; disconnect closes one', async ({
    page,
    env,
  }) => {
    const w = new WalscopePage(page, env);
    await w.connect();
    const sidebar = page.getByRole('complementary', { name: 'Servers' });
    const itemA = sidebar.getByTestId(`server-${label(env.server)}`);
    await expect(itemA).toBeVisible();

    // A: a live tail with rows in it.
    await w.startStream('Live tail (temporary slot)', { plugin: 'test_decoding' });
    await env.server.query(`INSERT INTO items SELECT g, 'a', 1 FROM generate_series(70000, 70009) g`);
    await expect(w.messages('insert')).toHaveCount(10);

    // B: connected from "+" while A stays connected; the sidebar lists both.
    await sidebar.getByRole('button', { name: 'Connect another server' }).click();
    await w.connectWithDsn(b.dsn());
    await expect(page.getByTestId('session-label')).toHaveText(label(b));
    const itemB = sidebar.getByTestId(`server-${label(b)}`);
    await expect(sidebar.locator('.server-item')).toHaveCount(2);
    await expect(itemB).toHaveAttribute('aria-current', 'true');

    // Something on B: its slot appears in its Slots tab, and in its sidebar row's worst lag.
    await b.query(`SELECT pg_create_logical_replication_slot('b_slot', 'test_decoding')`);
    await w.tab('Slots');
    await expect(shown(page).getByTestId('slot-row-b_slot')).toBeVisible();
    await expect(itemB.getByTestId('server-lag')).toHaveAttribute('title', /slot b_slot/);

    // While B is shown, A's stream keeps receiving: its (hidden) counter and its sidebar LSN move.
    const hiddenA = hiddenServer(page, env.server);
    const before = await receivedIn(hiddenA);
    const lsnBefore = await itemA.getByTestId('server-lsn').textContent();
    await env.server.query(`INSERT INTO items SELECT g, 'while b', 1 FROM generate_series(70010, 70029) g`);
    await expect.poll(() => receivedIn(hiddenA)).toBeGreaterThanOrEqual(before + 20);
    await expect(itemA.getByTestId('server-lsn')).not.toHaveText(lsnBefore ?? '');
    await expect(hiddenA.getByTestId('stream-state')).toHaveText('streaming');

    // Back to A: the stream is still running, the rows from before and during B are all there.
    await itemA.click();
    await expect(page.getByTestId('session-label')).toHaveText(label(env.server));
    await expect(shown(page).getByTestId('stream-state')).toHaveText('streaming');
    await expect(w.messages('insert')).toHaveCount(30);
    if (process.env['WALSCOPE_SCREENSHOTS']) await page.screenshot({ path: path.join(SHOTS, 'servers-light.png') });
    const [{ n }] = (await env.server.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_replication_slots WHERE temporary AND active`,
    )) as [{ n: string }];
    expect(Number(n)).toBe(1);

    // Disconnecting B closes B only.
    await itemB.click();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await expect(sidebar.locator('.server-item')).toHaveCount(1);
    await expect(page.getByTestId('session-label')).toHaveText(label(env.server));
    await expect(shown(page).getByTestId('stream-state')).toHaveText('streaming');
    await b.query(`SELECT pg_drop_replication_slot('b_slot')`);
  });
});
