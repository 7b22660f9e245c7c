/**
 * Playwright e2e: the demo page (built against dist/browser.js) and its two test servers, in
 * Debian's Chromium. `demo/serve.ts` runs with PORT=0 (a free port; never a collision with
 * another run) and prints its URL, which `wait.stdout` captures into WSPOOL_DEMO_URL.
 */
import { defineConfig } from '@playwright/test'
import { chromiumLaunchOptions } from './e2e/chromium.js'

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // One demo process (shared test servers) and server-side counts per test: run serially.
  workers: 1,
  fullyParallel: false,
  timeout: 45_000,
  expect: { timeout: 15_000 },
  reporter: 'list',
  outputDir: 'test-results',
  forbidOnly: true,
  use: {
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions,
    viewport: { width: 1440, height: 1000 },
    deviceScaleFactor: 1,
    trace: 'off',
    screenshot: 'off',
  },
  webServer: {
    command: 'node node_modules/tsx/dist/cli.mjs demo/serve.ts',
    env: { PORT: '0' },
    wait: { stdout: /wspool demo: (?<wspool_demo_url>http:\/\/127\.0\.0\.1:\d+\/)/ },
    stdout: 'ignore',
    stderr: 'pipe',
    timeout: 90_000,
    reuseExistingServer: false,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
})
