// 6. 64 borrowers doing request/response (send, await the echo, release) over 6 real
//    connections to the echo server: generic-pool and tarn lending raw `ws` sockets, wspool
//    lending leases. wspool's `pool.request(url, payload)` (issue 8: multiplexed, no exclusive
//    lease; pool `maxPerHost: 6`, other options default, so `sharedLimit` is Infinity and the
//    requests may all ride one connection: the note says how many it opened) is shown too, with
//    the goal of >= 1.5x generic-pool. Bench 11 pits it against raw `ws` pipelining.
import WebSocket from 'ws'
import { asciiPayload, blockInterleave, loadWspool, metric, now, requestMissing, within, type BlockContender } from '../lib/harness.js'
import { makeGenericPool, makeTarn, makeWspool, warm, type PoolAdapter } from '../lib/pools.js'
import { openRaw, startEchoServer } from '../lib/server-handle.js'
import { fmtSpread, max, median, paired } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal, WsLease } from '../lib/types.js'

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const { mod, why } = await loadWspool(ctx.root)
  const missing = await requestMissing(mod, why)
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
    if (mod && !missing) {
      contenders.push({
        name: 'wspool request()',
        async setup() {
          const p = makeWspool(mod, url, { max: 6 })
          // the connections requests ride open on demand: open them with a full load (64 callers)
          const first = await within(Promise.all(Array.from({ length: 64 }, () => p.pool.request(url, payload))), 10000, 'first requests')
          if (first.some((d) => d !== payload)) throw new Error('pool.request did not resolve with the reply data')
          const open = Number(p.pool.stats().totals.open)
          if (!notes.some((n) => n.startsWith('wspool request()'))) {
            notes.push(`wspool request(): createPool({ maxPerHost: 6 }), sharedLimit default (Infinity); ${open} open connection(s) after 64 concurrent requests`)
          }
          return {
            pool: p,
            go: async () => {
              if ((await p.pool.request(url, payload)) !== payload) throw new Error('pool.request resolved with something else than the reply data')
            },
          }
        },
        async block(st, b) {
          const { ms, done } = await burst(st.go, b < 0 ? 500 : per)
          return { sums: { ms, done } }
        },
        teardown: (st) => st.pool.close(),
      })
    } else if (mod) notes.push(`wspool request() not measured: ${missing}`)
    const r = await blockInterleave(contenders, ctx.trials, blocks, (sm) => ({ rps: (sm.done / sm.ms) * 1000 }))
    notes.push(...r.errors)
    const metrics = [metric(6, '64 borrowers, request/response over 6 connections', 'req/s', 'higher', r.values.rps, { baseline: 'generic-pool + ws' })]
    const goals: Goal[] = []
    const v = r.values.rps ?? {}
    const gp = v['generic-pool + ws'] ?? []
    const tn = v['tarn + ws'] ?? []
    const better = gp.map((x, i) => max([x, tn[i]]))
    // wspool lease: issue 4's goal; wspool request(): issue 8's
    for (const [who, goal, against, min] of [
      ['wspool lease', 'wspool lease: >= 1.1x the better of generic-pool/tarn (same trial)', better, 1.1],
      ['wspool request()', 'wspool request(): >= 1.5x generic-pool lending ws sockets (same trial)', gp, 1.5],
    ] as const) {
      const w = v[who]
      const p = w ? paired(w, against, 'ratio') : []
      const unmeasured = who === 'wspool request()' && missing ? `not measured: ${missing}` : 'not measured'
      goals.push({ bench: 6, goal, measured: p.length ? `x${fmtSpread(p, 2)}` : unmeasured, met: p.length ? median(p) >= min : null })
    }
    return { bench: 6, title: '64 borrowers over 6 real connections', metrics, goals, notes }
  } finally {
    await server.stop()
  }
}
