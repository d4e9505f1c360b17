// web/vite.config.ts — one build for the three clients the server serves (app/webApp.ts):
// index.html (player app, /), draw.html (live draw stage, /draw/:drawId), ops.html
// (operator console, /ops). Shared code (the API client, the Colyseus SDK, draw/'s
// verifier) is split into chunks the pages share.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: here('public'),
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      input: { index: here('index.html'), draw: here('draw.html'), ops: here('ops.html') },
    },
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  // `npm run dev:web` proxies the API and sockets to a server on :2567.
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:2567',
      '/matchmake': { target: 'http://127.0.0.1:2567', ws: true },
    },
  },
});
