// Build of the demo/test app only (not the extension): `vite build --config e2e/app.vite.config.ts`
// writes dist/app/{index,frame}.html and their bundle, with relative URLs so the local server can
// serve it under any path (npm start serves it at /app/).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: resolve(here, 'app'),
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: resolve(here, '../dist/app'),
    emptyOutDir: true,
    // Readable bundle: a person debugging with the panel may step into it.
    minify: false,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      input: {
        index: resolve(here, 'app/index.html'),
        frame: resolve(here, 'app/frame.html'),
      },
    },
  },
});
