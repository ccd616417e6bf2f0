import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { startPostgres, type PgServer } from '../test/support/postgres';
import { expect, test, WalscopePage } from './fixtures';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/screenshots');

/** With WALSCOPE_SCREENSHOTS=1, the Logical tab in both color schemes for docs/screenshots. */
async function screenshots(page: Page, name: string): Promise<void> {
  if (!process.env['WALSCOPE_SCREENSHOTS']) return;
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Page object for the Logical tab. */
class LogicalTab {
  constructor(readonly page: Page) {}
  async open(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Logical' }).click();
  }
  subscription(name: string) {
    return this.page.getByTestId(`subscription-${name}`);
  }
  pair(name: string) {
    return this.page.getByTestId(`pair-${name}`);
  }
  async connectOtherEnd(dsn: string): Promise<void> {
    await this.page.getByLabel('Other end DSN').fill(dsn);
    await this.page.getByRole('button', { name: 'Connect other end' }).click();
    await expect(this.page.getByTestId('other-end')).toBeVisible();
  }
  sidebarItem(label: string) {
    return this.page.getByRole('complementary', { name: 'Servers' }).getByTestId(`server-${label}`);
  }
}

test.describe('logical replication from both ends', () => {
  let sub: PgServer;

  test.beforeAll(async ({ env }) => {
    sub = await startPostgres({ name: 'e2e-subscriber', settings: { wal_receiver_status_interval: '1s' } });
    await sub.query(`CREATE TABLE items (id int PRIMARY KEY, name text, qty int)`);
    await env.server.query(`INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(50000, 50999) g`);
    const conninfo = `host=127.0.0.1 port=${env.server.port} user=postgres password=${env.server.password} dbname=postgres`;
    await sub.query(
      `CREATE SUBSCRIPTION e2e_sub CONNECTION '${conninfo}' PUBLICATION e2e_pub WITH (disable_on_error = true)`,
    );
  });

  test.afterAll(async ({ env }) => {
    await sub?.destroy();
    await env.server.query(
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'e2e_sub' AND NOT active`,
    );
    await env.server.query(`DELETE FROM items WHERE id >= 50000`);
  });

  test('1. the subscriptions screen shows workers, synced tables, the redacted connection string', async ({
    page,
    env,
  }) => {
    const w = new WalscopePage(page, env);
    await w.open();
    await w.connectWithDsn(sub.dsn());
    await expect(page.getByTestId('session-label')).toBeVisible();
    const tab = new LogicalTab(page);
    await tab.open();
    const card = tab.subscription('e2e_sub');
    await expect(card.getByTestId('subscription-state')).toHaveText('enabled');
    await expect(card.getByTestId('sync-row-items')).toContainText('ready');
    await expect(card.getByRole('table', { name: 'Workers of e2e_sub' })).toContainText('apply');
    await expect(card.getByTestId('subscription-conninfo')).toContainText('password=********');
    await expect(card).not.toContainText(env.server.password);
    await expect(card.getByTestId('subscription-errors')).toContainText('apply errors 0');
  });

  test('2. the other end joins the sidebar unshown; the linked pair: slot and system id, lag back to zero at every stage, a conflict disables the subscription, the orphan is flagged', async ({
    page,
    env,
  }) => {
    const w = new WalscopePage(page, env);
    await w.open();
    await w.connectWithDsn(sub.dsn());
    await expect(page.getByTestId('session-label')).toBeVisible();
    const tab = new LogicalTab(page);
    await tab.open();
    await tab.connectOtherEnd(env.server.dsn());
    // The publisher is a server of the window now, listed in the sidebar; the subscriber stays shown.
    const publisher = `postgres@127.0.0.1:${env.server.port}/postgres`;
    await expect(tab.sidebarItem(publisher)).toBeVisible();
    await expect(tab.sidebarItem(`postgres@127.0.0.1:${sub.port}/postgres`)).toHaveAttribute('aria-current', 'true');
    await expect(page.getByTestId('other-end')).toContainText(publisher);
    const pair = tab.pair('e2e_sub');
    await expect(pair.getByTestId('pair-slot-status')).toHaveText('slot ok');
    const [{ sysid }] = (await env.server.query<{ sysid: string }>(
      `SELECT system_identifier::text AS sysid FROM pg_control_system()`,
    )) as [{ sysid: string }];
    await expect(pair).toContainText(`system ${sysid}`);
    await env.server.query(`INSERT INTO items SELECT g, 'more', 1 FROM generate_series(51000, 51100) g`);
    await expect(pair.getByTestId('pair-lag')).toContainText('confirmed flush 0 B behind', { timeout: 30_000 });
    await expect(pair.getByTestId('pair-lag')).toContainText('received 0 B behind');
    await expect(pair.getByTestId('pair-lag')).toContainText('applied 0 B behind');
    await expect(page.getByTestId('pair-chart-' + (await pairSeries(page)))).toBeVisible();
    if (process.env['WALSCOPE_SCREENSHOTS']) {
      // A few seconds of changes so the chart has a shape to show.
      const chart = page.locator('[data-testid^="pair-chart-"]').first();
      for (let i = 0; i < 40 && Number((await chart.getAttribute('data-points')) ?? 0) < 16; i++) {
        await env.server.query(
          `INSERT INTO items SELECT g, repeat('x', 500), 1 FROM generate_series(${60000 + i * 2000}, ${61999 + i * 2000}) g`,
        );
        await page.waitForTimeout(250);
      }
      await expect(pair.getByTestId('pair-lag')).toContainText('confirmed flush 0 B behind', { timeout: 30_000 });
    }
    await screenshots(page, 'logical');

    await sub.query(`INSERT INTO items VALUES (52000, 'subscriber first', 1)`);
    await env.server.query(`INSERT INTO items VALUES (52000, 'publisher', 1)`);
    const card = tab.subscription('e2e_sub');
    await expect(card.getByTestId('subscription-state')).toHaveText('disabled', { timeout: 30_000 });
    await expect(card.getByTestId('subscription-errors')).toContainText('apply errors 1');
    await expect(card.getByTestId('subscription-errors')).toContainText('insert exists 1');

    await sub.query(`ALTER SUBSCRIPTION e2e_sub SET (slot_name = NONE); DROP SUBSCRIPTION e2e_sub`);
    await expect(page.getByTestId('flag-orphaned-slot-e2e_sub')).toContainText('no subscription on');
    await screenshots(page, 'logical-orphan');
  });
});

/** The chart's series key is `<publisher session id>:<subscription>`; read it from the page. */
async function pairSeries(page: Page): Promise<string> {
  const id = await page.locator('[data-testid^="pair-chart-"]').first().getAttribute('data-testid');
  return (id ?? '').slice('pair-chart-'.length);
}
