// 6. 64 borrowers doing request/response (send, await the echo, release) over 6 real
//    connections to the echo server: generic-pool and tarn lending raw `ws` sockets, wspool
//    lending leases. wspool's `pool.request()` (multiplexed, no exclusive lease) is shown too.
import WebSocket from 'ws'
import { asciiPayload, blockInterleave, loadWspool, metric, now, within, type BlockContender } from '../lib/harness.js'
import { makeGenericPool, makeTarn, makeWspool, warm, type PoolAdapter } from '../lib/pools.js'
import { startEchoServer } from '../lib/server-handle.js'
import { fmtSpread, max, median, paired } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal, WsLease } from '../lib/types.js'

function openRaw(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const { mod, why } = await loadWspool(ctx.root)
  const server = await startEchoServer()
  const notes: string[] = []
  try {
    const url = `${server.url}/echo`
    const N = ctx.quick ? 4000 : 20000
    const budget = 10_000
    const payload = asciiPayload(64)
    notes.push(`${N} requests per trial by 64 borrowers over 6 connections, 64 B text echoed by the server process`)

    type Lender = { pool: PoolAdapter<any>; request: (r: any) => Promise<unknown> }
    const rawRequest = (ws: WebSocket) =>
      new Promise<unknown>((resolve) => {
        ws.once('message', resolve)
        ws.send(payload)
      })
    const leaseRequest = (l: WsLease) =>
      new Promise<unknown>((resolve) => {
        l.once('message', resolve)
        l.send(payload)
      })
    const makers: Record<string, () => Lender> = {
      'generic-pool + ws': () => ({ pool: makeGenericPool<WebSocket>({ max: 6, create: () => openRaw(url), destroy: (ws) => ws.terminate() }), request: rawRequest }),
      'tarn + ws': () => ({ pool: makeTarn<WebSocket>({ max: 6, create: () => openRaw(url), destroy: (ws) => ws.terminate() }), request: rawRequest }),
    }
    if (mod) makers['wspool lease'] = () => ({ pool: makeWspool(mod, url, { max: 6 }), request: leaseRequest })
    else notes.push(`wspool not measured: ${why}`)

    const blocks = ctx.quick ? 4 : 10
    const per = Math.ceil(N / blocks)
    type St = { pool: PoolAdapter<any>; go: () => Promise<void> }
    /** 64 borrowers until `n` requests are done (or the time budget is spent). */
    async function burst(one: () => Promise<void>, n: number): Promise<{ ms: number; done: number }> {
      let done = 0
      let stop = false
      const t0 = now()
      const borrower = async () => {
        while (!stop && done < n) {
          await one()
          done++
          if ((done & 255) === 0 && now() - t0 > budget) stop = true
        }
      }
      await within(Promise.all(Array.from({ length: 64 }, borrower)), budget + 20000, 'borrowers')
      return { ms: now() - t0, done }
    }
    const contenders: BlockContender<St>[] = Object.entries(makers).map(([name, make]) => ({
      name,
      async setup() {
        const { pool, request } = make()
        await within(warm(pool, 6), 10000, 'opening 6 connections')
        return {
          pool,
          go: async () => {
            const r = await pool.acquire()
            try {
              await request(r)
            } finally {
              pool.release(r)
            }
          },
        }
      },
      async block(st, b) {
        const { ms, done } = await burst(st.go, b < 0 ? 500 : per)
        return { sums: { ms, done } }
      },
      teardown: (st) => st.pool.close(),
    }))
    if (mod) {
      contenders.push({
        name: 'wspool request()',
        async setup() {
          const p = makeWspool(mod, url, { max: 6 })
          if (typeof (p.pool as { request?: unknown }).request !== 'function') {
            await p.close()
            throw new Error('pool.request is not a function (SPEC "Requests" not implemented)')
          }
          await within(warm(p, 6), 10000, 'opening 6 connections')
          return { pool: p, go: async () => void (await p.pool.request(url, payload)) }
        },
        async block(st, b) {
          const { ms, done } = await burst(st.go, b < 0 ? 500 : per)
          return { sums: { ms, done } }
        },
        teardown: (st) => st.pool.close(),
      })
    }
    const r = await blockInterleave(contenders, ctx.trials, blocks, (sm) => ({ rps: (sm.done / sm.ms) * 1000 }))
    notes.push(...r.errors)
    const metrics = [metric(6, '64 borrowers, request/response over 6 connections', 'req/s', 'higher', r.values.rps, { baseline: 'generic-pool + ws' })]
    const goals: Goal[] = []
    const v = r.values.rps ?? {}
    const gp = v['generic-pool + ws'] ?? []
    const tn = v['tarn + ws'] ?? []
    const better = gp.map((x, i) => max([x, tn[i]]))
    for (const who of ['wspool lease', 'wspool request()']) {
      const w = v[who]
      const p = w ? paired(w, better, 'ratio') : []
      goals.push({
        bench: 6,
        goal: `${who}: >= 1.1x the better of generic-pool/tarn (same trial)`,
        measured: p.length ? `x${fmtSpread(p, 2)}` : 'not measured',
        met: p.length ? median(p) >= 1.1 : null,
      })
    }
    return { bench: 6, title: '64 borrowers over 6 real connections', metrics, goals, notes }
  } finally {
    await server.stop()
  }
}
