// Shared pieces of the benchmark workers: loading the built wspool, interleaved trials,
// heap and timing helpers.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Metric, WsPoolModule } from './types.js'

/** One line of progress on stderr (the results go to stdout through the runner). */
export function progress(msg: string): void {
  process.stderr.write(`    ${msg}\n`)
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
export const tick = () => new Promise<void>((r) => setImmediate(r))
export const now = () => performance.now()

/**
 * The built package, as it ships (`dist/index.js`), or the reason it cannot be loaded.
 * `WSPOOL_DIST=/path/to/index.js` loads another build instead (to A/B a change).
 */
export async function loadWspool(root: string): Promise<{ mod: WsPoolModule | null; why: string }> {
  const file = process.env.WSPOOL_DIST ? path.resolve(process.env.WSPOOL_DIST) : path.join(root, 'dist', 'index.js')
  if (!existsSync(file)) return { mod: null, why: 'dist/index.js missing (run `npm run build`)' }
  try {
    const mod = (await import(pathToFileURL(file).href)) as Partial<WsPoolModule>
    if (typeof mod.createPool !== 'function') return { mod: null, why: 'dist/index.js has no createPool export' }
    return { mod: mod as WsPoolModule, why: '' }
  } catch (err) {
    return { mod: null, why: `dist/index.js failed to load: ${(err as Error).message}` }
  }
}

/**
 * Why `pool.request` (issue 8) cannot be measured with this build, or '' when it can: the
 * benchmarks that use it report "not measured: pool.request missing" until the feature lands.
 */
export async function requestMissing(mod: WsPoolModule | null, why: string): Promise<string> {
  if (!mod) return why
  const pool = mod.createPool()
  try {
    return typeof (pool as { request?: unknown }).request === 'function' ? '' : 'pool.request missing'
  } finally {
    await pool.close()
  }
}

/** Full collection (needs `--expose-gc`; the runner starts workers with it). */
export async function gcFull(): Promise<void> {
  const g = (globalThis as { gc?: () => void }).gc
  if (!g) throw new Error('run with --expose-gc')
  for (let i = 0; i < 3; i++) {
    g()
    await tick()
  }
}

export async function heapUsed(): Promise<number> {
  await gcFull()
  return process.memoryUsage().heapUsed
}

/** Await `p`, or reject after `ms` with a message naming `what`. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([p, t])
  } finally {
    clearTimeout(timer)
  }
}

/** Wait until `cond()` holds, polling; false if it never did within `ms`. */
export async function until(cond: () => boolean, ms: number, pollMs = 5): Promise<boolean> {
  const end = now() + ms
  while (!cond()) {
    if (now() > end) return false
    await sleep(pollMs)
  }
  return true
}

export interface Contender {
  name: string
  /** one trial; returns metric name -> value */
  run: (trial: number) => Promise<Record<string, number>>
}

export interface Interleaved {
  /** metric -> contender -> per-trial values (NaN where the trial failed) */
  values: Record<string, Record<string, number[]>>
  errors: string[]
}

/**
 * Runs the contenders A B C, then C B A, then A B C ... for `trials` trials, after one
 * untimed warm-up round. A contender that throws gets NaN for that trial (reported, not fatal).
 */
export async function interleave(contenders: Contender[], trials: number, warmup = true): Promise<Interleaved> {
  const out: Interleaved = { values: {}, errors: [] }
  // `--contender NAME` (run.ts): profile one contender alone
  const only = process.env.BENCH_CONTENDER
  if (only) contenders = contenders.filter((c) => c.name.includes(only))
  const record = (metric: string, who: string, trial: number, v: number) => {
    const m = (out.values[metric] ??= {})
    const arr = (m[who] ??= [])
    while (arr.length < trial) arr.push(NaN)
    arr[trial] = v
  }
  if (warmup) {
    for (const c of contenders) {
      try {
        await c.run(-1)
      } catch (err) {
        out.errors.push(`${c.name} warm-up: ${(err as Error).message}`)
      }
    }
  }
  for (let t = 0; t < trials; t++) {
    const order = t % 2 === 0 ? contenders : [...contenders].reverse()
    for (const c of order) {
      try {
        const t0 = now()
        const r = await c.run(t)
        progress(`${c.name} trial ${t + 1}/${trials}: ${((now() - t0) / 1000).toFixed(1)} s`)
        for (const [k, v] of Object.entries(r)) record(k, c.name, t, v)
      } catch (err) {
        out.errors.push(`${c.name} trial ${t}: ${(err as Error).message}`)
      }
    }
  }
  // pad every series to `trials` so failed trials show as NaN
  for (const m of Object.values(out.values)) for (const arr of Object.values(m)) while (arr.length < trials) arr.push(NaN)
  return out
}

export function metric(
  bench: number,
  name: string,
  unit: string,
  better: 'higher' | 'lower',
  values: Record<string, number[]> | undefined,
  extra: Partial<Pick<Metric, 'baseline' | 'compare' | 'decimals'>> = {},
): Metric {
  return { bench, name, unit, better, values: values ?? {}, ...extra }
}

/** Random-ish ASCII payload of `n` bytes. */
export function asciiPayload(n: number): string {
  let s = ''
  while (s.length < n) s += 'wspool-benchmark-payload-0123456789abcdefghijklmnopqrstuvwxyz|'
  return s.slice(0, n)
}

export interface BlockResult {
  /** additive quantities (time, operations, CPU) summed over the blocks of a trial */
  sums?: Record<string, number>
  /** samples pooled over the blocks of a trial (for percentiles) */
  samples?: Record<string, number[]>
}

export interface BlockContender<S> {
  name: string
  setup(trial: number): Promise<S>
  block(state: S, block: number): Promise<BlockResult>
  teardown(state: S): Promise<void> | void
}

/**
 * Finer interleaving for noisy machines: in each trial every contender is set up, then the
 * contenders take turns in short blocks (A B C, C B A, A B C ...), so a burst of load from
 * elsewhere on the machine hits all of them alike. One untimed warm-up block each first.
 * `finalize` turns a contender's summed blocks into the trial's metric values.
 */
export async function blockInterleave<S>(
  contenders: BlockContender<S>[],
  trials: number,
  blocks: number,
  finalize: (sums: Record<string, number>, samples: Record<string, number[]>) => Record<string, number>,
): Promise<Interleaved> {
  const only = process.env.BENCH_CONTENDER
  if (only) contenders = contenders.filter((c) => c.name.includes(only))
  const out: Interleaved = { values: {}, errors: [] }
  for (let t = 0; t < trials; t++) {
    const states = new Map<BlockContender<S>, S>()
    const sums = new Map<BlockContender<S>, Record<string, number>>()
    const samples = new Map<BlockContender<S>, Record<string, number[]>>()
    const failed = new Set<BlockContender<S>>()
    try {
      for (const c of t % 2 === 0 ? contenders : [...contenders].reverse()) {
        try {
          const s = await c.setup(t)
          states.set(c, s)
          await c.block(s, -1) // warm-up, not counted
          sums.set(c, {})
          samples.set(c, {})
        } catch (err) {
          failed.add(c)
          out.errors.push(`${c.name} trial ${t} setup: ${(err as Error).message}`)
        }
      }
      for (let b = 0; b < blocks; b++) {
        const order = (b + t) % 2 === 0 ? contenders : [...contenders].reverse()
        for (const c of order) {
          if (failed.has(c) || !states.has(c)) continue
          try {
            const r = await c.block(states.get(c)!, b)
            const s = sums.get(c)!
            for (const [k, v] of Object.entries(r.sums ?? {})) s[k] = (s[k] ?? 0) + v
            const sm = samples.get(c)!
            for (const [k, v] of Object.entries(r.samples ?? {})) (sm[k] ??= []).push(...v)
          } catch (err) {
            failed.add(c)
            out.errors.push(`${c.name} trial ${t} block ${b}: ${(err as Error).message}`)
          }
        }
      }
      progress(`trial ${t + 1}/${trials} done`)
      for (const c of contenders) {
        if (failed.has(c) || !sums.has(c)) continue
        for (const [k, v] of Object.entries(finalize(sums.get(c)!, samples.get(c)!))) {
          const arr = ((out.values[k] ??= {})[c.name] ??= [])
          while (arr.length < t) arr.push(NaN)
          arr[t] = v
        }
      }
    } finally {
      for (const [c, s] of states) {
        try {
          await c.teardown(s)
        } catch (err) {
          out.errors.push(`${c.name} trial ${t} teardown: ${(err as Error).message}`)
        }
      }
    }
  }
  for (const m of Object.values(out.values)) for (const arr of Object.values(m)) while (arr.length < trials) arr.push(NaN)
  return out
}
