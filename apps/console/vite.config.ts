import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The node serves the build under /console/ with a strict Content-Security-Policy (script-src 'self',
// style-src 'self'): nothing may be inlined, neither small assets as data: URIs nor the module-preload
// polyfill, so every script and stylesheet is a file of its own.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
});
