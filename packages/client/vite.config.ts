import { defineConfig } from 'vite';

/** The client is one small static bundle: no inline scripts or styles (strict CSP), no preload polyfill. */
export default defineConfig({
  build: {
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
