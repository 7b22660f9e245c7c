// 3. Acquire + release cycles/s on a warm pool, no I/O in the loop: 1 borrower, and 64
//    borrowers sharing 6 resources. wspool runs on the in-process fake socket (its
//    connections are open and idle; nothing is sent), the peers on trivial resources.
import { FakeWebSocket } from '../lib/fake-socket.js'
import { blockInterleave, loadWspool, metric, now, type BlockContender } from '../lib/harness.js'
import { makeFloor, makeGenericPool, makeTarn, makeWspool, warm, type PoolAdapter } from '../lib/pools.js'
import { fmtSpread, median, paired } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal } from '../lib/types.js'

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const { mod, why } = await loadWspool(ctx.root)
  const N1 = ctx.quick ? 30_000 : 300_000
  const N64 = ctx.quick ? 30_000 : 300_000
  const budget = 5000
  const notes = [`${N1.toLocaleString('en')} cycles with 1 borrower, ${N64.toLocaleString('en')} with 64 borrowers on 6 resources, per trial`]
  const makers: Record<string, () => PoolAdapter<any>> = {
    'generic-pool': () => makeGenericPool({ max: 6 }),
    tarn: () => makeTarn({ max: 6 }),
    'floor (minimal promise pool)': () => makeFloor(6),
  }
  if (mod) makers.wspool = () => makeWspool(mod, 'ws://bench.invalid/pool', { max: 6, WebSocket: FakeWebSocket })
  else notes.push(`wspool not measured: ${why}`)

  const blocks = ctx.quick ? 6 : 20
  const contenders: BlockContender<PoolAdapter<any>>[] = Object.entries(makers).map(([name, make]) => ({
    name,
    async setup() {
      const p = make()
      await warm(p, 6)
      return p
    },
    async block(p, b) {
      const n1 = b < 0 ? 5000 : Math.ceil(N1 / blocks)
      const n64 = b < 0 ? 5000 : Math.ceil(N64 / blocks)
      // 1 borrower
      let t0 = now()
      let i = 0
      for (; i < n1; i++) {
        const r = await p.acquire()
        p.release(r)
        if ((i & 1023) === 0 && now() - t0 > budget) break
      }
      const oneMs = now() - t0
      // 64 borrowers on 6 resources: every release hands off to a queued borrower
      let done = 0
      let stop = false
      t0 = now()
      const borrower = async () => {
        while (!stop && done < n64) {
          const r = await p.acquire()
          done++
          p.release(r)
          if ((done & 1023) === 0 && now() - t0 > budget) stop = true
        }
      }
      await Promise.all(Array.from({ length: 64 }, borrower))
      return { sums: { oneMs, oneN: i, manyMs: now() - t0, manyN: done } }
    },
    async teardown(p) {
      await p.close()
      FakeWebSocket.reset()
    },
  }))
  const r = await blockInterleave(contenders, ctx.trials, blocks, (sm) => ({
    one: (sm.oneN / sm.oneMs) * 1000,
    many: (sm.manyN / sm.manyMs) * 1000,
  }))
  notes.push(...r.errors)
  const base = { baseline: 'generic-pool' }
  const metrics = [
    metric(3, 'acquire+release, 1 borrower', 'cycles/s', 'higher', r.values.one, base),
    metric(3, 'acquire+release, 64 borrowers / 6 resources', 'cycles/s', 'higher', r.values.many, base),
  ]
  const goals: Goal[] = []
  for (const [m, label] of [
    ['one', '1 borrower'],
    ['many', '64 borrowers on 6'],
  ] as const) {
    const w = r.values[m]?.wspool
    const p = w ? paired(w, r.values[m]['generic-pool'], 'ratio') : []
    goals.push({ bench: 3, goal: `${label}: >= 3x generic-pool cycles/s`, measured: p.length ? `x${fmtSpread(p, 2)}` : 'not measured', met: p.length ? median(p) >= 3 : null })
  }
  return { bench: 3, title: 'acquire + release on a warm pool', metrics, goals, notes }
}
