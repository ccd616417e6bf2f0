#!/usr/bin/env node
// `npm start`: the desktop app where the Electron runtime is installed; otherwise serve mode in
// the browser, with the built-in demo database when no server is given.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, cliBundleIsFresh } from './cli-bundle.mjs';
import { installedElectron } from './electron-path.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const electron = installedElectron();
if (electron) {
  if (!existsSync(path.join(root, 'out', 'main', 'index.cjs')))
    run(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);
  const child = spawn(electron, [root, ...args], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!existsSync(path.join(root, 'out', 'renderer', 'index.html'))) {
    run(process.execPath, [
      path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'vite.renderer.config.ts',
      '--logLevel',
      'warn',
    ]);
  }
  if (!cliBundleIsFresh()) await buildCli();
  console.log(
    'WALscope: the Electron runtime is not installed here (its binary comes from outside the npm registry), so the UI runs in serve mode: open the URL below in a browser.',
  );
  const child = spawn(
    process.execPath,
    [path.join(root, 'bin', 'walscope.mjs'), 'serve', ...(args.length ? args : ['--demo'])],
    { cwd: root, stdio: 'inherit' },
  );
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}
