/**
 * `npm run demo`: two test servers (two origins, so the page shows per-origin pooling), the demo
 * page built with Vite against the built library, and a static server for it. Prints the URL.
 *
 * PORT picks the page's port (default 5173; when taken, the next free one; 0 = any free port).
 * Everything binds 127.0.0.1. Ctrl-C stops it all.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { build, preview } from 'vite'
import { startTestServer } from '../test/server/test-server.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const configFile = fileURLToPath(new URL('../vite.config.ts', import.meta.url))

const port = Number(process.env.PORT ?? 5173)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT: expected an integer in [0, 65535], got ${JSON.stringify(process.env.PORT)}`)
  process.exit(2)
}

// `npm run demo` builds first; a bare `tsx demo/serve.ts` (the e2e web server) builds if needed.
if (!existsSync(new URL('../dist/browser.js', import.meta.url))) {
  execSync('npm run build', { cwd: root, stdio: 'inherit' })
}

const origins = [await startTestServer(), await startTestServer()]
const servers = [
  { name: 'api', url: origins[0].url, httpUrl: origins[0].httpUrl },
  { name: 'feed', url: origins[1].url, httpUrl: origins[1].httpUrl },
]

// Each run builds into its own directory: two runs at once (a demo and the e2e suite) must not
// serve each other's pages, which carry their own server ports.
const outDir = mkdtempSync(join(tmpdir(), 'wspool-demo-'))
process.once('exit', () => rmSync(outDir, { recursive: true, force: true }))
const viteBuild = { outDir, emptyOutDir: true }
await build({ configFile, build: viteBuild, define: { __DEMO_SERVERS__: JSON.stringify(servers) } })
const page = await preview({ configFile, build: viteBuild, preview: { port, strictPort: false, host: '127.0.0.1', open: false } })
const address = page.httpServer.address()
const pagePort = address && typeof address === 'object' ? address.port : port

console.log(`wspool demo: http://127.0.0.1:${pagePort}/`)
for (const s of servers) console.log(`  test server "${s.name}": ${s.url} (stats: ${s.httpUrl}/_/stats)`)
console.log('  Ctrl-C to stop')

const stop = (): void => {
  void Promise.all([...origins.map((s) => s.close()), page.close()]).then(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
