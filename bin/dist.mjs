#!/usr/bin/env node
// `npm run dist`: package the desktop app for this platform with electron-builder. The Electron
// runtime is downloaded from outside the npm registry; where that is impossible, say so and stop.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const version = require('electron/package.json').version;
const probe = `https://github.com/electron/electron/releases/download/v${version}/SHASUMS256.txt`;
try {
  const res = await fetch(probe, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
} catch (e) {
  console.error(`walscope dist: cannot fetch the Electron ${version} runtime (${probe}: ${e.message ?? e}).`);
  console.error(
    'Packaging needs it; run `npm run dist` on a machine that can reach GitHub releases. Serve mode (`npm start`) works without it.',
  );
  process.exit(1);
}
for (const [cmd, args] of [
  [
    process.execPath,
    [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'vite.renderer.config.ts'],
  ],
  [process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']],
  [process.execPath, [path.join(root, 'node_modules', 'electron-builder', 'cli.js'), '--publish', 'never']],
]) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
