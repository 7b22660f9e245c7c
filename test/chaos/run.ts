/**
 * The chaos run (issue 10, section 4): `npx tsx test/chaos/run.ts` or `npm run chaos`.
 * `CHAOS_SEED` (default 1) picks every random choice of the run; `CHAOS_SECONDS` (default 20)
 * bounds it. Each caller and the fault loop draws from its own source seeded from it, so each
 * one's choices follow from the seed; what they meet (socket timing, the interleaving) varies,
 * so two runs of one seed agree in kind, not in every figure.
 *
 * Against the real test server, for CHAOS_SECONDS: faults at random intervals (terminate every
 * socket, a close with 1001/1011/4000 asked of the server, an outage of 0.1-2 s on the same
 * port, half-open for 0.5-2.5 s ended by terminating the dead sockets, refused upgrades), while
 * WORKERS callers acquire (some with an abort signal or a short timeout), send numbered
 * messages, make requests (some delayed past their timeout, some idempotent), release or
 * destroy, and the pool is resized. Then the pool is closed, `checker.ts` judges what both sides
 * recorded, a summary is printed, and the exit code is 1 on any violation. The process must exit
 * on its own: a watchdog (unref'd, so it holds nothing up) fails the run if it is still alive 5 s
 * after everything was closed.
 *
 * An exclusive lease acquires its own URL (`/rpc?tag=<tag>`), so its connection serves no other
 * lease and the server's log under its tag is that lease's traffic in arrival order. A shared
 * lease acquires one of four group URLs (`/rpc?tag=g<k>`) and prefixes its tag with the group's;
 * the checker reads each holder's messages out of the group's log and weighs a shared
 * connection's drops and deaths against what all its holders lost.
 */
import { createPool, PoolError, type Lease } from '../../src/index.js'
import { startTestServer } from '../server/test-server.js'
import { prng } from '../helpers/prng.js'
import { check, type ClientRecord, type LeaseRecord, type OpRecord } from './checker.js'

const seed = Number(process.env.CHAOS_SEED ?? 1)
const seconds = Number(process.env.CHAOS_SECONDS ?? 20)
const WORKERS = 40
const CAPS = [2, 4, 6, 8]
const MAX_CAP = Math.max(...CAPS)
if (!Number.isInteger(seed) || !(seconds > 0)) throw new Error('CHAOS_SEED must be an integer and CHAOS_SECONDS > 0')

/** A seeded random source: each caller and the fault loop has its own, so each one's choices follow from the seed. */
interface Rng {
  rand: () => number
  between: (lo: number, hi: number) => number
  pick: <T>(xs: readonly T[]) => T
}
function rng(n: number): Rng {
  const rand = prng(n)
  return { rand, between: (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)), pick: (xs) => xs[Math.floor(rand() * xs.length)] }
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const unhandled: string[] = []
process.on('unhandledRejection', (reason) => void unhandled.push(String(reason)))
process.on('uncaughtException', (err) => void unhandled.push(`uncaught: ${String(err)}`))

const server = await startTestServer()
const pool = createPool({
  maxPerHost: MAX_CAP,
  acquireTimeout: 3000,
  connectTimeout: 2000,
  requestTimeout: 3000,
  idleTimeout: 2000,
  reconnect: { initialDelay: 50, maxDelay: 1000, minUptime: 1000 },
  heartbeat: { interval: 1000, timeout: 1000 },
  buffer: { maxMessages: 200 },
  breaker: { failures: 5, cooldown: 1000 },
})

const record: ClientRecord = { ops: [], leases: [], drops: [], closes: [] }
/** where each lease's messages are logged on the server (its group's tag for a shared one) */
const leaseLogs: { tag: string; log: string }[] = []
const events: Record<string, number> = {}
for (const type of ['connect', 'open', 'reconnecting', 'error', 'evict', 'timeout', 'circuit', 'message'] as const) {
  pool.on(type, () => void (events[type] = (events[type] ?? 0) + 1))
}
pool.on('drop', (e) => void record.drops.push({ id: e.id, count: e.count }))
pool.on('close', (e) => void record.closes.push({ id: e.id, willReconnect: e.willReconnect }))

const faults: Record<string, number> = {}
const fault = (kind: string): void => void (faults[kind] = (faults[kind] ?? 0) + 1)
const live = new Map<Lease, LeaseRecord>()
let stop = false
let nextTag = 0
let nextReq = 0
let nextControl = 0

/** Runs `p` as operation `op`, recording how it settled. */
async function track<T>(op: OpRecord, p: Promise<T>, signal?: AbortSignal): Promise<T | undefined> {
  record.ops.push(op)
  try {
    const value = await p
    op.settled = { outcome: 'value' }
    return value
  } catch (err) {
    if (signal?.aborted && err === signal.reason) op.settled = { outcome: 'abort' }
    else op.settled = { outcome: 'error', code: err instanceof PoolError ? err.code : undefined }
    return undefined
  }
}

/** An abort signal some of the time, aborted after 0-300 ms. */
function maybeSignal(g: Rng): AbortSignal | undefined {
  if (g.rand() >= 0.2) return undefined
  const ac = new AbortController()
  setTimeout(() => ac.abort(new Error('chaos abort')), g.between(0, 300))
  return ac.signal
}

async function leaseSession(g: Rng): Promise<boolean> {
  // Some leases are shared: holders join one connection per group URL and tag their messages
  // `${group}.${tag}`, so the group's log holds each holder's traffic in its own order.
  const group = g.rand() < 0.2 ? `g${g.between(0, 3)}` : undefined
  const tag = group ? `${group}.t${nextTag++}` : `t${nextTag++}`
  const signal = maybeSignal(g)
  const timeout = g.rand() < 0.2 ? g.between(100, 1000) : undefined
  const url = `${server.url}/rpc?tag=${group ?? tag}`
  const lease = await track({ kind: 'acquire' }, pool.acquire(url, { signal, timeout, priority: g.between(0, 2), shared: !!group }), signal)
  if (!lease) return false
  const rec: LeaseRecord & { log: string; blind: number[] } = { tag, log: group ?? tag, connId: lease.id, accepted: [], blind: [] }
  record.leases.push(rec)
  leaseLogs.push(rec)
  live.set(lease, rec)
  const n = g.between(1, 40)
  for (let seq = 0; seq < n && !stop; seq++) {
    try {
      lease.send(`${tag}#${seq}`)
      rec.accepted.push(seq)
      if (deaf) rec.blind.push(seq)
    } catch (err) {
      if (!(err instanceof PoolError)) throw err
      if (err.code !== 'ERR_BUFFER_FULL') break // closed for good
    }
    if (g.rand() < 0.3) await sleep(g.between(0, 60))
  }
  live.delete(lease)
  if (g.rand() < (group ? 0.03 : 0.15)) lease.destroy(g.pick([1000, 4000]), 'chaos')
  else lease.release()
  return true
}

async function request(g: Rng): Promise<boolean> {
  const n = nextReq++
  const signal = maybeSignal(g)
  const payload = { n, delay: g.between(0, 600) }
  const reply = await track(
    { kind: 'request' },
    pool.request<{ n: number }>(`${server.url}/rpc`, payload, { timeout: g.between(300, 3000), idempotent: g.rand() < 0.5, signal }),
    signal,
  )
  if (reply !== undefined && reply.n !== n) record.ops[record.ops.length - 1].wrongReply = true
  return reply !== undefined
}

async function worker(g: Rng): Promise<void> {
  while (!stop) {
    const r = g.rand()
    const ok = r < 0.55 ? await leaseSession(g) : r < 0.9 ? await request(g) : (await sleep(g.between(10, 200)), true)
    // A caller whose operation failed waits a little, as a real one would (an open circuit
    // fails fast: without this the workers would spin on it).
    if (!ok) await sleep(g.between(20, 200))
  }
}

let outage: Promise<void> | undefined
/** the server is half-open: what is sent now is not recorded */
let deaf = false
async function chaos(g: Rng): Promise<void> {
  let nextResize = Date.now() + g.between(1000, 3000)
  while (!stop) {
    await sleep(g.between(200, 1500))
    if (stop) break
    if (Date.now() >= nextResize) {
      pool.resize({ maxPerHost: g.pick(CAPS) })
      fault('resize')
      nextResize = Date.now() + g.between(1000, 3000)
    }
    const kind = g.pick(['terminate', 'close-code', 'close-code', 'outage', 'half-open', 'refuse'] as const)
    if (kind === 'terminate') server.dropAll()
    else if (kind === 'close-code') {
      const code = g.pick([1001, 1011, 4000])
      const [lease, rec] = g.pick([...live]) ?? []
      if (lease && rec && g.rand() < 0.7) {
        const message = JSON.stringify({ id: `chaos-${nextControl++}`, data: { close: { code, reason: 'chaos' } } })
        try {
          lease.send(message)
          ;(rec.controls ??= []).push(message)
        } catch {}
      } else void track({ kind: 'request' }, pool.request(`${server.url}/rpc`, { close: { code } }, { timeout: 2000 }))
    } else if (kind === 'outage') {
      if (outage) continue
      outage = server.outage(g.between(100, 2000)).finally(() => (outage = undefined))
    } else if (kind === 'half-open') {
      server.setHalfOpen(true)
      deaf = true
      await sleep(g.between(500, 2500))
      // A half-open peer never comes back: its sockets die (nothing sent meanwhile was recorded).
      server.dropAll()
      server.setHalfOpen(false)
      deaf = false
    } else {
      server.setRefuse(true)
      await sleep(g.between(200, 2000))
      server.setRefuse(false)
    }
    fault(kind)
  }
}

const started = Date.now()
const workers = Array.from({ length: WORKERS }, (_, i) => worker(rng(seed * 1009 + i + 1)))
const monkey = chaos(rng(seed))
await sleep(seconds * 1000)
stop = true
await monkey
await outage
server.setHalfOpen(false)
server.setRefuse(false)
// Every operation is bounded by its timeout (3 s at most); a worker still busy after 10 s has an
// operation that never settled: the checker reports it.
let grace: NodeJS.Timeout | undefined
await Promise.race([Promise.all(workers), new Promise((r) => (grace = setTimeout(r, 10_000)))])
clearTimeout(grace)
await pool.close()
await sleep(200) // let rejections reach their callers
// The server's logs are complete once it has seen every socket close.
for (let i = 0; i < 100 && server.counts().open > 0; i++) await sleep(20)

const logs: Record<string, string[]> = {}
for (const l of leaseLogs) logs[l.tag] = server.log(l.log)
const counts = server.counts()
const totals = pool.stats().totals
const report = check(record, { logs, peak: counts.peak, cap: MAX_CAP }, totals)
for (const u of unhandled) report.violations.push(`unhandled: ${u}`)
await server.close()

const rows: [string, string | number][] = [
  ['seed', seed],
  ['seconds', `${seconds} (ran ${((Date.now() - started) / 1000).toFixed(1)})`],
  ['operations', `${report.ops} (acquires ${record.ops.filter((o) => o.kind === 'acquire').length}, requests ${record.ops.filter((o) => o.kind === 'request').length}, leases ${record.leases.length} of which shared ${record.leases.filter((l) => l.tag.startsWith('g')).length})`],
  ['outcomes', Object.entries(tally(record.ops)).map(([k, v]) => `${k} ${v}`).join(', ')],
  ['faults', Object.entries(faults).map(([k, v]) => `${k} ${v}`).join(', ')],
  ['pool events', Object.entries(events).map(([k, v]) => `${k} ${v}`).join(', ')],
  ['messages accepted', report.accepted],
  ['messages received', report.received],
  ['messages dropped (drop events)', report.dropped],
  ['lost at a socket death', report.lostAtDeath],
  ['lost while the server was half-open', report.lostHalfOpen],
  ['socket deaths (close events)', report.deaths],
  ['duplicates', report.duplicates],
  ['reordered', report.reordered],
  ['hung', report.hung],
  ['max connections (server) / cap', `${counts.peak} / ${MAX_CAP}`],
  ['stats totals', `created ${totals.created}, closed ${totals.closed}, reconnects ${totals.reconnects}, errors ${totals.errors}, timeouts ${totals.timeouts}, rejected ${totals.rejected}, dropped ${totals.dropped}, requests ${totals.requests}`],
  ['violations', report.violations.length],
]
const width = Math.max(...rows.map(([k]) => k.length))
console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n'))
for (const v of report.violations.slice(0, 50)) console.log(`VIOLATION ${v}`)
if (report.violations.length > 50) console.log(`... and ${report.violations.length - 50} more`)
process.exitCode = report.violations.length ? 1 : 0

setTimeout(() => {
  console.error('FAIL: the process is still alive 5 s after close:', process.getActiveResourcesInfo())
  process.exit(1)
}, 5000).unref()

function tally(ops: OpRecord[]): Record<string, number> {
  const t: Record<string, number> = {}
  for (const o of ops) {
    const k = !o.settled ? 'hung' : o.settled.outcome === 'error' ? (o.settled.code ?? 'non-PoolError') : o.settled.outcome
    t[k] = (t[k] ?? 0) + 1
  }
  return t
}
