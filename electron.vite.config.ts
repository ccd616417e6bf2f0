import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import { cspMetaPlugin } from './shared/csp';

// main: app/main.ts with the engine bundled in (dependencies stay external in node_modules);
// preload: ONE CommonJS file (a sandboxed preload cannot load ES modules or other files);
// renderer: the same entry as serve mode.
// WALSCOPE_OUT lets a test build elsewhere without touching the out/ that serve mode uses.
const out = process.env['WALSCOPE_OUT'] ?? 'out';

export default defineConfig({
  main: {
    build: {
      outDir: `${out}/main`,
      rollupOptions: {
        input: { index: resolve(__dirname, 'app/main.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  preload: {
    build: {
      outDir: `${out}/preload`,
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'app/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    base: './',
    plugins: [react(), cspMetaPlugin()],
    build: {
      outDir: resolve(__dirname, `${out}/renderer`),
      assetsInlineLimit: 0,
      rollupOptions: { input: resolve(__dirname, 'renderer/index.html') },
    },
  },
});
