// What a change adds to the browser build of the core entry: the core of a base commit against
// the current `src/` (or a second commit), both built the way the shipped bundle is
// (scripts/browser-bundle.ts: tsup's browser entry mirrored with esbuild, then BROWSER_BUILD),
// with the same esbuild in the same run. The base's `src/` comes from `git archive`.
//   npx tsx scripts/size-delta.ts [<base-commit>] [--head <commit>]
// Default base: FEATURE_BUDGET.baseCommit (the last commit before requests, shared leases and
// endpoints); the difference is reported against FEATURE_BUDGET.budgetBytes (issue 8: they add
// at most 1.5 KB min+gzip) and the exit code is 1 when over the ratchet (FEATURE_BUDGET.ratchetBytes). `npm run test:size` checks the same
// budget from the recorded FEATURE_BUDGET.baseGzipBytes, without git.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  BROWSER_BUILD,
  FEATURE_BUDGET,
  brotliBytes,
  bundleSourceTree,
  checkoutSrc,
  gzipBytes,
  mirrorsDist,
  type TreeBundle,
} from './browser-bundle.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const fmt = (n: number) => n.toLocaleString('en')
const signed = (n: number) => (n > 0 ? '+' : '') + fmt(n)

interface Side {
  label: string
  bundle: TreeBundle
}

async function side(label: string, commit: string | undefined): Promise<Side> {
  if (!commit) return { label, bundle: await bundleSourceTree(root, path.join(root, 'src')) }
  const { srcDir, cleanup } = checkoutSrc(root, commit)
  try {
    return { label, bundle: await bundleSourceTree(root, srcDir) }
  } finally {
    cleanup()
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2)
  const hi = argv.indexOf('--head')
  const headCommit = hi >= 0 ? argv[hi + 1] : undefined
  const positional = argv.filter((a, i) => !a.startsWith('--') && (hi < 0 || i !== hi + 1))
  const baseCommit = positional[0] ?? FEATURE_BUDGET.baseCommit
  const isFeatureBase = FEATURE_BUDGET.baseCommit.startsWith(baseCommit) && baseCommit.length >= 7

  const base = await side(`base ${baseCommit.slice(0, 12)}`, baseCommit)
  const head = await side(headCommit ? `head ${headCommit.slice(0, 12)}` : 'head (working tree src/)', headCommit)
  const row = (s: Side) => {
    const c = s.bundle.code
    return [s.label, fmt(c.length), fmt(gzipBytes(c)), fmt(brotliBytes(c))]
  }
  const d = (f: (c: Uint8Array) => number) => signed(f(head.bundle.code) - f(base.bundle.code))
  const rows = [['', 'min B', 'min+gzip B', 'min+brotli B'], row(base), row(head), ['difference', d((c) => c.length), d(gzipBytes), d(brotliBytes)]]
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  const lines = [
    `size delta: core entry built as tsup's browser entry, then esbuild bundle, minify, platform ${BROWSER_BUILD.platform}, format ${BROWSER_BUILD.format}, target ${BROWSER_BUILD.target}; gzip -9, brotli q11`,
    ...rows.map((r) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')),
  ]
  if (!headCommit) {
    const same = mirrorsDist(head.bundle.dist, path.join(root, 'dist', 'browser.js'))
    lines.push(
      `  dist/browser.js ${same ? 'is' : 'is NOT'} byte for byte what src/ builds to here${same ? '' : ' (stale build, or tsup.config.ts changed without browserDistOptions: rebuild and compare)'}`,
    )
  }
  const delta = gzipBytes(head.bundle.code) - gzipBytes(base.bundle.code)
  let code = 0
  if (isFeatureBase) {
    const ok = delta <= FEATURE_BUDGET.ratchetBytes
    const met = delta <= FEATURE_BUDGET.budgetBytes
    lines.push(
      `  requests + shared leases + endpoints: ${signed(delta)} B min+gzip over ${baseCommit.slice(0, 12)}; SPEC budget ${fmt(FEATURE_BUDGET.budgetBytes)} B: ${met ? 'met' : `not met (${fmt(delta - FEATURE_BUDGET.budgetBytes)} B over)`}; ratchet ${fmt(FEATURE_BUDGET.ratchetBytes)} B: ${ok ? 'within' : `OVER by ${fmt(delta - FEATURE_BUDGET.ratchetBytes)} B`}`,
    )
    const recorded = gzipBytes(base.bundle.code)
    if (recorded !== FEATURE_BUDGET.baseGzipBytes) {
      lines.push(`  note: the base measures ${fmt(recorded)} B here, FEATURE_BUDGET.baseGzipBytes records ${fmt(FEATURE_BUDGET.baseGzipBytes)} B (another esbuild?)`)
    }
    if (!ok) code = 1
  }
  console.log(lines.join('\n'))
  return code
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (err) => {
    console.error('size-delta: could not measure:', (err as Error).message)
    process.exitCode = 1
  },
)
