// `npm run test:size`: the size budget of the core entry. Bundles the built dist/browser.js as
// bench 8 does (scripts/browser-bundle.ts: esbuild bundle + minify, browser, ESM, es2022,
// everything included), gzips at level 9 and fails when the result exceeds the SPEC's limit.
// Also prints the aim, the brotli size and the minified bytes per source file, so a failure
// says where the bytes are. Run after `npm run build`.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  BROWSER_BUILD,
  SIZE_BUDGET,
  brotliBytes,
  browserDistEntry,
  bundleEntry,
  bundleSourceByFile,
  gzipBytes,
} from './browser-bundle.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const fmt = (n: number) => n.toLocaleString('en')

async function main(): Promise<number> {
  const browserJs = path.join(root, 'dist', 'browser.js')
  if (!existsSync(browserJs)) {
    console.error('size: dist/browser.js is missing; run `npm run build` first')
    return 1
  }
  const { code, packages } = await bundleEntry(root, browserDistEntry(browserJs))
  const gz = gzipBytes(code)
  const br = brotliBytes(code)
  const { limitBytes, specBytes, aimBytes } = SIZE_BUDGET
  const ok = gz <= limitBytes
  const setting = `esbuild bundle, minify, platform ${BROWSER_BUILD.platform}, format ${BROWSER_BUILD.format}, target ${BROWSER_BUILD.target}`

  const lines = [
    `size: core entry (dist/browser.js), ${setting}; packages included: ${packages.join(', ')}`,
    `  min+gzip -9     ${fmt(gz).padStart(7)} B`,
    `  budget          ${fmt(limitBytes).padStart(7)} B   ${ok ? 'within' : `OVER by ${fmt(gz - limitBytes)} B`} (the ratchet npm test enforces)`,
    `  SPEC limit      ${fmt(specBytes).padStart(7)} B   ${gz <= specBytes ? 'met' : `not met (${fmt(gz - specBytes)} B to go)`}`,
    `  SPEC aim        ${fmt(aimBytes).padStart(7)} B   ${gz <= aimBytes ? 'met' : `not met (${fmt(gz - aimBytes)} B to go)`}`,
    `  min+brotli q11  ${fmt(br).padStart(7)} B`,
    `  min             ${fmt(code.length).padStart(7)} B`,
  ]
  try {
    const src = await bundleSourceByFile(root)
    if (src) {
      lines.push(
        `  minified bytes by source file (src/index.ts, isomorphic-ws -> src/runtime/native-websocket.ts: ${fmt(src.code.length)} B min, ${fmt(gzipBytes(src.code))} B gzip):`,
      )
      const width = Math.max(...src.files.map(([f]) => f.length))
      for (const [file, bytes] of src.files) lines.push(`    ${file.padEnd(width)} ${fmt(bytes).padStart(7)}`)
    }
  } catch (err) {
    lines.push(`  (src/index.ts does not bundle, no per-file breakdown: ${(err as Error).message.split('\n')[0]})`)
  }
  console.log(lines.join('\n'))
  if (!ok) {
    console.error(
      `size: FAIL: the core entry is ${fmt(gz)} B min+gzip, over the budget of ${fmt(limitBytes)} B (SPEC: at most ${fmt(specBytes)} B, aiming at ${fmt(aimBytes)} B)`,
    )
    return 1
  }
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (err) => {
    console.error('size: could not measure:', err)
    process.exitCode = 1
  },
)
