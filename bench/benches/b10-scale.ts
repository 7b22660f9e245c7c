// 10. Scale: one pool, many origins (distinct 127.0.0.1 ports served by the separate server
//     process), 10 concurrent acquires per origin (each released as soon as it resolves), with
//     the pool's defaults (maxPerHost 6). Two sizes; every step is normalised per unit so the
//     ratio between sizes reads directly (1.0 = linear).
import { heapUsed, loadWspool, metric, now, sleep, within } from '../lib/harness.js'
import { startEchoServer } from '../lib/server-handle.js'
import { fmtSpread, median, paired } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal, Metric, WsPool } from '../lib/types.js'

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const { mod, why } = await loadWspool(ctx.root)
  const notes: string[] = []
  const sizes = ctx.quick ? [50, 200] : [100, 1000]
  const PER = 10
  const trials = ctx.quick ? 1 : ctx.trials
  if (!mod) {
    return {
      bench: 10,
      title: 'scale',
      metrics: [],
      goals: [{ bench: 10, goal: 'no step worse than linear', measured: 'not measured', met: null }],
      notes: [`wspool not measured: ${why}`],
    }
  }
  const server = await startEchoServer()
  try {
    const ports = await server.call<number[]>('listenMany', { n: sizes[sizes.length - 1] }, 120000)
    notes.push(`${sizes.join(' and ')} origins (127.0.0.1, distinct ports), ${PER} concurrent acquires per origin (${sizes.map((s) => (s * PER).toLocaleString('en')).join(' and ')} in all), pool defaults; ${trials} trials`)
    const vals: Record<string, Record<string, number[]>> = {}
    const rec = (m: string, who: string, v: number) => ((vals[m] ??= {})[who] ??= []).push(v)

    async function round(pool: WsPool, O: number): Promise<number> {
      const t0 = now()
      const all: Promise<void>[] = []
      for (let k = 0; k < PER; k++) {
        for (let o = 0; o < O; o++) all.push(pool.acquire(`ws://127.0.0.1:${ports[o]}/echo`).then((l) => l.release()))
      }
      await within(Promise.all(all), 120000, `${O * PER} acquires`)
      return now() - t0
    }

    for (let t = 0; t < trials; t++) {
      const order = t % 2 === 0 ? sizes : [...sizes].reverse()
      for (const O of order) {
        const who = `${O} origins`
        const h0 = await heapUsed()
        let pool: WsPool | null = mod.createPool()
        let closed = false
        try {
          const cold = await round(pool, O)
          await sleep(50)
          const conns = Number(pool.stats().totals.connections)
          const h1 = await heapUsed()
          const warm = await round(pool, O)
          let t1 = now()
          let statsCalls = 0
          for (; statsCalls < 20; statsCalls++) JSON.stringify(pool.stats())
          const statsMs = (now() - t1) / statsCalls
          t1 = now()
          await within(pool.close(), 60000, 'close')
          closed = true
          const closeMs = now() - t1
          const h2 = await heapUsed()
          pool = null // what stays once the closed pool is unreachable: module-level leaks only
          const h3 = await heapUsed()
          rec('cold', who, (cold * 1000) / (O * PER))
          rec('warm', who, (warm * 1000) / (O * PER))
          rec('conns', who, conns / O)
          rec('heapOrigin', who, (h1 - h0) / 1024 / O)
          rec('heapConn', who, (h1 - h0) / 1024 / conns)
          rec('stats', who, (statsMs * 1000) / O)
          rec('close', who, (closeMs * 1000) / O)
          rec('heapAfter', who, (h2 - h0) / 1024)
          rec('heapGone', who, (h3 - h0) / 1024)
          rec('coldTotal', who, cold)
        } catch (err) {
          notes.push(`${who} trial ${t}: ${(err as Error).message}`)
        } finally {
          if (!closed && pool) await pool.close().catch(() => {})
          await server.waitIdle(20000)
        }
      }
    }
    const [S, B] = sizes.map((s) => `${s} origins`)
    const base = { baseline: S }
    const metrics: Metric[] = [
      metric(10, 'cold round (connect + acquire + release), total', 'ms', 'lower', vals.coldTotal, { decimals: 0 }),
      metric(10, 'cold round, per acquire', 'us', 'lower', vals.cold, base),
      metric(10, 'warm round (idle reuse), per acquire', 'us', 'lower', vals.warm, base),
      metric(10, 'connections opened per origin', 'n', 'lower', vals.conns, { decimals: 1 }),
      metric(10, 'heap with the pool warm, per origin', 'KiB', 'lower', vals.heapOrigin, { ...base, decimals: 2 }),
      metric(10, 'heap with the pool warm, per connection', 'KiB', 'lower', vals.heapConn, { ...base, decimals: 2 }),
      metric(10, 'stats() (JSON-serialised), per origin', 'us', 'lower', vals.stats, base),
      metric(10, 'close(), per origin', 'us', 'lower', vals.close, base),
      metric(10, 'heap held by the closed pool (still referenced)', 'KiB', 'lower', vals.heapAfter, { decimals: 0 }),
      metric(10, 'heap left once the closed pool is unreachable', 'KiB', 'lower', vals.heapGone, { decimals: 0 }),
    ]
    const goals: Goal[] = []
    const steps: [string, string][] = [
      ['cold', 'cold acquire'],
      ['warm', 'warm acquire'],
      ['heapOrigin', 'heap per origin'],
      ['stats', 'stats()'],
      ['close', 'close()'],
    ]
    const ratios: string[] = []
    let worst = 0
    let measured = true
    for (const [k, label] of steps) {
      const b = vals[k]?.[B]
      const s = vals[k]?.[S]
      if (!b || !s) {
        measured = false
        continue
      }
      const p = paired(b, s, 'ratio')
      ratios.push(`${label} x${fmtSpread(p, 2)}`)
      worst = Math.max(worst, median(p))
    }
    goals.push({
      bench: 10,
      goal: `no step worse than linear (per-unit cost at ${B} / at ${S} <= 1.5)`,
      measured: ratios.join('; ') || 'not measured',
      met: measured && ratios.length ? worst <= 1.5 : null,
    })
    return { bench: 10, title: 'scale: many origins', metrics, goals, notes }
  } finally {
    await server.stop()
  }
}
