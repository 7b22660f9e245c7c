import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { playwright } from '@vitest/browser-playwright'
import path from 'node:path'
import { chromiumLaunchOptions } from './e2e/chromium.js'
import { react18Dir } from './scripts/react18.js'

/**
 * Three projects, run one at a time by the package scripts (`vitest run --project X`):
 * - `unit`: pure modules in Node.
 * - `integration`: the library source against a real `ws` server on port 0, plus the type
 *   tests (`test/types/**\/*.test-d.ts`, checked by `tsc` through Vitest's typecheck mode).
 * - `browser`: a representative part of the integration suite in real Chromium. The test
 *   server runs in Node (globalSetup) and its URLs reach the page through `provide`/`inject`.
 *
 * The React hooks (`src/react`, `wspool/react`) are tested in `integration` (server rendering,
 * `*.test.tsx`) and in `browser` (hooks against the test server, `*.test.tsx`). `src/react`
 * imports the core as `wspool`, which resolves to the sources here as in tsconfig.json.
 *
 * Timeouts are hang guards only: no test asserts timing tighter than these.
 */
const source = (file: string) => fileURLToPath(new URL(file, import.meta.url))

/** Real Chromium (Debian's) for a browser project: a fresh object each (Vitest names its instances in place). */
const chromium = () => ({
  enabled: true,
  headless: true,
  provider: playwright({ launchOptions: chromiumLaunchOptions }),
  instances: [{ browser: 'chromium' as const }],
  screenshotFailures: false,
})

/** Runtime dependencies pre-bundled so Vite does not re-optimise (and reload) mid-run. */
const BROWSER_DEPS = [
  'mitt', 'isomorphic-ws', 'react', 'react/jsx-dev-runtime', 'react/jsx-runtime', 'react-dom',
  'react-dom/client', 'react-dom/server', '@testing-library/react', 'react-use-websocket',
]

export default defineConfig({
  resolve: {
    alias: [
      { find: /^wspool$/, replacement: source('./src/index.ts') },
      { find: /^wspool\/react$/, replacement: source('./src/react/index.ts') },
    ],
  },
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 10_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          environment: 'node',
          provide: { reactMajor: '19' },
          include: ['test/integration/**/*.test.{ts,tsx}'],
          typecheck: {
            enabled: true,
            include: ['test/types/**/*.test-d.ts'],
            tsconfig: './tsconfig.json',
          },
        },
      },
      {
        extends: true,
        // Pre-bundle the runtime dependencies so Vite does not re-optimise (and reload) mid-run.
        optimizeDeps: { include: BROWSER_DEPS },
        test: {
          name: 'browser',
          provide: { reactMajor: '19' },
          include: ['test/browser/**/*.test.{ts,tsx}'],
          globalSetup: ['test/helpers/browser-global-setup.ts'],
          browser: chromium(),
        },
      },
      {
        extends: true,
        // Server rendering again, with React 18 (see below).
        resolve: { alias: react18Aliases('server.node.js') },
        test: {
          name: 'integration-react18',
          environment: 'node',
          provide: { reactMajor: '18' },
          include: ['test/integration/react-*.test.tsx'],
        },
      },
      {
        extends: true,
        // The React tests again, with React 18 (installed by scripts/react18.ts into its own
        // folder): `react` and `react-dom`, from the hooks and from Testing Library alike, resolve there.
        resolve: { alias: react18Aliases() },
        optimizeDeps: { include: [...BROWSER_DEPS, 'react-dom/test-utils'] },
        test: {
          name: 'browser-react18',
          provide: { reactMajor: '18' },
          include: ['test/browser/react-*.test.tsx'],
          globalSetup: ['test/helpers/browser-global-setup.ts'],
          browser: chromium(),
        },
      },
    ],
  },
})

/** `react` and `react-dom` (and the entry points the tests and Testing Library import) -> React 18's files. */
function react18Aliases(server = 'server.browser.js'): { find: RegExp; replacement: string }[] {
  const dir = (pkg: string, file: string) => path.join(react18Dir, 'node_modules', pkg, file)
  return [
    ['react', 'index.js'], ['react/jsx-runtime', 'jsx-runtime.js'], ['react/jsx-dev-runtime', 'jsx-dev-runtime.js'],
    ['react-dom', 'index.js'], ['react-dom/client', 'client.js'], ['react-dom/server', server], ['react-dom/test-utils', 'test-utils.js'],
  ].map(([id, file]) => ({ find: new RegExp(`^${id.replace('/', '\\/')}$`), replacement: dir(id.split('/')[0], file) }))
}
