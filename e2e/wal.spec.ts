import { expect, test, WalscopePage } from './fixtures';

test.describe('live WAL', () => {
  test('9. the WAL tab shows a live rate, the written tables at the top of "by relation", and a record in detail', async ({
    page,
    env,
  }) => {
    const w = new WalscopePage(page, env);
    await w.connect();
    await page.getByRole('tab', { name: 'WAL' }).click();
    await page.getByRole('button', { name: 'Start live WAL' }).click();
    await expect(page.getByTestId('wal-state')).toHaveText('streaming');
    // Items writes the most WAL: insert batches until the live rate shows them (each poll writes one).
    let n = 10_000;
    await expect
      .poll(async () => {
        await env.server.query(
          `INSERT INTO items SELECT g, repeat('w', 200), g FROM generate_series(${n}, ${n + 399}) g`,
        );
        n += 400;
        return /^0 B\/s$/.test(await page.getByTestId('wal-bytes-rate').innerText());
      })
      .toBe(false);
    await expect(page.getByTestId('wal-by-relation').locator('tbody tr').first()).toContainText('public.items');
    await expect(page.getByTestId('wal-by-type')).toContainText('Heap/INSERT');
    // WALSCOPE_SCREENSHOTS=1 refreshes the pictures in docs/ (a normal run leaves the tree clean).
    if (process.env['WALSCOPE_SCREENSHOTS']) await page.screenshot({ path: 'docs/screenshots/wal-light.png' });

    // Filter the list to the table's inserts and open one record.
    await page.getByTestId('wal-by-type').getByText('Heap/INSERT', { exact: true }).click();
    await page.getByLabel('WAL relation').fill('items');
    const row = page.locator('.wal-list [role=row][data-testid^="walrec-"]').first();
    await expect(row).toContainText('Heap/INSERT');
    await row.click();
    const detail = page.getByTestId('wal-detail');
    await expect(detail).toContainText('Heap/INSERT');
    await expect(detail.getByTestId('wal-blocks')).toContainText('public.items');
    await expect(detail.getByTestId('wal-description')).toContainText('off:');
    await expect(detail.getByTestId('wal-hex')).not.toBeEmpty();
    if (process.env['WALSCOPE_SCREENSHOTS']) await page.screenshot({ path: 'docs/screenshots/wal-detail-light.png' });
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(page.getByRole('button', { name: 'Start live WAL' })).toBeVisible();
  });
});
