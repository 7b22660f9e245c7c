// 4. Queued hand-off latency: with one resource held and one borrower queued, the time from
//    release() to the queued borrower resuming with the resource. p50/p99 over many samples.
import { FakeWebSocket } from '../lib/fake-socket.js'
import { blockInterleave, loadWspool, metric, now, tick, type BlockContender } from '../lib/harness.js'
import { makeFloor, makeGenericPool, makeTarn, makeWspool, warm, type PoolAdapter } from '../lib/pools.js'
import { fmtSpread, median, paired, quantile } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal } from '../lib/types.js'

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const { mod, why } = await loadWspool(ctx.root)
  const K = ctx.quick ? 1000 : 20000
  const budget = 5000
  const notes = [`${K} hand-offs per trial; pool of 1 resource`]
  const makers: Record<string, () => PoolAdapter<any>> = {
    'generic-pool': () => makeGenericPool({ max: 1 }),
    tarn: () => makeTarn({ max: 1 }),
    'floor (minimal promise pool)': () => makeFloor(1),
  }
  if (mod) makers.wspool = () => makeWspool(mod, 'ws://bench.invalid/pool', { max: 1, WebSocket: FakeWebSocket })
  else notes.push(`wspool not measured: ${why}`)

  const blocks = ctx.quick ? 5 : 20
  const contenders: BlockContender<PoolAdapter<any>>[] = Object.entries(makers).map(([name, make]) => ({
    name,
    async setup() {
      const p = make()
      await warm(p, 1)
      return p
    },
    async block(p, b) {
      const k = b < 0 ? 200 : Math.ceil(K / blocks)
      const lat: number[] = []
      const t0 = now()
      // one watchdog per block, so no timer is created inside the timed window
      let timer: NodeJS.Timeout | undefined
      const watchdog = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('a queued acquire never resolved')), budget + 10000)
      })
      watchdog.catch(() => {})
      try {
        for (let i = 0; i < k; i++) {
          const held = await p.acquire()
          const queued = p.acquire()
          let resumed = 0
          // the waiter's own continuation, attached before the release: "waiter resumed"
          const marked = queued.then((r) => {
            resumed = now()
            return r
          })
          await tick() // the waiter is enqueued
          const t = now()
          p.release(held)
          const r = await Promise.race([marked, watchdog])
          lat.push((resumed - t) * 1000)
          p.release(r)
          if (now() - t0 > budget) break
        }
      } finally {
        clearTimeout(timer)
      }
      return { samples: { lat } }
    },
    async teardown(p) {
      await p.close()
      FakeWebSocket.reset()
    },
  }))
  const r = await blockInterleave(contenders, ctx.trials, blocks, (_sm, samples) => ({
    p50: quantile(samples.lat, 0.5),
    p99: quantile(samples.lat, 0.99),
  }))
  notes.push(...r.errors)
  const base = { baseline: 'generic-pool', decimals: 2 }
  const metrics = [
    metric(4, 'queued hand-off p50', 'us', 'lower', r.values.p50, base),
    metric(4, 'queued hand-off p99', 'us', 'lower', r.values.p99, base),
  ]
  const goals: Goal[] = []
  const w = r.values.p50?.wspool
  const p = w ? paired(w, r.values.p50['generic-pool'], 'ratio') : []
  goals.push({
    bench: 4,
    goal: "hand-off p50 <= generic-pool's",
    measured: p.length ? `${fmtSpread(w!, 2)} us vs ${fmtSpread(r.values.p50['generic-pool'], 2)} us; paired x${fmtSpread(p, 2)}` : 'not measured',
    met: p.length ? median(p) <= 1 : null,
  })
  return { bench: 4, title: 'queued hand-off latency', metrics, goals, notes }
}
