import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import type { ServeHandle } from '../main/serve/serve';
import { startDemoServe, type DemoServe } from './demo-serve';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHOTS = path.join(root, 'docs/screenshots');

/** Page object for the Topology tab. */
class TopologyTab {
  constructor(readonly page: Page) {}
  async open(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Topology' }).click();
  }
  node(label: string) {
    return this.page.locator(`[data-testid=topology-node][data-label="${label}"]`);
  }
  edge(kind: 'physical' | 'logical', label: string) {
    return this.page.locator(`[data-testid=topology-edge][data-kind=${kind}]`).filter({ hasText: label });
  }
}

/** The real demo (primary, physical standby, logical subscriber) behind a serve-mode WALscope. */
test.describe('topology of the demo', () => {
  let run: DemoServe;
  let serve: ServeHandle;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    run = await startDemoServe('topology');
    serve = run.serve;
  });

  test.afterAll(async () => {
    await run?.stop();
  });

  test('shows the primary, the seen standby and the subscriber (listed in the sidebar) with labelled edges, live; Connect makes the standby a connected node', async ({
    page,
  }) => {
    await page.goto(`${serve.url}&demo`);
    await expect(page.getByTestId('session-label')).toHaveText('demo');
    const topo = new TopologyTab(page);
    await topo.open();
    await expect(topo.node('demo')).toHaveAttribute('data-connected', 'true');
    // The demo connects its subscriber too, a server of the window listed in the sidebar.
    await expect(topo.node('demo subscriber')).toHaveAttribute('data-connected', 'true');
    await expect(
      page.getByRole('complementary', { name: 'Servers' }).getByTestId('server-demo subscriber'),
    ).toBeVisible();
    await expect(topo.node('walscope_demo_standby')).toHaveAttribute('data-connected', 'false');
    // The view follows topology.snapshot events: the primary's LSN moves with the demo's workload.
    const lsn = () => topo.node('demo').locator('.detail').textContent();
    const first = await lsn();
    await expect.poll(lsn).not.toBe(first);
    await expect(topo.edge('physical', 'walscope_demo_standby').getByTestId('topology-edge-lag')).toHaveText(/behind/);
    await expect(topo.edge('logical', 'demo_sub').getByTestId('topology-edge-lag')).toHaveText(/behind/);

    await page.getByRole('button', { name: 'Connect walscope_demo_standby' }).click();
    await expect(topo.node('demo standby')).toHaveAttribute('data-connected', 'true');
    await expect(topo.node('walscope_demo_standby')).toHaveCount(0);
    await expect(topo.edge('physical', 'walscope_demo_standby').getByTestId('topology-edge-lag')).toHaveText(/behind/);
    await expect(page.locator('[data-testid=topology-node][data-connected=true]')).toHaveCount(3);
    // The graph stays shown (the primary is still the shown server); the standby joins the sidebar.
    await expect(page.getByTestId('session-label')).toHaveText('demo');
    await expect(page.getByRole('tab', { name: 'Topology', selected: true }).first()).toBeVisible();
    await expect(page.getByRole('complementary').getByText('demo standby')).toBeVisible();

    if (process.env['WALSCOPE_SCREENSHOTS'])
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({ path: path.join(SHOTS, `topology-${scheme}.png`), fullPage: true });
      }
  });
});
