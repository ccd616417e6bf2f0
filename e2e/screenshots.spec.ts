import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import type { ServeHandle } from '../main/serve/serve';
import { startDemoServe, type DemoServe } from './demo-serve';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHOTS = path.join(root, 'docs/screenshots');

/**
 * With WALSCOPE_SCREENSHOTS=1, the page in both color schemes as docs/screenshots/<name>-<scheme>.png
 * (a normal run leaves the tree clean). Whole page unless a viewport-sized picture is the point.
 */
async function shots(page: Page, name: string, fullPage = true): Promise<void> {
  if (!process.env['WALSCOPE_SCREENSHOTS']) return;
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`), fullPage });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/**
 * The lag charts plot what arrived since the page connected; for a picture (only then) let them
 * gather a few seconds of history so the time axis reads in seconds, not milliseconds.
 */
async function gatherHistory(page: Page): Promise<void> {
  if (process.env['WALSCOPE_SCREENSHOTS']) await page.waitForTimeout(15_000);
}

/** The shown server's workspace: the demo subscriber's stays mounted, hidden, beside it. */
const shown = (page: Page) => page.locator('section.workspace:not([hidden])');

/**
 * Every main screen against the real demo (primary with its workload, two slots, a physical
 * standby and a logical subscriber), each checked for the live data it shows before it is
 * photographed, so the pictures in docs/ come from this script and never show an empty state.
 */
test.describe('the screens of the demo', () => {
  let run: DemoServe;
  let serve: ServeHandle;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    run = await startDemoServe('screens');
    serve = run.serve;
  });

  test.afterAll(async () => {
    await run?.stop();
  });

  /** Opens the demo and the given tab of its workspace. */
  async function openDemo(page: Page, tab: string): Promise<void> {
    await page.goto(`${serve.url}&demo`);
    await expect(page.getByTestId('session-label')).toHaveText('demo');
    await page.getByRole('tab', { name: tab }).click();
  }

  test('the connect screen offers the DSN form and the demo', async ({ page }) => {
    await page.goto(serve.url);
    await expect(page.getByLabel('DSN')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Demo database' })).toBeEnabled();
    await shots(page, 'connect');
  });

  test('overview shows the demo as a primary with a moving WAL position, listed in the sidebar', async ({ page }) => {
    await openDemo(page, 'Overview');
    await expect(shown(page).getByText('primary', { exact: true })).toBeVisible();
    const lsn = shown(page).getByTestId('current-lsn');
    await expect(lsn).toHaveText(/^[0-9A-F]+\/[0-9A-F]+$/);
    const first = await lsn.textContent();
    await expect.poll(() => lsn.textContent()).not.toBe(first);
    await expect(page.getByRole('complementary').getByTestId('server-demo')).toBeVisible();
    await shots(page, 'overview');
  });

  test('slots lists the consumed and the idle slot; create and drop dialogs open on them', async ({ page }) => {
    await openDemo(page, 'Slots');
    await expect(page.getByTestId('slot-row-demo_consumer')).toContainText('active');
    await page.getByTestId('slot-row-demo_idle').click();
    await page.getByRole('button', { name: 'Peek backlog' }).click();
    await expect(page.locator('.slots').getByText('public.orders').first()).toBeVisible();
    await gatherHistory(page);
    await shots(page, 'slots');

    await page.getByRole('button', { name: 'Create slot' }).click();
    const create = page.getByRole('dialog', { name: 'Create slot' });
    await expect(create.getByLabel('Name')).toBeFocused();
    await shots(page, 'create-dialog', false);
    await create.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Drop slot' }).click();
    const drop = page.getByRole('dialog', { name: 'Drop slot demo_idle' });
    await expect(drop.getByTestId('drop-consumer')).toHaveText(/none/);
    await shots(page, 'drop-dialog', false);
  });

  test('standbys shows the demo standby streaming with its replay lag', async ({ page }) => {
    await openDemo(page, 'Standbys');
    const row = page.getByTestId('standby-row-walscope_demo_standby');
    await expect(row).toContainText('streaming');
    await expect(row.getByTestId('replay-lag')).toHaveText(/\d/);
    await expect(page.getByRole('region', { name: 'Lag of walscope_demo_standby' })).toBeVisible();
    await gatherHistory(page);
    await shots(page, 'standbys');
  });

  test('logical pairs the demo publication with its subscriber (a sidebar server whose Logical tab shows the subscription and the pair)', async ({
    page,
  }) => {
    await openDemo(page, 'Logical');
    await expect(page.getByTestId('publication-row-demo_pub')).toBeVisible();
    const pair = page.getByTestId('pair-demo_sub');
    await expect(pair.getByTestId('pair-slot-status')).toHaveText(/.+/);
    await expect(pair.getByTestId('pair-positions')).toContainText('/');
    await gatherHistory(page);
    await shots(page, 'logical-demo');

    // The other end is a server of the sidebar: switching to it shows the subscription side.
    await page.getByRole('complementary', { name: 'Servers' }).getByTestId('server-demo subscriber').click();
    await expect(page.getByTestId('session-label')).toHaveText('demo subscriber');
    await page.getByRole('tab', { name: 'Logical' }).click();
    await expect(shown(page).getByTestId('subscription-demo_sub')).toBeVisible();
    await expect(shown(page).getByTestId('other-end')).toContainText('Other end: demo (system');
    await expect(shown(page).getByTestId('pair-demo_sub').getByTestId('pair-positions')).toContainText('/');
  });

  test('stream tails the workload live with a message rate and keepalive, and shows an update in the detail pane', async ({
    page,
  }) => {
    await openDemo(page, 'Stream');
    await shown(page).getByRole('button', { name: 'Start' }).click();
    await expect(shown(page).getByTestId('stream-state')).toHaveText('streaming');
    const updates = shown(page)
      .locator('.stream-list [role=row][data-type=update]')
      .filter({ hasText: 'public.orders' });
    await expect(updates.first()).toContainText('public.');
    // Stop following the tail so the row stays where it is while it is clicked (the list moves with every batch).
    await shown(page).getByRole('checkbox', { name: 'Follow' }).uncheck();
    await updates.first().click();
    const detail = shown(page).getByRole('complementary', { name: 'Message detail' });
    await expect(detail.getByRole('table', { name: 'Tuple values' })).toContainText('status');
    // The counters and the heartbeat have heard from the server, not the zeros of a fresh stream.
    await expect(shown(page).getByTestId('stream-counters')).toHaveText(/· [^·]*[1-9][^·]* msgs\/s/);
    await expect(page.getByTestId('heartbeat')).toHaveText(/keepalive .+ ago/);
    await shots(page, 'stream', false);
    await page.setViewportSize({ width: 1024, height: 700 });
    await expect(detail).toBeInViewport();
    await shots(page, 'stream-1024x700', false);
  });
});
