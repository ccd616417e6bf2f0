#!/usr/bin/env node
// `npm run bench` (engine throughput, then the renderer under load; `-- --quick` for a short run,
// `-- --no-ui` for the throughput part only),
// `npm run bench:ui` (the renderer only), `npm run bench:cost` (where the CLI's CPU goes) and `npm run soak`. The harness runs through tsx; what it measures runs bundled, as it ships.
import { register } from 'tsx/esm/api';
import { buildCli, cliBundleIsFresh } from './cli-bundle.mjs';

// Measure the CLI as it ships: bundled, not transpiled at start by tsx.
if (!cliBundleIsFresh()) await buildCli();
register();
if (process.argv.includes('--soak')) await import('../bench/soak.ts');
else if (process.argv.includes('--cost')) await import('../bench/cost-breakdown.ts');
else if (process.argv.includes('--ui')) await import('../bench/ui.ts');
else {
  await import('../bench/run.ts');
  if (!process.argv.includes('--no-ui')) await import('../bench/ui.ts');
}
