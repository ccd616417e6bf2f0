#!/usr/bin/env node
// `npm run bench` (engine throughput, then the renderer under load; `-- --quick` for a short run),
// `npm run bench:ui` (the renderer only) and `npm run soak` — TypeScript run through tsx like the CLI.
import { register } from 'tsx/esm/api';

register();
if (process.argv.includes('--soak')) await import('../bench/soak.ts');
else if (process.argv.includes('--ui')) await import('../bench/ui.ts');
else {
  await import('../bench/run.ts');
  await import('../bench/ui.ts');
}
