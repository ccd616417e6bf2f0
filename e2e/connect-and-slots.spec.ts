import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, WalscopePage } from './fixtures';

test.describe('connect and slots', () => {
  test('1. connect with a DSN; wrong password and unreachable host explain themselves', async ({ page, env }) => {
    const w = new WalscopePage(page, env);
    await w.open();
    await w.connectWithDsn(env.server.dsn({ password: 'not-the-password' }));
    const error = page.getByRole('alert');
    await expect(error).toContainText('Authentication failed');
    await expect(error).toContainText('password authentication failed');
    await expect(error).not.toContainText('not-the-password');
    await w.connectWithDsn('postgres://nobody@127.0.0.1:1/db?sslmode=disable');
    await expect(page.getByRole('alert')).toContainText('Cannot reach the server');
    await expect(page.getByRole('alert')).toContainText('Connection refused');
    await w.connectWithDsn(env.server.dsn());
    await expect(page.getByTestId('session-label')).toContainText(`postgres@127.0.0.1:${env.server.port}/postgres`);
    await expect(page.getByTestId('current-lsn')).toHaveText(/^[0-9A-F]+\/[0-9A-F]+$/);
  });

  test('2. the slots table shows slots created in SQL, checked against SQL', async ({ page, env }) => {
    await env.server.query(`SELECT pg_create_logical_replication_slot('e2e_logical', 'test_decoding')`);
    await env.server.query(`SELECT pg_create_physical_replication_slot('e2e_physical', true)`);
    await env.server.query(`INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1000, 1500) g`);
    const w = new WalscopePage(page, env);
    await w.connect();
    await w.tab('Slots');
    const logical = w.slotRow('e2e_logical');
    await expect(logical).toContainText('logical');
    await expect(logical).toContainText('test_decoding');
    await expect(logical).toContainText('inactive');
    await expect(w.slotRow('e2e_physical')).toContainText('physical');
    const [row] = await env.server.query<{ retained: string }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text AS retained FROM pg_replication_slots WHERE slot_name = 'e2e_logical'`,
    );
    const kb = Number(row!.retained) / 1024;
    const shown = await logical.getByTestId('retained').innerText();
    const [value, unit] = shown.split(' ');
    const shownKb = unit === 'MB' ? Number(value) * 1024 : unit === 'kB' ? Number(value) : Number(value) / 1024;
    expect(Math.abs(shownKb - kb) / kb).toBeLessThan(0.1); // same figure, within rounding and a poll's drift
    await env.server.query(`SELECT pg_drop_replication_slot('e2e_physical')`);
  });

  test('3. create a slot from the dialog; a duplicate shows an error and changes nothing', async ({ page, env }) => {
    const w = new WalscopePage(page, env);
    await w.connect();
    await w.tab('Slots');
    await page.getByRole('button', { name: 'Create slot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create slot' });
    await dialog.getByLabel('Name').fill('e2e_created');
    await dialog.getByLabel('Output plugin').selectOption('pgoutput');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('status')).toContainText('retains WAL');
    await expect(w.slotRow('e2e_created')).toBeVisible();
    expect(await env.server.query(`SELECT plugin FROM pg_replication_slots WHERE slot_name = 'e2e_created'`)).toEqual([
      { plugin: 'pgoutput' },
    ]);

    const count = (await env.server.query(`SELECT 1 FROM pg_replication_slots`)).length;
    await page.getByRole('button', { name: 'Create slot' }).click();
    await dialog.getByLabel('Name').fill('e2e_created');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.getByRole('alert')).toContainText('Slot already exists');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await env.server.query(`SELECT 1 FROM pg_replication_slots`)).length).toBe(count);
  });

  test('4. drop an idle slot by typing its name; an active slot needs "terminate consumer and drop"', async ({
    page,
    env,
  }) => {
    await env.server.query(`SELECT pg_create_logical_replication_slot('e2e_drop_me', 'test_decoding')`);
    const w = new WalscopePage(page, env);
    await w.connect();
    await w.tab('Slots');
    await w.slotRow('e2e_drop_me').click();
    await page.getByRole('button', { name: 'Drop slot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Drop slot e2e_drop_me' });
    await expect(dialog.getByTestId('drop-consumer')).toHaveText('none (inactive)');
    const dropButton = dialog.getByRole('button', { name: 'Drop slot' });
    await expect(dropButton).toBeDisabled();
    await dialog.getByLabel('Type the slot name to confirm').fill('e2e_drop_me');
    await dropButton.click();
    await expect(page.getByRole('status')).toContainText('Dropped e2e_drop_me');
    expect(await env.server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'e2e_drop_me'`)).toEqual([]);

    // An active slot: a consumer holds it (pg_recvlogical-like: a replication connection streaming it).
    await env.server.query(`SELECT pg_create_logical_replication_slot('e2e_busy', 'test_decoding')`);
    const { ChangeStream } = await import('../main/stream/change-stream');
    const consumer = new ChangeStream(
      {
        connection: {
          host: env.server.host,
          port: env.server.port,
          user: env.server.user,
          password: env.server.password,
          database: 'postgres',
        },
        source: { kind: 'direct', slot: 'e2e_busy' },
      },
      { message: () => true },
    );
    const consumerDone = consumer.run().catch(() => undefined);
    await expect(w.slotRow('e2e_busy')).toContainText('active', { timeout: 15_000 });
    await w.slotRow('e2e_busy').click();
    await page.getByRole('button', { name: 'Drop slot' }).click();
    const busy = page.getByRole('dialog', { name: 'Drop slot e2e_busy' });
    await expect(busy.getByTestId('drop-consumer')).toContainText('PID');
    await busy.getByLabel('Type the slot name to confirm').fill('e2e_busy');
    await busy.getByRole('button', { name: 'Drop slot' }).click();
    await expect(busy.getByRole('alert')).toContainText('Slot in use');
    expect((await env.server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'e2e_busy'`)).length).toBe(1);
    await busy.getByRole('button', { name: 'Terminate consumer and drop' }).click();
    await expect(page.getByRole('status')).toContainText('Dropped e2e_busy');
    expect(await env.server.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'e2e_busy'`)).toEqual([]);
    await consumer.stop();
    await consumerDone;
  });

  test('5. advance previews the WAL it skips and moves the slot only after the name is typed', async ({
    page,
    env,
  }) => {
    await env.server.query(`SELECT pg_create_logical_replication_slot('e2e_advance', 'test_decoding')`);
    await env.server.query(`INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(2000, 2400) g`);
    const [before] = await env.server.query<{ c: string }>(
      `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = 'e2e_advance'`,
    );
    const w = new WalscopePage(page, env);
    await w.connect();
    await w.tab('Slots');
    await w.slotRow('e2e_advance').click();
    await page.getByRole('button', { name: 'Advance…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Advance slot e2e_advance' });
    await dialog.getByLabel(/Advance to LSN/).fill('');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const preview = dialog.getByTestId('advance-preview');
    await expect(preview.getByTestId('advance-from')).toHaveText(before!.c);
    const target = await preview.getByTestId('advance-target').innerText();
    const [diff] = await env.server.query<{ b: string }>(`SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text AS b`, [
      target,
      before!.c,
    ]);
    const kb = Number(diff!.b) / 1024;
    const shown = (await preview.getByTestId('advance-skipped').innerText()).split(' ');
    const shownKb = shown[1] === 'MB' ? Number(shown[0]) * 1024 : shown[1] === 'kB' ? Number(shown[0]) : NaN;
    expect(Math.abs(shownKb - kb) / kb).toBeLessThan(0.05);
    const confirm = dialog.getByRole('button', { name: /^Skip .* and advance$/ });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel('Type the slot name to confirm').fill('e2e_advance');
    if (process.env['WALSCOPE_SCREENSHOTS']) {
      await dialog.screenshot({ path: 'docs/screenshots/advance-dialog-light.png' });
    }
    expect(
      await env.server.query(
        `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = 'e2e_advance'`,
      ),
    ).toEqual([{ c: before!.c }]);
    await confirm.click();
    await expect(page.getByRole('status')).toContainText(`Advanced e2e_advance to ${target}`);
    expect(
      await env.server.query(
        `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = 'e2e_advance'`,
      ),
    ).toEqual([{ c: target }]);
    await env.server.query(`SELECT pg_drop_replication_slot('e2e_advance')`);
  });

  test('6. connecting to a server that never answers can be cancelled; no connection is left behind', async ({
    page,
    env,
  }) => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const w = new WalscopePage(page, env);
      await w.open();
      await w.connectWithDsn(`host=127.0.0.1 port=${port} user=nobody dbname=db connect_timeout=60`);
      await expect(page.getByRole('button', { name: 'Connecting…' })).toBeDisabled();
      await expect.poll(() => sockets.size).toBe(1);
      // WALSCOPE_SCREENSHOTS=1 refreshes the picture in docs/ (a normal run leaves the tree clean).
      if (process.env['WALSCOPE_SCREENSHOTS']) {
        await page.screenshot({ path: path.join(SCREENSHOTS, 'connect-cancel.png') });
      }
      await page.getByRole('button', { name: 'Cancel' }).click();
      await expect(page.getByRole('alert')).toContainText('Cancelled');
      await expect(page.getByRole('alert')).toContainText(`connecting to 127.0.0.1:${port} was cancelled`);
      await expect(page.getByRole('button', { name: 'Connect', exact: true })).toBeEnabled();
      await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
      await expect.poll(() => sockets.size).toBe(0);
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');
