// Import-boundary rules from the design: shared/ is platform-free, main/ never imports electron,
// renderer/ never reaches into main/ or app/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'net',
  'tls',
  'crypto',
  'child_process',
  'buffer',
  'stream',
  'events',
  'http',
  'https',
  'url',
  'util',
];

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
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'pg', ...nodeBuiltins.filter((n) => !n.includes('*'))],
          patterns: [
            { group: ['node:*'], message: 'shared/ must stay platform-free (no node:*).' },
            {
              group: ['**/main/**', '**/app/**', '**/renderer/**'],
              message: 'shared/ imports nothing from the other layers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'main/ is plain Node: the Electron shell lives in app/.' }],
          patterns: [{ group: ['**/app/**', '**/renderer/**'], message: 'main/ must not import app/ or renderer/.' }],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'pg', ...nodeBuiltins.filter((n) => !n.includes('*'))],
          patterns: [
            { group: ['node:*'], message: 'The renderer is sandboxed: no Node modules.' },
            { group: ['**/main/**', '**/app/**'], message: 'renderer/ talks to main only through the bridge.' },
          ],
        },
      ],
    },
  },
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
