import { expect, test, WalscopePage } from './fixtures';

// Issue 12: the serve-mode token leaves the address bar once read, is never a cookie, survives a
// reload of the tab (sessionStorage) and is needed: a tab opened without it cannot use the engine.
test.describe('serve-mode access token in the browser', () => {
  test('the token leaves the address bar, is no cookie, survives a reload and a tab without it is refused', async ({
    page,
    context,
    env,
  }) => {
    const w = new WalscopePage(page, env);
    const base = `http://127.0.0.1:${env.serve.port}/`;
    await w.open();
    await expect(page).toHaveURL(base);
    expect(await context.cookies()).toEqual([]);
    await w.connectWithDsn(env.server.dsn());
    await expect(page.getByTestId('session-label')).toBeVisible();

    await page.reload();
    await w.connectWithDsn(env.server.dsn());
    await expect(page.getByTestId('session-label')).toBeVisible();

    // Another tab has its own sessionStorage: the bare address gets the page, not the engine.
    const other = await context.newPage();
    await other.goto(base);
    await other.getByLabel('DSN').fill(env.server.dsn());
    await other.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(other.getByRole('alert')).toContainText('no valid access token');
    await expect(other.getByRole('alert')).toContainText('Open the URL printed by `walscope serve`');
    await other.close();
  });
});
