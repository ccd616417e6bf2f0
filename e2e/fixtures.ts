import { test as base, expect, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServe, type ServeHandle } from '../main/serve/serve';
import { ProfileStore } from '../main/sessions/profile-store';
import { startPostgres, startStandby, type PgServer } from '../test/support/postgres';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Env {
  server: PgServer;
  serve: ServeHandle;
}

/** One PostgreSQL 18 and one serve-mode WALscope per worker; specs share them and clean up after themselves. */
export const test = base.extend<object, { env: Env }>({
  env: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startPostgres({ name: 'e2e', settings: { wal_sender_timeout: '10s' } });
      await server.query(
        `CREATE TABLE items (id int PRIMARY KEY, name text, qty int); CREATE PUBLICATION e2e_pub FOR TABLE items`,
      );
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-e2e-'));
      const serve = await startServe({
        rendererDir: path.join(root, 'out', 'renderer'),
        profiles: new ProfileStore(path.join(dataDir, 'profiles.json'), undefined),
        demo: () => Promise.reject(new Error('the e2e suite uses its own server')),
        env: {},
        pollIntervalMs: 500,
      } as Parameters<typeof startServe>[0]);
      await use({ server, serve });
      await serve.close();
      await server.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
});

export { expect, startStandby };

/** Page object: the connect screen and the app frame. */
export class WalscopePage {
  constructor(
    readonly page: Page,
    readonly env: Env,
  ) {}

  /** Opens the printed URL; the page takes the token out of the address bar at once. */
  async open(): Promise<void> {
    await this.page.goto(this.env.serve.url);
    await expect(this.page).not.toHaveURL(/token=/);
  }

  async connectWithDsn(dsn: string): Promise<void> {
    await this.page.getByLabel('DSN').fill(dsn);
    await this.page.getByRole('button', { name: 'Connect', exact: true }).click();
  }

  async connect(): Promise<void> {
    await this.open();
    await this.connectWithDsn(this.env.server.dsn());
    await expect(this.page.getByTestId('session-label')).toBeVisible();
  }

  async tab(name: 'Overview' | 'Slots' | 'Standbys' | 'Stream'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  slotRow(name: string) {
    return this.page.getByTestId(`slot-row-${name}`);
  }

  async startStream(
    kind: 'Live tail (temporary slot)' | 'Existing slot — peek (temporary copy)',
    opts: { plugin?: string; slot?: string } = {},
  ): Promise<void> {
    await this.tab('Stream');
    await this.page.getByLabel('Source', { exact: true }).selectOption({ label: kind });
    if (opts.plugin) await this.page.getByLabel('Plugin', { exact: true }).selectOption(opts.plugin);
    if (opts.slot) await this.page.getByLabel('Slot', { exact: true }).selectOption(opts.slot);
    await this.page.getByRole('button', { name: 'Start' }).click();
    await expect(this.page.getByTestId('stream-state')).toHaveText('streaming');
  }

  messages(type?: string) {
    return this.page.locator(
      type ? `.stream-list [role=row][data-type="${type}"]` : '.stream-list [role=row][data-type]',
    );
  }
}
