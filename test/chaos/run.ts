/**
 * The chaos run (issue 10, section 4): `npx tsx test/chaos/run.ts` or `npm run chaos`.
 * `CHAOS_SEED` (default 1) picks every random choice of the run; `CHAOS_SECONDS` (default 20)
 * bounds it. Each caller and the fault loop draws from its own source seeded from it, so each
 * one's choices follow from the seed; what they meet (socket timing, the interleaving) varies,
 * so two runs of one seed agree in kind, not in every figure.
 *
 * Against two real test servers (two origins), for CHAOS_SECONDS: the fault loop (`faults.ts`)
 * injects faults at random intervals and resizes the pool (`maxPerHost`, and `maxTotal` below
 * the sum of the two), while WORKERS callers (`callers.ts`) acquire, send, request, release and
 * destroy. Then the pool is closed, `checker.ts` judges what both sides
 * recorded, a summary is printed, and the exit code is 1 on any violation. The process must exit
 * on its own: a watchdog (unref'd, so it holds nothing up) fails the run if it is still alive 5 s
 * after everything was closed.
 */
import { createPool } from '../../src/index.js'
import { startTestServer } from '../server/test-server.js'
import { check, type OpRecord } from './checker.js'
import { worker } from './callers.js'
import { CAPS, TOTALS, faults } from './faults.js'
import { clock, rng, sleep, type World } from './world.js'

const seed = Number(process.env.CHAOS_SEED ?? 1)
const seconds = Number(process.env.CHAOS_SECONDS ?? 20)
const WORKERS = 40
if (!Number.isInteger(seed) || !(seconds > 0)) throw new Error('CHAOS_SEED must be an integer and CHAOS_SECONDS > 0')

const unhandled: string[] = []
process.on('unhandledRejection', (reason) => void unhandled.push(String(reason)))
process.on('uncaughtException', (err) => void unhandled.push(`uncaught: ${String(err)}`))

const servers = [await startTestServer({ clock }), await startTestServer({ clock })]
const caps = { at: clock(), perHost: Math.max(...CAPS), total: Math.max(...TOTALS) }
const pool = createPool({
  maxPerHost: caps.perHost,
  maxTotal: caps.total,
  acquireTimeout: 3000,
  connectTimeout: 2000,
  requestTimeout: 3000,
  idleTimeout: 2000,
  reconnect: { initialDelay: 50, maxDelay: 1000, minUptime: 1000 },
  heartbeat: { interval: 1000, timeout: 1000 },
  buffer: { maxMessages: 200 },
  breaker: { failures: 5, cooldown: 1000 },
})
const w: World = {
  pool, servers, record: { ops: [], leases: [], drops: [], closes: [] }, leaseLogs: [], live: new Map(),
  deaf: servers.map(() => false), caps: [caps], creations: [], stop: false, next: { tag: 0, req: 0, control: 0 },
}
const { record } = w

const events: Record<string, number> = {}
for (const type of ['connect', 'open', 'reconnecting', 'error', 'evict', 'timeout', 'circuit', 'message'] as const) {
  pool.on(type, () => void (events[type] = (events[type] ?? 0) + 1))
}
pool.on('drop', (e) => void record.drops.push({ id: e.id, count: e.count }))
pool.on('close', (e) => void record.closes.push({ id: e.id, willReconnect: e.willReconnect }))
const created = new Set<number>()
pool.on('connect', (e) => {
  if (created.has(e.id)) return
  created.add(e.id)
  w.creations.push({ at: clock(), origin: e.origin })
})
const faultCounts: Record<string, number> = {}

const started = Date.now()
const workers = Array.from({ length: WORKERS }, (_, i) => worker(w, rng(seed * 1009 + i + 1)))
const monkey = faults(w, rng(seed), faultCounts)
await sleep(seconds * 1000)
w.stop = true
await monkey
// Every operation is bounded by its timeout (3 s at most); a worker still busy after 10 s has an
// operation that never settled: the checker reports it.
let grace: NodeJS.Timeout | undefined
await Promise.race([Promise.all(workers), new Promise((r) => (grace = setTimeout(r, 10_000)))])
clearTimeout(grace)
await pool.close()
await sleep(200) // let rejections reach their callers
// The servers' logs are complete once they have seen every socket close.
for (let i = 0; i < 100 && servers.some((s) => s.counts().open > 0); i++) await sleep(20)

const logs: Record<string, string[]> = {}
for (const l of w.leaseLogs) logs[l.tag] = servers[l.server].log(l.log)
const connections = Object.fromEntries(servers.map((s) => [s.url, s.connections()]))
const stray = w.creations.find((c) => !(c.origin in connections))
if (stray) throw new Error(`chaos run: the pool's origin ${stray.origin} is none of the servers' ${Object.keys(connections).join(', ')}`)
const totals = pool.stats().totals
const report = check(record, { logs, caps: { caps: w.caps, creations: w.creations, servers: connections } }, totals)
for (const u of unhandled) report.violations.push(`unhandled: ${u}`)
await Promise.all(servers.map((s) => s.close()))
const c = report.caps!

const rows: [string, string | number][] = [
  ['seed', seed],
  ['seconds', `${seconds} (ran ${((Date.now() - started) / 1000).toFixed(1)})`],
  ['operations', `${report.ops} (acquires ${record.ops.filter((o) => o.kind === 'acquire').length}, requests ${record.ops.filter((o) => o.kind === 'request').length}, leases ${record.leases.length} of which shared ${record.leases.filter((l) => l.tag.startsWith('g')).length})`],
  ['outcomes', Object.entries(tally(record.ops)).map(([k, v]) => `${k} ${v}`).join(', ')],
  ['faults', Object.entries(faultCounts).map(([k, v]) => `${k} ${v}`).join(', ')],
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
  ['most connections open per host / cap', `${c.peakPerHost} / ${c.maxPerHost} (the largest cap; each open checked against the cap in force)`],
  ['most connections open in all / cap', `${c.peakTotal} / ${c.maxTotal} (likewise)`],
  ['sockets opened on the servers', `${c.opens}, of which ${c.aboveShrunk} at or above a shrunk cap (created under a larger one)`],
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
