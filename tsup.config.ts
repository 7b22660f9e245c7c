import { defineConfig } from 'tsup'
import { fileURLToPath } from 'node:url'

const dts = { compilerOptions: { ignoreDeprecations: '6.0' } }

export default defineConfig([
  // Node and generic bundlers: the transport resolves `isomorphic-ws` (-> `ws` on Node).
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    external: ['isomorphic-ws', 'ws'],
  },
  // Browsers: `isomorphic-ws` is swapped for a shim that reads the native WebSocket lazily,
  // so the browser build never references `ws` and touches no global at import time.
  {
    entry: { browser: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: false,
    sourcemap: true,
    target: 'es2022',
    platform: 'browser',
    noExternal: ['isomorphic-ws'],
    // Node-only paths (`ws`'s own API, Buffer) fold away: see src/runtime/platform.ts.
    define: { __BROWSER__: 'true' },
    esbuildOptions(options) {
      options.minifySyntax = true
      options.alias = {
        'isomorphic-ws': fileURLToPath(new URL('./src/runtime/native-websocket.ts', import.meta.url)),
      }
    },
  },
  // wspool/react: one build for every runtime. It imports the core by its package name, kept
  // external (tsconfig.json maps the name to the sources for the typecheck), so an app that
  // imports both entries bundles one core, resolved with its own conditions (`browser`...).
  // esbuild drops module-level directives when bundling; the banner puts 'use client' back as
  // the first statement of each file, so React Server Components treat the hooks as client code.
  {
    entry: { react: 'src/react/index.ts' },
    format: ['esm', 'cjs'],
    dts,
    sourcemap: true,
    target: 'es2022',
    external: ['wspool', 'react', 'react-dom'],
    banner: { js: "'use client'" },
  },
])
