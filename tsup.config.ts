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
])
