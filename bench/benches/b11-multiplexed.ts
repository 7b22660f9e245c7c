// 11. Multiplexed requests over real connections (issue 8): 64 callers, each awaiting its reply
//     and then issuing the next (64 requests in flight), over 6 connections to the echo server
//     process. wspool `pool.request(url, payload)` (maxPerHost 6, sharedLimit 11: requests ride
//     the least loaded shared connection and a new one opens only when each carries 11, so 64 in
//     flight take ceil(64 / 11) = 6) against raw `ws` pipelining the same way: 6 sockets, each
//     request on the next socket in turn, the same JSON envelope `{"id":n,"data":x}`, replies
//     matched by id through a Map. The server's `/echo` sends the envelope back, which is its
//     reply. Figures: requests/s and client CPU per request (process.cpuUsage, user + system;
//     the server's CPU is another process's and not counted).
//     A separate benchmark rather than a section of bench 6: its baseline is raw `ws`, not a pool
//     lending sockets, it measures CPU, and the pool runs with its own configuration.
import WebSocket from 'ws'
import { asciiPayload, blockInterleave, loadWspool, metric, now, requestMissing, within, type BlockContender } from '../lib/harness.js'
import { openRaw, startEchoServer } from '../lib/server-handle.js'
import { fmtSpread, median, paired } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal } from '../lib/types.js'

const CONNS = 6
const IN_FLIGHT = 64
/** holders per shared connection that make 64 requests in flight take 6 connections */
const SHARED_LIMIT = Math.ceil(IN_FLIGHT / CONNS)
const RAW = 'raw ws pipelined (6 sockets)'
const WSPOOL = 'wspool request() (6 connections)'
/** issue 8's goals, paired per trial against raw */
const GOAL_RPS = 0.9
const GOAL_CPU = 1.15

interface Subject {
  request: (payload: string) => Promise<unknown>
  close: () => Promise<void> | void
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const { mod, why } = await loadWspool(ctx.root)
  const missing = await requestMissing(mod, why)
  const server = await startEchoServer()
  const notes: string[] = []
  try {
    const url = `${server.url}/echo`
    const N = ctx.quick ? 8000 : 60000
    const blocks = ctx.quick ? 4 : 10
    const budget = 10_000
    const payload = asciiPayload(64)
    notes.push(
      `${N} requests per trial and contender in ${blocks} interleaved blocks by ${IN_FLIGHT} callers (${IN_FLIGHT} in flight) over ${CONNS} connections; 64 B text payload in the JSON envelope, echoed by the server process; client CPU is user + system of this process`,
    )

    const makers: Record<string, () => Promise<Subject>> = {
      [RAW]: async () => {
        const socks = await Promise.all(Array.from({ length: CONNS }, () => openRaw(url)))
        const pending = new Map<number, (v: unknown) => void>()
        let seq = 0
        for (const ws of socks) {
          ws.on('message', (data, isBinary) => {
            if (isBinary) return
            const m = JSON.parse(data.toString()) as { id: number; data: unknown }
            const resolve = pending.get(m.id)
            if (resolve === undefined) return
            pending.delete(m.id)
            resolve(m.data)
          })
        }
        return {
          request: (data) =>
            new Promise((resolve) => {
              const id = ++seq
              pending.set(id, resolve)
              socks[id % CONNS].send(JSON.stringify({ id, data }))
            }),
          close: () => Promise.all(socks.map((ws) => new Promise<void>((r) => (ws.readyState === ws.CLOSED ? r() : (ws.once('close', () => r()), ws.close()))))).then(() => {}),
        }
      },
    }
    if (mod && !missing) {
      makers[WSPOOL] = async () => {
        const pool = mod.createPool({ maxPerHost: CONNS, sharedLimit: SHARED_LIMIT })
        // open the connections with a full load, then check how many it took
        const first = await within(Promise.all(Array.from({ length: IN_FLIGHT }, () => pool.request(url, payload))), 10000, 'first requests')
        if (first.some((d) => d !== payload)) throw new Error('pool.request did not resolve with the reply data')
        const open = Number(pool.stats().totals.open)
        if (!notes.some((n) => n.startsWith('wspool'))) {
          notes.push(`wspool: createPool({ maxPerHost: ${CONNS}, sharedLimit: ${SHARED_LIMIT} }); ${open} open connection(s) after ${IN_FLIGHT} concurrent requests${open === CONNS ? '' : ` (expected ${CONNS})`}`)
        }
        return { request: (data) => pool.request(url, data), close: () => pool.close() }
      }
    } else notes.push(`wspool request() not measured: ${missing}`)

    /** `n` requests by IN_FLIGHT callers (or until the time budget is spent). */
    async function burst(sub: Subject, n: number): Promise<{ ms: number; done: number; cpuUs: number }> {
      const { request } = sub
      let issued = 0
      let done = 0
      let bad = 0
      let stop = false
      const cpu0 = process.cpuUsage()
      const t0 = now()
      const caller = async () => {
        while (!stop && issued < n) {
          issued++
          if ((await request(payload)) !== payload) bad++
          done++
          if ((done & 255) === 0 && now() - t0 > budget) stop = true
        }
      }
      await within(Promise.all(Array.from({ length: IN_FLIGHT }, caller)), budget + 20000, 'callers')
      const ms = now() - t0
      const cpu = process.cpuUsage(cpu0)
      if (bad) throw new Error(`${bad}/${done} requests resolved with something else than the payload`)
      return { ms, done, cpuUs: cpu.user + cpu.system }
    }

    const per = Math.ceil(N / blocks)
    const contenders: BlockContender<Subject>[] = Object.entries(makers).map(([name, make]) => ({
      name,
      setup: () => within(make(), 10000, `${name} setup`),
      async block(sub, b) {
        return { sums: await burst(sub, b < 0 ? 1000 : per) }
      },
      teardown: (sub) => sub.close(),
    }))
    const r = await blockInterleave(contenders, ctx.trials, blocks, (sm) => ({
      rps: (sm.done / sm.ms) * 1000,
      cpu: sm.cpuUs / sm.done,
    }))
    notes.push(...r.errors)

    const metrics = [
      metric(11, `${IN_FLIGHT} in flight over ${CONNS} connections, request/reply`, 'req/s', 'higher', r.values.rps, { baseline: RAW }),
      metric(11, `client CPU per request, ${IN_FLIGHT} in flight over ${CONNS} connections`, 'us/request', 'lower', r.values.cpu, { baseline: RAW, decimals: 2 }),
    ]
    const goals: Goal[] = []
    for (const [key, goal, ok] of [
      ['rps', `wspool request(), ${IN_FLIGHT} in flight over ${CONNS} connections: req/s >= ${GOAL_RPS}x raw ws pipelining (same trial)`, (x: number) => x >= GOAL_RPS],
      ['cpu', `wspool request(), ${IN_FLIGHT} in flight over ${CONNS} connections: client CPU per request within ${GOAL_CPU}x raw ws pipelining`, (x: number) => x <= GOAL_CPU],
    ] as const) {
      const w = r.values[key]?.[WSPOOL]
      const p = w ? paired(w, r.values[key]?.[RAW] ?? [], 'ratio') : []
      goals.push(
        p.length
          ? { bench: 11, goal, measured: `x${fmtSpread(p, 2)}`, met: ok(median(p)) }
          : { bench: 11, goal, measured: `not measured: ${missing || 'failed (see notes)'}`, met: null },
      )
    }
    return { bench: 11, title: 'multiplexed requests over 6 real connections', metrics, goals, notes }
  } finally {
    await server.stop()
  }
}
