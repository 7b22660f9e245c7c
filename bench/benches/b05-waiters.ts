// 5. Many waiters: with the only resource held, enqueue N acquires that all time out (pool-level
//    acquire timeout), at two sizes to check the time is linear; then the heap once they have all
//    settled, against the heap before they were enqueued. wspool also does the same with
//    AbortSignals (the peers have no abort).
import { FakeWebSocket } from '../lib/fake-socket.js'
import { heapUsed, interleave, loadWspool, metric, now, within, type Contender } from '../lib/harness.js'
import { makeGenericPool, makeTarn, makeWspool, warm, type PoolAdapter } from '../lib/pools.js'
import { fmtSpread, median, paired } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal, WsPoolModule } from '../lib/types.js'

interface WaitersOut {
  totalMs: number // from first enqueue to last rejection, minus the timeout itself
  enqueueUs: number // per waiter
  queuedBytes: number // heap per queued waiter, before any settled (no GC)
  retainedKiB: number // heap after all settled minus heap before (both after full GC)
}

async function waiters(p: PoolAdapter<any>, N: number, T: number, mode: 'timeout' | 'abort', abortable?: (s: AbortSignal) => Promise<any>): Promise<WaitersOut> {
  await warm(p, 1)
  const held = await p.acquire()
  const before = await heapUsed()
  let settled = 0
  let resolvedOk = 0
  let tLast = 0
  let finish!: () => void
  const done = new Promise<void>((r) => (finish = r))
  const onOk = (r: unknown) => {
    resolvedOk++
    p.release(r)
    if (++settled === N) finish()
  }
  const onErr = () => {
    tLast = now()
    if (++settled === N) finish()
  }
  const controllers: AbortController[] = []
  const t0 = now()
  for (let i = 0; i < N; i++) {
    if (mode === 'abort') {
      const c = new AbortController()
      controllers.push(c)
      abortable!(c.signal).then(onOk, onErr)
    } else p.acquire().then(onOk, onErr)
  }
  const t1 = now()
  const queued = process.memoryUsage().heapUsed
  let tAbort = t1
  if (mode === 'abort') {
    await new Promise((r) => setImmediate(r))
    tAbort = now()
    for (const c of controllers) c.abort()
    controllers.length = 0
  }
  await within(done, T + 120_000, `${N} waiters settling`)
  if (resolvedOk) throw new Error(`${resolvedOk} waiters got a resource`)
  p.release(held)
  const after = await heapUsed()
  return {
    totalMs: mode === 'abort' ? t1 - t0 + (tLast - tAbort) : tLast - t0 - T,
    enqueueUs: ((t1 - t0) * 1000) / N,
    queuedBytes: (queued - before) / N,
    retainedKiB: (after - before) / 1024,
  }
}

/** Stores one size's figures under the keys the table reads (`total1000`, `per1000`, ...). */
function record(
  out: Record<string, number>,
  N: number,
  r: { totalMs: number; enqueueUs: number; queuedBytes: number; retainedKiB: number },
): void {
  out[`total${N}`] = r.totalMs
  out[`enq${N}`] = r.enqueueUs
  out[`queued${N}`] = r.queuedBytes
  out[`retained${N}`] = r.retainedKiB
  out[`per${N}`] = (r.totalMs * 1000) / N
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const { mod, why } = await loadWspool(ctx.root)
  const sizes = ctx.quick ? [1_000, 10_000] : [10_000, 100_000]
  const T = ctx.quick ? 250 : 1000
  const notes = [`sizes ${sizes.join(' and ')} waiters, acquire timeout ${T} ms, 1 resource held; "time" is first enqueue to last rejection minus the timeout`]
  const makers: Record<string, () => PoolAdapter<any>> = {
    'generic-pool': () => makeGenericPool({ max: 1, acquireTimeout: T }),
    tarn: () => makeTarn({ max: 1, acquireTimeout: T }),
  }
  if (mod) makers.wspool = () => makeWspool(mod, 'ws://bench.invalid/q', { max: 1, acquireTimeout: T, WebSocket: FakeWebSocket })
  else notes.push(`wspool not measured: ${why}`)

  // A contender whose big-size run takes over `slowMs` (tarn is quadratic here: about 40 s for
  // 100k waiters) is measured at that size in its first trial only, to keep the run bounded.
  const slowMs = ctx.quick ? 10_000 : 15_000
  const slow = new Set<string>()
  const contenders: Contender[] = Object.entries(makers).map(([name, make]) => ({
    name,
    async run(trial) {
      const out: Record<string, number> = {}
      for (const N of trial < 0 ? [sizes[0]] : sizes) {
        if (N === sizes[1] && slow.has(name)) continue
        const p = make()
        try {
          const t0 = now()
          const r = await waiters(p, N, T, 'timeout')
          if (N === sizes[1] && now() - t0 > slowMs) {
            slow.add(name)
            notes.push(`${name}: ${N.toLocaleString('en')} waiters took ${((now() - t0) / 1000).toFixed(1)} s, so that size is measured in its first trial only`)
          }
          record(out, N, r)
        } finally {
          await p.close()
          FakeWebSocket.reset()
        }
      }
      return out
    },
  }))
  if (mod) {
    const m: WsPoolModule = mod
    contenders.push({
      name: 'wspool (abort)',
      async run(trial) {
        const out: Record<string, number> = {}
        for (const N of trial < 0 ? [sizes[0]] : sizes) {
          const p = makeWspool(m, 'ws://bench.invalid/q', { max: 1, acquireTimeout: 600_000, WebSocket: FakeWebSocket })
          try {
            const r = await waiters(p, N, 0, 'abort', (signal) => p.pool.acquire('ws://bench.invalid/q', { signal }))
            record(out, N, r)
          } finally {
            await p.close()
            FakeWebSocket.reset()
          }
        }
        return out
      },
    })
  }
  const r = await interleave(contenders, ctx.quick ? 1 : ctx.trials)
  notes.push(...r.errors)
  const [S, B] = sizes
  const base = { baseline: 'generic-pool' }
  const metrics = [
    metric(5, `${S.toLocaleString('en')} waiters: enqueue + settle time`, 'ms', 'lower', r.values[`total${S}`], base),
    metric(5, `${B.toLocaleString('en')} waiters: enqueue + settle time`, 'ms', 'lower', r.values[`total${B}`], base),
    metric(5, `${B.toLocaleString('en')} waiters: enqueue cost`, 'us/waiter', 'lower', r.values[`enq${B}`], { ...base, decimals: 2 }),
    metric(5, `${B.toLocaleString('en')} waiters: heap while queued`, 'B/waiter', 'lower', r.values[`queued${B}`], { ...base, decimals: 0 }),
    metric(5, `${B.toLocaleString('en')} waiters: heap retained after all settled`, 'KiB', 'lower', r.values[`retained${B}`], { ...base, decimals: 1 }),
  ]
  // linearity: time per waiter at the big size over time per waiter at the small size, per trial
  const lin: Record<string, number[]> = {}
  for (const who of Object.keys(r.values[`per${B}`] ?? {})) lin[who] = paired(r.values[`per${B}`][who], r.values[`per${S}`]?.[who] ?? [], 'ratio')
  metrics.push(metric(5, `time per waiter at ${B.toLocaleString('en')} / at ${S.toLocaleString('en')} (1.0 = linear)`, 'x', 'lower', lin, { decimals: 2 }))
  const goals: Goal[] = []
  for (const who of ['wspool', 'wspool (abort)']) {
    const l = lin[who]
    const ret = r.values[`retained${B}`]?.[who]
    if (!l || !ret) {
      goals.push({ bench: 5, goal: `${who}: linear time; heap back to baseline`, measured: 'not measured', met: null })
      continue
    }
    goals.push({ bench: 5, goal: `${who}: linear time (per-waiter cost at ${B / S}x the size <= 1.5x)`, measured: `x${fmtSpread(l, 2)}`, met: median(l) <= 1.5 })
    // "back to baseline": what stays after all settled is within the noise floor, taken as
    // <= 2% of the heap the queue used at its peak (the peers retain about 1% here)
    const q = r.values[`queued${B}`][who]
    const pct = ret.map((kib, i) => (100 * kib * 1024) / (q[i] * B))
    goals.push({
      bench: 5,
      goal: `${who}: heap back to baseline after ${B.toLocaleString('en')} waiters (retained <= 2% of peak queue heap)`,
      measured: `${fmtSpread(ret, 1, true)} KiB = ${fmtSpread(pct, 2)}% of peak`,
      met: median(pct) <= 2,
    })
  }
  return { bench: 5, title: 'many waiters timing out / aborted', metrics, goals, notes }
}
