#!/usr/bin/env node
// `npm run bench` (engine throughput), `npm run bench:ui` (renderer under load) and `npm run soak`,
// all TypeScript run through tsx like the CLI.
import { register } from 'tsx/esm/api';

register();
const script = process.argv.includes('--ui')
  ? '../bench/ui.ts'
  : process.argv.includes('--soak')
    ? '../bench/soak.ts'
    : '../bench/run.ts';
await import(script);
