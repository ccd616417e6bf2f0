#!/usr/bin/env node
// `npm run bench` (engine throughput) and `npm run bench:ui` (renderer under load), through tsx.
import { register } from 'tsx/esm/api';

register();
await import(process.argv.includes('--ui') ? '../bench/ui.ts' : '../bench/run.ts');
