// 2. Through a real socket to the echo server (separate process): round trips/s with one
//    connection and one message in flight (p50/p99 RTT, client CPU us/op), and one-way
//    messages/s at 64 B (text) and 16 KiB (binary). wspool goes through a lease.
import PartySocketWS from 'partysocket/ws'
import WebSocket from 'ws'
import { asciiPayload, blockInterleave, loadWspool, metric, now, within, type BlockContender } from '../lib/harness.js'
import { startEchoServer } from '../lib/server-handle.js'
import { fmtSpread, median, paired, quantile } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal } from '../lib/types.js'

interface Conn {
  send(d: string | Uint8Array): void
  onMessage: (d: unknown) => void
  close(): Promise<void> | void
}
type Opener = (url: string) => Promise<Conn>

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const { mod, why } = await loadWspool(ctx.root)
  const server = await startEchoServer()
  const notes: string[] = []
  try {
    const RT = ctx.quick ? 500 : 4000
    const M64 = ctx.quick ? 3000 : 20000
    const M16 = ctx.quick ? 300 : 2000
    const budget = 8000
    const small = asciiPayload(64)
    const big = new Uint8Array(16 * 1024).fill(7)
    notes.push(`per trial and contender: ${RT} round trips (64 B text), ${M64} x 64 B text and ${M16} x 16 KiB binary one-way, in ${ctx.quick ? 6 : 20} interleaved blocks; server in a separate process`)

    const openers: Record<string, Opener> = {
      'raw ws': async (url) => {
        const ws = new WebSocket(url)
        const c: Conn = {
          send: (d) => ws.send(d),
          onMessage: () => {},
          close: () => new Promise<void>((r) => (ws.readyState === ws.CLOSED ? r() : (ws.once('close', () => r()), ws.close()))),
        }
        ws.on('message', (data, isBinary) => c.onMessage(isBinary ? data : data.toString()))
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve())
          ws.once('error', reject)
        })
        return c
      },
      partysocket: async (url) => {
        const rws = new PartySocketWS(url, undefined, { WebSocket: WebSocket as any })
        const c: Conn = {
          send: (d) => rws.send(d as string),
          onMessage: () => {},
          close: () => rws.close(),
        }
        rws.addEventListener('message', (e: MessageEvent) => c.onMessage(e.data))
        await new Promise<void>((resolve) => rws.addEventListener('open', () => resolve(), { once: true }))
        return c
      },
    }
    if (mod) {
      openers.wspool = async (url) => {
        const pool = mod.createPool()
        const lease = await pool.acquire(url)
        const c: Conn = {
          send: (d) => lease.send(d),
          onMessage: () => {},
          close: async () => {
            lease.release()
            await pool.close()
          },
        }
        lease.on('message', (d: unknown) => c.onMessage(d))
        return c
      }
    } else notes.push(`wspool not measured: ${why}`)

    /** Sends `n` messages then the end marker; ms until the server reports the count. */
    async function oneWay(c: Conn, n: number, payload: string | Uint8Array): Promise<number> {
      let reply!: (v: unknown) => void
      const done = new Promise((r) => (reply = r))
      c.onMessage = (d) => reply(d)
      const t0 = now()
      for (let i = 0; i < n; i++) c.send(payload)
      c.send('__end__')
      const got = await within(done, budget * 2, 'one-way end marker')
      const dt = now() - t0
      if (Number(got) !== n) throw new Error(`sink counted ${String(got)} of ${n}`)
      return dt
    }

    interface State {
      rt: Conn
      sink: Conn
      resolve: () => void
    }
    const blocks = ctx.quick ? 6 : 20
    const rtPer = Math.ceil(RT / blocks)
    const m64Per = Math.ceil(M64 / blocks)
    const m16Per = Math.ceil(M16 / blocks)
    const contenders: BlockContender<State>[] = Object.entries(openers).map(([name, open]) => ({
      name,
      async setup() {
        const rt = await within(open(`${server.url}/echo`), 10000, `${name} open`)
        const sink = await within(open(`${server.url}/sink`), 10000, `${name} open`)
        const st: State = { rt, sink, resolve: () => {} }
        rt.onMessage = () => st.resolve()
        return st
      },
      async block(st, b) {
        const n = b < 0 ? 50 : rtPer
        const rtts: number[] = []
        const cpu0 = process.cpuUsage()
        const t0 = now()
        // one watchdog per block (no timer per round trip): a lost echo ends the block
        let timedOut = false
        const watchdog = setTimeout(() => {
          timedOut = true
          st.resolve()
        }, 10000)
        for (let i = 0; i < n && !timedOut; i++) {
          const t = now()
          await new Promise<void>((r) => {
            st.resolve = r
            st.rt.send(small)
          })
          rtts.push(now() - t)
        }
        const rtMs = now() - t0
        const cpu = process.cpuUsage(cpu0)
        clearTimeout(watchdog)
        if (timedOut) throw new Error('an echo did not come back within 10 s')
        const w64 = b < 0 ? 200 : m64Per
        const w16 = b < 0 ? 20 : m16Per
        const ow64Ms = await oneWay(st.sink, w64, small)
        const ow16Ms = await oneWay(st.sink, w16, big)
        return {
          sums: { rtMs, rtOps: n, cpuUs: cpu.user + cpu.system, ow64Ms, ow64Ops: w64, ow16Ms, ow16Ops: w16 },
          samples: { rtt: rtts },
        }
      },
      async teardown(st) {
        await st.rt.close()
        await st.sink.close()
      },
    }))

    const r = await blockInterleave(contenders, ctx.trials, blocks, (sm, samples) => ({
      rtps: (sm.rtOps / sm.rtMs) * 1000,
      p50: quantile(samples.rtt, 0.5) * 1000,
      p99: quantile(samples.rtt, 0.99) * 1000,
      cpu: sm.cpuUs / sm.rtOps,
      ow64: (sm.ow64Ops / sm.ow64Ms) * 1000,
      ow16k: (sm.ow16Ops / sm.ow16Ms) * 1000,
    }))
    notes.push(...r.errors)
    const base = { baseline: 'raw ws' }
    const metrics = [
      metric(2, 'round trips, 1 in flight', 'rt/s', 'higher', r.values.rtps, base),
      metric(2, 'RTT p50', 'us', 'lower', r.values.p50, base),
      metric(2, 'RTT p99', 'us', 'lower', r.values.p99, base),
      metric(2, 'client CPU per round trip', 'us/op', 'lower', r.values.cpu, { ...base, decimals: 1 }),
      metric(2, 'one-way 64 B text', 'msg/s', 'higher', r.values.ow64, base),
      metric(2, 'one-way 16 KiB binary', 'msg/s', 'higher', r.values.ow16k, base),
    ]
    const goals: Goal[] = []
    const pr = (m: string) => (r.values[m]?.wspool ? paired(r.values[m].wspool, r.values[m]['raw ws'], 'ratio') : [])
    if (mod) {
      for (const [m, label] of [
        ['rtps', 'round trips/s'],
        ['ow64', 'one-way 64 B msg/s'],
        ['ow16k', 'one-way 16 KiB msg/s'],
      ] as const) {
        const p = pr(m)
        goals.push({ bench: 2, goal: `${label} >= 0.97 x raw ws`, measured: `x${fmtSpread(p, 3)}`, met: p.length ? median(p) >= 0.97 : null })
      }
      const p = pr('cpu')
      goals.push({ bench: 2, goal: 'client CPU us/round trip within 3% of raw ws', measured: `x${fmtSpread(p, 3)}`, met: p.length ? median(p) <= 1.03 : null })
    } else goals.push({ bench: 2, goal: '>= 0.97 x raw ws; CPU within 3%', measured: 'not measured', met: null })
    return { bench: 2, title: 'round trips and one-way throughput', metrics, goals, notes }
  } finally {
    await server.stop()
  }
}
