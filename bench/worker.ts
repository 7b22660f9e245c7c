// One benchmark in its own Node process (started by run.ts with --expose-gc), so heap figures
// are clean and a crash or hang in one benchmark cannot take the others down.
// Usage: node --expose-gc --import tsx bench/worker.ts <bench-number> [--quick] [--trials N]
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { exitWithParent } from './lib/procs.js'
import type { BenchContext, BenchResult } from './lib/types.js'

exitWithParent()

const here = path.dirname(fileURLToPath(import.meta.url))
const n = Number(process.argv[2])
const quick = process.argv.includes('--quick')
const ti = process.argv.indexOf('--trials')
const trials = ti > 0 ? Number(process.argv[ti + 1]) : quick ? 2 : 5
const file = readdirSync(path.join(here, 'benches')).find((f) => f.startsWith(`b${String(n).padStart(2, '0')}-`))

async function main(): Promise<void> {
  if (!file) throw new Error(`no benchmark ${n}`)
  const mod = (await import(pathToFileURL(path.join(here, 'benches', file)).href)) as {
    run: (ctx: BenchContext) => Promise<BenchResult>
  }
  const ctx: BenchContext = { quick, trials, root: path.resolve(here, '..') }
  const result = await mod.run(ctx)
  await new Promise<void>((resolve) => process.send!({ result }, () => resolve()))
}

main().then(
  () => process.exit(0),
  async (err: Error) => {
    await new Promise<void>((resolve) => process.send!({ error: err.stack ?? String(err) }, () => resolve()))
    process.exit(1)
  },
)
