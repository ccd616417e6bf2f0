#!/usr/bin/env node
// `npm run bench`: the benchmark runner (TypeScript, through tsx like the CLI).
import { register } from 'tsx/esm/api';

register();
await import('../bench/run.ts');
