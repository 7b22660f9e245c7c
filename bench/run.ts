// `npm run bench` entry: runs each benchmark in its own child process (node --expose-gc),
// one after the other, and prints one table of medians (min..max) with paired ratios against
// the baseline measured in the same run, the goals (issue 8's for requests: bench 6's request()
// row, 8's feature budget, 11 and 12; issue 7's for 1, 3, 7 and 8; issue 4's for the others), and
// a block for the README.
//   tsx bench/run.ts [--quick] [--only 1,3,8] [--trials N] [--cpu-prof] [--contender NAME]
// --cpu-prof writes V8 profiles to bench/profiles/bench<N>/ (summarise with profile-summary.ts);
// --contender runs only the contenders whose name contains NAME (for clean profiles).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { forkTs, stopChild } from './lib/procs.js'
import { fmtSpread, mdTable, paired } from './lib/stats.js'
import type { BenchResult, Goal, Metric } from './lib/types.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const argv = process.argv.slice(2)
const quick = argv.includes('--quick')
const arg = (name: string) => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}
const only = arg('--only')?.split(',').map(Number)
const trialsArg = arg('--trials')
const cpuProf = argv.includes('--cpu-prof')
const contender = arg('--contender')
if (contender) process.env.BENCH_CONTENDER = contender
const benches = (only ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]).filter((n) => n >= 1 && n <= 14)
// per-benchmark wall-clock limit: the worker is killed past it and the benchmark reported as failed
const limitMs = quick ? 90_000 : 600_000

async function runOne(n: number): Promise<BenchResult> {
  const execArgv = ['--expose-gc']
  if (cpuProf) {
    // one directory per benchmark; V8 writes one profile per thread (the main thread's is the
    // big one; tsx's loader thread writes a small one)
    const dir = path.join(here, 'profiles', `bench${n}`)
    mkdirSync(dir, { recursive: true })
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`)
  }
  const args = [String(n)]
  if (quick) args.push('--quick')
  if (trialsArg) args.push('--trials', trialsArg)
  const child = forkTs(path.join(here, 'worker.ts'), args, execArgv)
  const t0 = performance.now()
  try {
    return await new Promise<BenchResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${limitMs / 1000} s`)), limitMs)
      child.on('message', (m: any) => {
        if (m?.result) {
          clearTimeout(timer)
          resolve(m.result as BenchResult)
        } else if (m?.error) {
          clearTimeout(timer)
          reject(new Error(String(m.error)))
        }
      })
      child.once('exit', (code, sig) => {
        clearTimeout(timer)
        reject(new Error(`worker exited (code ${code}, signal ${sig}) without a result`))
      })
    })
  } finally {
    // with --cpu-prof the profile is written on a clean exit: give the worker time to finish
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const timer = setTimeout(resolve, 5000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
    })
    await stopChild(child)
    process.stderr.write(`  bench ${n} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)
  }
}

function metricRows(m: Metric): string[][] {
  const rows: string[][] = []
  const base = m.baseline ? m.values[m.baseline] : undefined
  for (const [who, vals] of Object.entries(m.values)) {
    let vs = ''
    if (m.baseline && who === m.baseline) vs = 'baseline'
    else if (base) {
      const p = paired(vals, base, m.compare ?? 'ratio')
      vs = m.compare === 'delta' ? `${fmtSpread(p, 1, true)} ${m.unit}` : `x${fmtSpread(p, 2)}`
    }
    rows.push([String(m.bench), `${m.name} (${m.unit}, ${m.better} is better)`, who, fmtSpread(vals, m.decimals), vs])
  }
  return rows
}

/**
 * Freeze the build under test: other processes may rebuild `dist/` while a long run is under
 * way, so the workers load a copy taken now (under node_modules/.cache, removed at exit).
 * Returns a description of the build for the report header.
 */
function snapshotBuild(): string {
  const root = path.resolve(here, '..')
  let commit = 'unknown commit'
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).trim()
    if (dirty) commit += ' + uncommitted src changes'
  } catch {
    // not a git checkout
  }
  if (process.env.WSPOOL_DIST) return `WSPOOL_DIST=${process.env.WSPOOL_DIST}`
  const dist = path.join(root, 'dist')
  if (!existsSync(path.join(dist, 'index.js'))) return `no build (${commit})`
  const snap = path.join(root, 'node_modules', '.cache', 'wspool-bench', `dist-${process.pid}`)
  rmSync(snap, { recursive: true, force: true })
  mkdirSync(path.dirname(snap), { recursive: true })
  cpSync(dist, snap, { recursive: true })
  process.on('exit', () => rmSync(snap, { recursive: true, force: true }))
  process.env.WSPOOL_DIST = path.join(snap, 'index.js')
  process.env.WSPOOL_BROWSER_DIST = path.join(snap, 'browser.js')
  const hash = createHash('sha256').update(readFileSync(path.join(snap, 'index.js'))).digest('hex').slice(0, 12)
  return `${commit}, dist/index.js sha256 ${hash}`
}

async function main(): Promise<void> {
  const started = new Date()
  const build = snapshotBuild()
  const results: BenchResult[] = []
  const failures: string[] = []
  process.stderr.write(`wspool bench: ${quick ? 'quick' : 'full'} run of benchmarks ${benches.join(', ')}\n`)
  for (const n of benches) {
    process.stderr.write(`- bench ${n} ...\n`)
    try {
      results.push(await runOne(n))
    } catch (err) {
      failures.push(`bench ${n}: ${(err as Error).message.split('\n').slice(0, 6).join(' | ')}`)
    }
  }
  const secs = (Date.now() - started.getTime()) / 1000

  const rows = results.flatMap((r) => r.metrics.flatMap(metricRows))
  const goals: Goal[] = results.flatMap((r) => r.goals)
  const goalRows = goals.map((g) => [String(g.bench), g.goal, g.measured, g.met === null ? 'n/a' : g.met ? 'met' : 'MISSED'])
  const cpu = os.cpus()
  const machine = `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, Node ${process.version}`
  const command = argv.length ? `npm run bench -- ${argv.join(' ')}` : 'npm run bench'
  const trials = trialsArg ?? (quick ? '2' : '5')

  const out: string[] = []
  out.push('', `## wspool benchmarks (${quick ? 'quick smoke run, not for publishing' : 'full run'})`, '')
  out.push(`Date: ${started.toISOString()}  Machine: ${machine}  Command: \`${command}\`  Trials: ${trials} (interleaved, order reversed on alternate trials)  Wall time: ${secs.toFixed(0)} s  Build: ${build}`, '')
  out.push(mdTable(['#', 'metric', 'contender', 'median (min..max)', 'paired vs baseline, same run'], rows), '')
  out.push('### Goals (issue 11 for 14; issue 10 for 13; issue 8 for requests: 6 request(), 8 feature budget, 11, 12; issue 7 for 1, 3, 7, 8; issue 4 for the others)', '')
  out.push(mdTable(['#', 'goal', 'measured: median (min..max)', 'verdict'], goalRows), '')
  const notes = results.flatMap((r) => r.notes.map((n) => `- [${r.bench}] ${n}`))
  if (notes.length || failures.length) {
    out.push('### Notes', '', ...notes, ...failures.map((f) => `- FAILED ${f}`), '')
  }
  out.push('### For the README (Performance section)', '', '```markdown')
  out.push(`Measured ${started.toISOString().slice(0, 10)} on ${machine}, with \`${command}\`.`)
  out.push(`Each figure is the median of ${trials} trials (min..max); contenders are interleaved and every ratio is`)
  out.push('paired with the baseline measured in the same trial. Absolute times on shared machines are noisy; read the ratios.')
  out.push('')
  out.push(mdTable(['#', 'goal', 'measured', 'verdict'], goalRows))
  out.push('```', '')
  process.stdout.write(out.join('\n') + '\n')
  if (failures.length) process.exitCode = 1
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
