import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoDatabase, type DemoHandle } from '../main/demo/demo-database';
import { startServe, type ServeHandle } from '../main/serve/serve';
import { ProfileStore } from '../main/sessions/profile-store';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface DemoServe {
  demo: DemoHandle;
  serve: ServeHandle;
  /** Stops serve and the demo and removes the user data dir. */
  stop(): Promise<void>;
}

/**
 * The real demo (primary with its workload, a physical standby, a logical subscriber) behind a
 * serve-mode WALscope, for the specs that show the demo's screens. The standby and the subscriber
 * are awaited so the first page already sees three servers.
 */
export async function startDemoServe(name: string): Promise<DemoServe> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `walscope-e2e-${name}-`));
  const demo = await startDemoDatabase({ userDataDir: dir });
  await Promise.all([demo.standby(), demo.subscriber()]);
  const serve = await startServe({
    rendererDir: path.join(root, 'out', 'renderer'),
    profiles: new ProfileStore(path.join(dir, 'profiles.json'), undefined),
    demo: async () => demo,
    env: {},
    pollIntervalMs: 500,
  } as Parameters<typeof startServe>[0]);
  return {
    demo,
    serve,
    async stop() {
      await serve.close();
      await demo.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
