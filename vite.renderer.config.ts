import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { cspMetaPlugin } from './shared/csp';

// The renderer alone (serve mode and tests); electron.vite.config.ts builds the same entry for the app.
export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  // The CSP as a <meta> fallback; serve mode and the app also send it as a header.
  plugins: [react(), cspMetaPlugin()],
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    // No inline scripts or styles: the CSP forbids them.
    assetsInlineLimit: 0,
  },
});
