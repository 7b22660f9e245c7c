// 13. Many independent clients through a server restart (issue 10, section 6): ten clients, each
//     its own pool (wspool) or socket (partysocket, reconnecting-websocket) with one connection and
//     library defaults, live through the SAME outage of the separate-process server (every socket
//     destroyed abruptly, the port closed, listening again on the same port after 1 s, 5 s or
//     60 s). There is no pool-wide "server is back" shortcut here: each client's own schedule is
//     all it has. A `ws` subclass timestamps every attempt, open and close.
//     Goals, paired against partysocket in the same trial: median time back <= 0.6x and the
//     slowest client no later than partysocket's slowest (1 s and 5 s outages); first retries
//     spread over >= 40% of the first delay; <= 1 attempt per second per client during a 5 s
//     outage; <= 1 attempt per 5 s per client in the last half of a 60 s outage.
import PartySocketWS from 'partysocket/ws'
import ReconnectingWebSocket from 'reconnecting-websocket'
import { loadWspool, metric, sleep, until, within } from '../lib/harness.js'
import { startEchoServer, type EchoServer } from '../lib/server-handle.js'
import { fmtSpread, max, median, paired } from '../lib/stats.js'
import { clearTraces, snapshot, trace, TracedWebSocket, type Trace } from '../lib/traced-ws.js'
import type { BenchContext, BenchResult, Goal, Metric, WsPoolModule } from '../lib/types.js'

const CLIENTS = 10
/** wspool's default first retry delay (reconnect.initialDelay), jittered down by up to 60%. */
const FIRST_DELAY = 1500

type Client = { close(): Promise<void> | void }
type Factory = (url: string) => Promise<Client>

function factories(mod: WsPoolModule | null): Record<string, Factory> {
  const f: Record<string, Factory> = {
    partysocket: async (url) => {
      const s = new PartySocketWS(url, undefined, { WebSocket: TracedWebSocket as any })
      return { close: () => s.close() }
    },
    'reconnecting-websocket': async (url) => {
      const s = new ReconnectingWebSocket(url, undefined, { WebSocket: TracedWebSocket })
      return { close: () => s.close() }
    },
  }
  if (mod) {
    f.wspool = async (url) => {
      // library defaults; only the traced constructor (the default on Node is `ws` too)
      const pool = mod.createPool({ WebSocket: TracedWebSocket })
      const lease = await within(pool.acquire(url), 15000, 'wspool acquire')
      return {
        close: async () => {
          lease.release()
          await pool.close()
        },
      }
    }
  }
  return f
}

interface Out {
  /** per client: ms from the server being back to the client's socket open (NaN if it never reopened) */
  back: number[]
  /** per client: attempts made while the server was down */
  during: number[]
  /** per client: attempts made in the last half of the outage */
  lateHalf: number[]
  /** per client: drop -> first retry */
  first: number[]
}

async function oneOutage(server: EchoServer, fs: Record<string, Factory>, order: string[], D: number, trial: number, waitMs: number): Promise<Record<string, Out>> {
  clearTraces()
  await server.call('reset')
  const clients: Client[] = []
  const urls: Record<string, string[]> = {}
  try {
    for (const name of order) {
      urls[name] = Array.from({ length: CLIENTS }, (_, i) => `${server.url}/log?tag=${encodeURIComponent(`${name}|${D}|${trial}|${i}`)}`)
      for (const u of urls[name]) clients.push(await fs[name](u))
    }
    const all = Object.values(urls).flat()
    if (!(await until(() => all.every((u) => trace(u).opens.length > 0), 15000))) throw new Error('initial connections did not all open')
    await sleep(200)
    const pre = new Map<string, Trace>(all.map((u) => [u, snapshot(u)]))
    const { down: downEpoch, back: backEpoch } = await server.call<{ down: number; back: number }>('outage', { ms: D }, D + 30000)
    const down = downEpoch - performance.timeOrigin
    const back = backEpoch - performance.timeOrigin
    await until(() => all.every((u) => trace(u).opens.length > pre.get(u)!.opens.length), waitMs, 20)
    const out: Record<string, Out> = {}
    for (const [name, us] of Object.entries(urls)) {
      const o: Out = { back: [], during: [], lateHalf: [], first: [] }
      for (const u of us) {
        const t = trace(u)
        const p = pre.get(u)!
        const tries = t.constructs.slice(p.constructs.length)
        const reopened = t.opens[p.opens.length]
        const dropAt = t.closes[p.closes.length] ?? down
        o.back.push(reopened === undefined ? NaN : reopened - back)
        o.during.push(tries.filter((x) => x < back).length)
        o.lateHalf.push(tries.filter((x) => x >= down + D / 2 && x < back).length)
        if (tries.length) o.first.push(tries[0] - dropAt)
      }
      out[name] = o
    }
    return out
  } finally {
    for (const c of clients) {
      try {
        await c.close()
      } catch {
        // keep closing the others
      }
    }
    await server.call('dropAll')
    await server.waitIdle(5000)
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const { mod, why } = await loadWspool(ctx.root)
  const server = await startEchoServer()
  const notes: string[] = []
  try {
    const plan: [number, number][] = ctx.quick ? [[1000, 1]] : [[1000, ctx.trials], [5000, ctx.trials], [60000, Math.min(3, ctx.trials)]]
    const fs = factories(mod)
    if (!mod) notes.push(`wspool not measured: ${why}`)
    const names = Object.keys(fs)
    notes.push(`${CLIENTS} independent clients per library (wspool: ${CLIENTS} pools of one connection), library defaults; ${plan.map(([d, n]) => `${d / 1000} s outage x ${n} trials`).join(', ')}; "slowest" is the latest client of all trials`)
    const vals: Record<string, Record<string, number[]>> = {}
    const rec = (m: string, who: string, v: number) => ((vals[m] ??= {})[who] ??= []).push(v)
    const get = (m: string, who: string) => vals[m]?.[who] ?? []
    for (const [D, trials] of plan) {
      const waitMs = Math.max(40000, D)
      for (let t = 0; t < trials; t++) {
        const order = t % 2 === 0 ? names : [...names].reverse()
        try {
          const r = await oneOutage(server, fs, order, D, t, waitMs)
          for (const [who, o] of Object.entries(r)) {
            const missing = o.back.filter((x) => Number.isNaN(x)).length
            if (missing) notes.push(`${who}: ${missing} of ${CLIENTS} clients not back within ${waitMs / 1000} s after the ${D / 1000} s outage (trial ${t})`)
            rec(`med${D}`, who, median(o.back))
            rec(`slow${D}`, who, missing ? NaN : max(o.back))
            rec(`rate${D}`, who, mean(o.during) / (D / 1000))
            rec(`late${D}`, who, (mean(o.lateHalf) / (D / 2000)) * 5)
            rec(`spread${D}`, who, o.first.length > 1 ? max(o.first) - Math.min(...o.first) : NaN)
            rec(`first${D}`, who, median(o.first))
          }
        } catch (err) {
          notes.push(`${D / 1000} s outage trial ${t}: ${(err as Error).message}`)
        }
      }
    }
    const metrics: Metric[] = []
    const base = { baseline: 'partysocket' }
    for (const [D] of plan) {
      const s = `${D / 1000} s outage`
      metrics.push(metric(13, `${s}: server back -> median client open`, 'ms', 'lower', vals[`med${D}`], base))
      metrics.push(metric(13, `${s}: server back -> slowest client open`, 'ms', 'lower', vals[`slow${D}`], base))
      metrics.push(metric(13, `${s}: attempts per client per second while down`, '/s', 'lower', vals[`rate${D}`], { decimals: 2 }))
      if (D >= 60000) metrics.push(metric(13, `${s}: attempts per client per 5 s, last half of the outage`, '/5 s', 'lower', vals[`late${D}`], { decimals: 2 }))
      metrics.push(metric(13, `${s}: drop -> first retry (median client)`, 'ms', 'lower', vals[`first${D}`], { decimals: 0 }))
      metrics.push(metric(13, `${s}: spread of first retries across clients`, 'ms', 'higher', vals[`spread${D}`], { decimals: 0 }))
    }
    const goals: Goal[] = []
    const w = 'wspool'
    const ps = 'partysocket'
    if (!mod) goals.push({ bench: 13, goal: 'independent clients: reconnect goals', measured: 'not measured', met: null })
    else {
      for (const [D] of plan) {
        const s = `${D / 1000} s outage`
        if (D <= 5000) {
          const mw = get(`med${D}`, w)
          const mp = get(`med${D}`, ps)
          const ratio = paired(mw, mp, 'ratio')
          goals.push({
            bench: 13,
            goal: `${s}: median time back <= 0.6x partysocket's (paired per trial)`,
            measured: `${fmtSpread(mw, 0)} ms vs ${fmtSpread(mp, 0)} ms (x${fmtSpread(ratio, 2)})`,
            met: ratio.length > 0 && median(ratio) <= 0.6,
          })
          const sw = max(get(`slow${D}`, w))
          const sp = max(get(`slow${D}`, ps))
          goals.push({
            bench: 13,
            goal: `${s}: slowest client no later than partysocket's slowest`,
            measured: `${sw.toFixed(0)} ms vs ${sp.toFixed(0)} ms`,
            met: Number.isFinite(sw) && sw <= sp,
          })
          const spread = get(`spread${D}`, w)
          goals.push({
            bench: 13,
            goal: `${s}: first retries spread over >= 40% of the first delay (${FIRST_DELAY} ms -> ${0.4 * FIRST_DELAY} ms)`,
            measured: `${fmtSpread(spread, 0)} ms`,
            met: spread.length > 0 && median(spread) >= 0.4 * FIRST_DELAY,
          })
        }
        if (D === 5000) {
          const r = get(`rate${D}`, w)
          goals.push({ bench: 13, goal: `${s}: <= 1 attempt per second per client while down (mean)`, measured: `${fmtSpread(r, 2)} /s`, met: r.length > 0 && max(r) <= 1 })
        }
        if (D === 60000) {
          const r = get(`late${D}`, w)
          goals.push({ bench: 13, goal: `${s}: <= 1 attempt per 5 s per client in its last half (mean)`, measured: `${fmtSpread(r, 2)} per 5 s`, met: r.length > 0 && max(r) <= 1 })
        }
      }
    }
    return { bench: 13, title: 'independent clients through a server restart', metrics, goals, notes }
  } finally {
    await server.stop()
  }
}
