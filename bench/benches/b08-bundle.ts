// 8. Browser bundle of each library's entry: esbuild --bundle --platform=browser --minify
//    (ESM), everything included, then gzip -9 and brotli q11 (node:zlib). Sizes are
//    deterministic: one build each, no trials. Also the core as it was before requests, shared
//    leases and endpoints (FEATURE_BUDGET.baseCommit, its src/ from `git archive`, built as tsup
//    builds dist/browser.js): issue 8's budget is the difference.
import { existsSync } from 'node:fs'
import path from 'node:path'
import {
  FEATURE_BUDGET,
  SIZE_BUDGET,
  brotliBytes,
  browserDistEntry,
  bundleEntry,
  bundleSourceByFile,
  bundleSourceTree,
  checkoutSrc,
  gzipBytes,
} from '../../scripts/browser-bundle.js'
import { mdTable } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal, Metric } from '../lib/types.js'

interface Entry {
  name: string
  contents: string
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const notes: string[] = []
  const entries: Entry[] = [
    { name: 'partysocket (main)', contents: `export * from 'partysocket'` },
    { name: 'partysocket/ws', contents: `export * from 'partysocket/ws'; export { default } from 'partysocket/ws'` },
    { name: 'reconnecting-websocket', contents: `export { default } from 'reconnecting-websocket'` },
    { name: 'websocket-ts', contents: `export * from 'websocket-ts'` },
    { name: 'socket.io-client', contents: `export * from 'socket.io-client'; export { default } from 'socket.io-client'` },
    { name: 'generic-pool', contents: `export * from 'generic-pool'` },
    { name: 'tarn', contents: `export * from 'tarn'` },
  ]
  // the run's frozen copy of dist/ when there is one (see run.ts), else dist/ itself
  const browserDist = process.env.WSPOOL_BROWSER_DIST ?? path.join(ctx.root, 'dist', 'browser.js')
  if (existsSync(browserDist)) {
    entries.unshift({ name: 'wspool (dist/browser.js)', contents: browserDistEntry(browserDist) })
  } else notes.push('wspool dist/browser.js missing (run `npm run build`)')
  // the same through the package's own `exports` map, as a bundler sees `import 'wspool'`
  if (existsSync(path.join(ctx.root, 'dist'))) {
    entries.splice(1, 0, { name: "wspool (import 'wspool')", contents: `export * from 'wspool'` })
  }

  // wspool from source, with isomorphic-ws resolved to the browser shim as tsup does: the same
  // bytes, but the metafile says which source file they come from
  try {
    const src = await bundleSourceByFile(ctx.root)
    if (src) {
      notes.push(
        `wspool from src/index.ts (isomorphic-ws -> browser shim): ${src.code.length} B min, ${gzipBytes(src.code)} B gzip; minified bytes by source file: ` +
          src.files.map(([f, b]) => `${f} ${b}`).join(', '),
      )
    }
  } catch (err) {
    notes.push(`wspool from src/index.ts does not bundle: ${(err as Error).message.split('\n')[0]}`)
  }
  const gz: Record<string, number[]> = {}
  const br: Record<string, number[]> = {}
  const rows: string[][] = []
  for (const e of entries) {
    try {
      const { code, packages: pkgs } = await bundleEntry(ctx.root, e.contents)
      const g = gzipBytes(code)
      const b = brotliBytes(code)
      gz[e.name] = [g]
      br[e.name] = [b]
      rows.push([e.name, String(code.length), String(g), String(b), pkgs.join(', ')])
      if (e.name.startsWith('wspool') && pkgs.includes('ws')) notes.push(`${e.name}: the browser bundle pulls in the Node 'ws' package`)
    } catch (err) {
      const msg = ((err as { errors?: { text: string }[] }).errors ?? []).map((x) => x.text)
      const unresolved = [...new Set(msg.map((t) => /Could not resolve "([^"]+)"/.exec(t)?.[1]).filter(Boolean))]
      notes.push(`${e.name}: does not build for browsers without polyfills${unresolved.length ? ` (unresolved: ${unresolved.join(', ')})` : `: ${msg[0] ?? (err as Error).message}`}`)
      rows.push([e.name, 'fails', '', '', ''])
    }
  }
  // the core before issue 8's features, measured now with the same esbuild (recorded size if git cannot)
  const base = FEATURE_BUDGET.baseCommit.slice(0, 7)
  const baseName = `wspool core before requests (${base}, from git)`
  let baseGz: number = FEATURE_BUDGET.baseGzipBytes
  let baseFrom = 'recorded in FEATURE_BUDGET'
  try {
    const { srcDir, cleanup } = checkoutSrc(ctx.root, FEATURE_BUDGET.baseCommit)
    try {
      const { code, packages: pkgs } = await bundleSourceTree(ctx.root, srcDir)
      baseGz = gzipBytes(code)
      baseFrom = `built from git now${baseGz === FEATURE_BUDGET.baseGzipBytes ? ', as recorded' : `; FEATURE_BUDGET records ${FEATURE_BUDGET.baseGzipBytes} B`}`
      gz[baseName] = [baseGz]
      br[baseName] = [brotliBytes(code)]
      rows.push([baseName, String(code.length), String(baseGz), String(br[baseName][0]), pkgs.join(', ')])
    } finally {
      cleanup()
    }
  } catch (err) {
    notes.push(`${baseName}: ${(err as Error).message.split('\n')[0]}; using the recorded ${baseGz} B`)
  }
  // wspool's rows first (stable: the others keep their order)
  const rank = (name: string) => (name.startsWith('wspool') ? 0 : 1)
  const wspoolFirst = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => rank(a) - rank(b)))
  rows.sort((a, b) => rank(a[0]) - rank(b[0]))
  notes.push('bundle contents:\n\n' + mdTable(['entry', 'min B', 'gzip B', 'brotli B', 'packages included'], rows).replace(/^/gm, '  '))
  const metrics: Metric[] = [
    { bench: 8, name: 'bundle min+gzip', unit: 'B', better: 'lower', values: wspoolFirst(gz), decimals: 0 },
    { bench: 8, name: 'bundle min+brotli', unit: 'B', better: 'lower', values: wspoolFirst(br), decimals: 0 },
  ]
  const goals: Goal[] = []
  // the same budget `npm run test:size` enforces (scripts/browser-bundle.ts)
  // The goal is the SPEC's limit (6 KB), not the ratchet npm test enforces meanwhile.
  const { specBytes: limitBytes, aimBytes } = SIZE_BUDGET
  const kb = (b: number) => `${b / 1000} KB`
  const w = gz['wspool (dist/browser.js)']?.[0]
  goals.push({
    bench: 8,
    goal: `browser bundle of the core entry <= ${kb(limitBytes)} min+gzip (${limitBytes.toLocaleString('en')} B), aim ${kb(aimBytes)}; everything included`,
    measured: w
      ? `${w} B gzip, ${br['wspool (dist/browser.js)'][0]} B brotli; aim ${kb(aimBytes)} ${w <= aimBytes ? 'met' : `not met (${w - aimBytes} B over)`}`
      : 'not measured',
    met: w ? w <= limitBytes : null,
  })
  const { budgetBytes } = FEATURE_BUDGET
  goals.push({
    bench: 8,
    goal: `requests, shared leases and endpoints add <= ${kb(budgetBytes)} min+gzip (${budgetBytes.toLocaleString('en')} B) to the core entry, over ${base} (the core before them)`,
    measured: w ? `${w - baseGz >= 0 ? '+' : ''}${w - baseGz} B (${w} B vs ${baseGz} B at ${base}, ${baseFrom})` : 'not measured',
    met: w ? w - baseGz <= budgetBytes : null,
  })
  return { bench: 8, title: 'browser bundle size', metrics, goals, notes }
}
