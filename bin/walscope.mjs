#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx's loader: one source of truth, no build step
// between editing the engine and running it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
