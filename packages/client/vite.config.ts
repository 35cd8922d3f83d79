import { defineConfig } from 'vite';

/** The client is one small static bundle: no inline scripts or styles (strict CSP), no preload polyfill. */
export default defineConfig({
  build: {
    target: 'es2022',
    // Browsers from 2024 on: CSS is shipped as written, without lightningcss's light-dark() fallback variables
    // (bytes the 25 KB budget cannot spare). Older browsers still get a usable page; none of them is tested.
    cssTarget: ['chrome123', 'edge123', 'firefox120', 'safari17.5'],
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    // CSS code splitting stays on (the default): with no dynamic import it still makes one stylesheet, and
    // `cssCodeSplit: false` leaves Vite's internal `/*$vite$:1*/` marker at the end of it (Vite 8.3).
    sourcemap: false,
    reportCompressedSize: false,
  },
});
