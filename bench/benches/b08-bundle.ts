// 8. Browser bundle of each library's entry: esbuild --bundle --platform=browser --minify
//    (ESM), everything included, then gzip -9 and brotli q11 (node:zlib). Sizes are
//    deterministic: one build each, no trials.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'
import { mdTable } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal, Metric } from '../lib/types.js'

interface Entry {
  name: string
  contents: string
}

/** The one esbuild setting every bundle here is measured with: minified ESM for browsers. */
const BROWSER_BUILD = {
  bundle: true,
  minify: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  write: false,
  metafile: true,
  logLevel: 'silent',
} as const

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
    entries.unshift({ name: 'wspool (dist/browser.js)', contents: `export * from ${JSON.stringify(browserDist)}` })
  } else notes.push('wspool dist/browser.js missing (run `npm run build`)')
  // the same through the package's own `exports` map, as a bundler sees `import 'wspool'`
  if (existsSync(path.join(ctx.root, 'dist'))) {
    entries.splice(1, 0, { name: "wspool (import 'wspool')", contents: `export * from 'wspool'` })
  }

  // wspool from source, with isomorphic-ws resolved to the browser shim as tsup does: the same
  // bytes, but the metafile says which source file they come from
  const srcEntry = path.join(ctx.root, 'src', 'index.ts')
  const shim = path.join(ctx.root, 'src', 'runtime', 'native-websocket.ts')
  if (existsSync(srcEntry) && existsSync(shim)) {
    try {
      const res = await esbuild.build({
        ...BROWSER_BUILD,
        entryPoints: [srcEntry],
        alias: { 'isomorphic-ws': shim },
      })
      const code = res.outputFiles[0].contents
      const out = Object.values(res.metafile.outputs)[0]
      const parts = Object.entries(out.inputs)
        .map(([file, v]) => [file.replace(/^.*?(src|node_modules)\//, '$1/'), v.bytesInOutput] as const)
        .sort((a, b) => b[1] - a[1])
      notes.push(
        `wspool from src/index.ts (isomorphic-ws -> browser shim): ${code.length} B min, ${gzipSync(code, { level: 9 }).length} B gzip; minified bytes by source file: ` +
          parts.map(([f, b]) => `${f} ${b}`).join(', '),
      )
    } catch (err) {
      notes.push(`wspool from src/index.ts does not bundle: ${(err as Error).message.split('\n')[0]}`)
    }
  }
  const gz: Record<string, number[]> = {}
  const br: Record<string, number[]> = {}
  const rows: string[][] = []
  for (const e of entries) {
    try {
      const res = await esbuild.build({
        ...BROWSER_BUILD,
        stdin: { contents: e.contents, resolveDir: ctx.root, sourcefile: 'entry.js', loader: 'js' },
      })
      const code = res.outputFiles[0].contents
      const g = gzipSync(code, { level: 9 }).length
      const b = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
      gz[e.name] = [g]
      br[e.name] = [b]
      const inputs = Object.keys(res.metafile.inputs)
      const pkgs = [...new Set(inputs.map((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i)?.[1] ?? (i.startsWith('dist/') || i.startsWith('src/') ? 'wspool' : '')))].filter(Boolean)
      rows.push([e.name, String(code.length), String(g), String(b), pkgs.join(', ')])
      if (e.name.startsWith('wspool') && pkgs.includes('ws')) notes.push(`${e.name}: the browser bundle pulls in the Node 'ws' package`)
    } catch (err) {
      const msg = ((err as { errors?: { text: string }[] }).errors ?? []).map((x) => x.text)
      const unresolved = [...new Set(msg.map((t) => /Could not resolve "([^"]+)"/.exec(t)?.[1]).filter(Boolean))]
      notes.push(`${e.name}: does not build for browsers without polyfills${unresolved.length ? ` (unresolved: ${unresolved.join(', ')})` : `: ${msg[0] ?? (err as Error).message}`}`)
      rows.push([e.name, 'fails', '', '', ''])
    }
  }
  notes.push('bundle contents:\n\n' + mdTable(['entry', 'min B', 'gzip B', 'brotli B', 'packages included'], rows).replace(/^/gm, '  '))
  const metrics: Metric[] = [
    { bench: 8, name: 'bundle min+gzip', unit: 'B', better: 'lower', values: gz, decimals: 0 },
    { bench: 8, name: 'bundle min+brotli', unit: 'B', better: 'lower', values: br, decimals: 0 },
  ]
  const goals: Goal[] = []
  const w = gz['wspool (dist/browser.js)']?.[0]
  goals.push({
    bench: 8,
    goal: 'browser bundle of the core entry <= 4.0 KB min+gzip (4,000 B), everything included',
    measured: w ? `${w} B gzip, ${br['wspool (dist/browser.js)'][0]} B brotli` : 'not measured',
    met: w ? w <= 4000 : null,
  })
  return { bench: 8, title: 'browser bundle size', metrics, goals, notes }
}
