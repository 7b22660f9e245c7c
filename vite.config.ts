/**
 * Vite config of the demo page (`npm run demo`). The Vitest config is `vitest.config.ts`.
 *
 * The page imports `wspool` as a user would; the alias points it at the BUILT browser bundle
 * (`dist/browser.js`, from `npm run build`), so the demo and the e2e suite exercise what ships,
 * not the sources.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

export default defineConfig({
  root: fileURLToPath(new URL('./demo', import.meta.url)),
  base: './',
  logLevel: 'warn',
  clearScreen: false,
  resolve: {
    alias: { wspool: fileURLToPath(new URL('./dist/browser.js', import.meta.url)) },
  },
  build: {
    // demo/serve.ts builds into a fresh temporary directory per run.
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  preview: { host: '127.0.0.1' },
  server: { host: '127.0.0.1' },
})
