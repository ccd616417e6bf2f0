#!/usr/bin/env node
// The CLI: the esbuild bundle when it is up to date with the sources (`npm run build:cli`; the test,
// bench and start scripts build it), otherwise the TypeScript sources through tsx's loader.
import { pathToFileURL } from 'node:url';
import { cliBundleEntry, cliBundleIsFresh } from './cli-bundle.mjs';

let main;
if (cliBundleIsFresh()) {
  ({ main } = await import(pathToFileURL(cliBundleEntry).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../main/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
