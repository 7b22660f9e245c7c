/**
 * Chromium launch options shared by Playwright (e2e) and Vitest browser mode.
 *
 * Debian's headless shell is preferred: it makes no lookups of Google hosts at start. The
 * host-resolver rule maps every name except localhost/127.0.0.1 to NOTFOUND, so nothing can
 * leave the machine. Override the binary with CHROMIUM_PATH.
 */
import { existsSync } from 'node:fs'

const candidates = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium-headless-shell',
  '/usr/bin/chromium',
].filter((p): p is string => Boolean(p))

export const chromiumPath: string = candidates.find((p) => existsSync(p)) ?? candidates[0]

export const chromiumArgs: string[] = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
]

export const chromiumLaunchOptions = {
  executablePath: chromiumPath,
  args: chromiumArgs,
}
