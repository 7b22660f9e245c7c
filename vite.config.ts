/**
 * Vite config of the demo page (`npm run demo`). The Vitest config is `vitest.config.ts`.
 *
 * The pages import `wspool` and `wspool/react` as a user would; the aliases point them at the
 * BUILT bundles (`dist/browser.js`, `dist/react.js`, from `npm run build`), so the demo and the
 * e2e suite exercise what ships, not the sources.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

export default defineConfig({
  root: fileURLToPath(new URL('./demo', import.meta.url)),
  base: './',
  logLevel: 'warn',
  clearScreen: false,
  resolve: {
    // Exact matches: `wspool/react` is its own built entry, which imports `wspool` itself.
    alias: [
      { find: /^wspool$/, replacement: fileURLToPath(new URL('./dist/browser.js', import.meta.url)) },
      { find: /^wspool\/react$/, replacement: fileURLToPath(new URL('./dist/react.js', import.meta.url)) },
    ],
  },
  build: {
    // demo/serve.ts builds into a fresh temporary directory per run.
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Three pages: the pool demo, the React demo and the cross-tab pool.
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./demo/index.html', import.meta.url)),
        react: fileURLToPath(new URL('./demo/react.html', import.meta.url)),
        shared: fileURLToPath(new URL('./demo/shared.html', import.meta.url)),
      },
      // dist/react.js begins with 'use client' (for frameworks with server components); a plain
      // client bundle has nothing to do with it.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning)
      },
    },
  },
  // The cross-tab page's SharedWorker is a module worker (`type: 'module'`): bundle it as one.
  worker: { format: 'es' },
  preview: { host: '127.0.0.1' },
  server: { host: '127.0.0.1' },
})
