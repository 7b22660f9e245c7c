// 7. Client heap per open connection with 1,000 connections to the echo server (separate
//    process): raw `ws` sockets held in an array, against 1,000 wspool leases held (and the same
//    connections idle in the pool after release). partysocket shown for reference.
import PartySocketWS from 'partysocket/ws'
import WebSocket from 'ws'
import { heapUsed, interleave, loadWspool, metric, until, within, type Contender } from '../lib/harness.js'
import { startEchoServer } from '../lib/server-handle.js'
import { fmtSpread, median, paired } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal, WsLease } from '../lib/types.js'

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const { mod, why } = await loadWspool(ctx.root)
  const server = await startEchoServer()
  const notes: string[] = []
  try {
    const C = ctx.quick ? 200 : 1000
    const url = `${server.url}/echo`
    notes.push(`${C} connections per trial; JS heap (heapUsed after full GC) per connection, holder array included`)
    const kib = (bytes: number) => bytes / 1024 / C

    const contenders: Contender[] = [
      {
        name: 'raw ws',
        async run() {
          const before = await heapUsed()
          const sockets: WebSocket[] = []
          for (let i = 0; i < C; i++) sockets.push(new WebSocket(url))
          let open = 0
          for (const s of sockets) s.once('open', () => open++)
          try {
            if (!(await until(() => open === C, 30000))) throw new Error(`only ${open}/${C} opened`)
            const held = await heapUsed()
            return { leased: kib(held - before) }
          } finally {
            let closed = 0
            for (const s of sockets) {
              s.once('close', () => closed++)
              s.close()
            }
            await until(() => closed === C, 15000)
            await server.waitIdle()
          }
        },
      },
      {
        name: 'partysocket',
        async run() {
          const before = await heapUsed()
          const sockets: PartySocketWS[] = []
          let open = 0
          for (let i = 0; i < C; i++) {
            const s = new PartySocketWS(url, undefined, { WebSocket: WebSocket as any })
            s.addEventListener('open', () => open++, { once: true })
            sockets.push(s)
          }
          try {
            if (!(await until(() => open === C, 30000))) throw new Error(`only ${open}/${C} opened`)
            const held = await heapUsed()
            return { leased: kib(held - before) }
          } finally {
            for (const s of sockets) s.close()
            await server.waitIdle()
          }
        },
      },
    ]
    if (mod) {
      contenders.push({
        name: 'wspool',
        async run() {
          const before = await heapUsed()
          const pool = mod.createPool({ maxPerHost: C })
          try {
            const leases: WsLease[] = await within(Promise.all(Array.from({ length: C }, () => pool.acquire(url))), 60000, `${C} acquires`)
            const held = await heapUsed()
            for (const l of leases) l.release()
            leases.length = 0
            const idle = await heapUsed()
            return { leased: kib(held - before), idle: kib(idle - before) }
          } finally {
            await pool.close()
            await server.waitIdle()
          }
        },
      })
    } else notes.push(`wspool not measured: ${why}`)

    const r = await interleave(contenders, ctx.trials)
    notes.push(...r.errors)
    const metrics = [
      metric(7, 'heap per open connection (held / leased)', 'KiB', 'lower', r.values.leased, { baseline: 'raw ws', compare: 'delta', decimals: 2 }),
      metric(7, 'heap per open connection (idle in pool)', 'KiB', 'lower', r.values.idle, { decimals: 2 }),
    ]
    const goals: Goal[] = []
    const w = r.values.leased?.wspool
    const d = w ? paired(w, r.values.leased['raw ws'], 'delta') : []
    goals.push({
      bench: 7,
      goal: 'heap per leased connection <= raw ws + 1.0 KiB',
      measured: d.length ? `${fmtSpread(w!, 2)} KiB vs ${fmtSpread(r.values.leased['raw ws'], 2)}; paired ${fmtSpread(d, 2, true)} KiB` : 'not measured',
      met: d.length ? median(d) <= 1.0 : null,
    })
    return { bench: 7, title: 'heap per open connection', metrics, goals, notes }
  } finally {
    await server.stop()
  }
}
