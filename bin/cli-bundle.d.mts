import type { BuildOptions } from 'esbuild';

/** Path of the bundled CLI's entry module in out/cli. */
export const cliBundleEntry: string;
/** esbuild options for a Node 20 ES module that leaves its dependencies to node_modules. */
export const NODE_BUNDLE: BuildOptions;
/** True when out/cli exists and is newer than every .ts file under main/ and shared/. */
export function cliBundleIsFresh(): boolean;
/** Builds out/cli from main/cli/main.ts, replacing the previous bundle atomically. */
export function buildCli(): Promise<void>;
