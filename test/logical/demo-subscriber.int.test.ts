import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoDatabase, type DemoHandle } from '../../main/demo/demo-database';
import { ServerMonitor } from '../../main/monitor/server-monitor';
import { linkSessions } from '../../main/sessions/logical-link';
import { resolveConnectionSettings, toPgClientConfig } from '../../main/connection';
import { eventually } from '../support/eventually';

const config = (dsn: string) => toPgClientConfig(resolveConnectionSettings({ dsn }, {}));

describe('the demo database has a subscriber', () => {
  let demo: DemoHandle;
  let userDataDir: string;

  beforeAll(async () => {
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-demo-sub-test-'));
    demo = await startDemoDatabase({ userDataDir });
  });

  afterAll(async () => {
    await demo?.stop();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  it('subscribes to demo_pub with the demo DSN, syncs every table and links to the publisher slot', async () => {
    const subDsn = await demo.subscriber();
    const [pub, sub] = await Promise.all([ServerMonitor.open(config(demo.dsn)), ServerMonitor.open(config(subDsn))]);
    try {
      const s = await eventually(
        async () => {
          const found = (await sub.poll()).logical.subscriptions.find((x) => x.name === 'demo_sub');
          return found && found.tables.length === 4 && found.tables.every((t) => t.state === 'ready')
            ? found
            : undefined;
        },
        60_000,
        250,
      );
      expect(s!.conninfo).toMatch(/^postgresql:\/\/postgres:\*{8}@\/postgres\?host=/); // the demo's Unix socket
      const links = linkSessions(
        { sessionId: 'pub', label: 'Demo database', host: String(config(demo.dsn).host), snapshot: await pub.poll() },
        { sessionId: 'sub', label: 'Demo subscriber', host: String(config(subDsn).host), snapshot: await sub.poll() },
        Date.now(),
      );
      const pair = links.find((l) => l.publisherSessionId === 'pub')!.pairs[0]!;
      expect(pair).toMatchObject({ subscription: 'demo_sub', slot: 'demo_sub', slotStatus: 'ok' });
    } finally {
      await pub.close();
      await sub.close();
    }
  });
});
