/**
 * The demo page: one wspool pool against two test servers (two origins). Everything shown comes
 * from the pool's public API (events, stats, leases) plus the test server's own counts.
 *
 * Test hook: `window.__demo` (see the bottom) and `data-testid` attributes.
 */
import { createPool } from 'wspool'
import { Card, type ServerInfo } from './cards.js'
import { Model } from './model.js'
import { RateMeter, renderPanels, renderTotals } from './panels.js'

type Pool = ReturnType<typeof createPool>
type Lease = Awaited<ReturnType<Pool['acquire']>>

const servers: ServerInfo[] = __DEMO_SERVERS__
const OUTAGE_MS = 5000

const pool = createPool({
  maxPerHost: 4,
  acquireTimeout: 60_000,
  // Tuned to be watched: backoff 250 ms doubling to 8 s, jitter 0.5 keeps each wait in [d/2, d]
  // (the default full jitter is right for fleets, harder to read on a page).
  reconnect: { initialDelay: 250, factor: 2, maxDelay: 8000, jitter: 0.5, minUptime: 5000 },
  // "Half-open" on a card: the echo of 'ping' stops, and the pool notices within 5 s.
  heartbeat: { interval: 3000, timeout: 2000, message: 'ping', isPong: (data: unknown) => data === 'ping' },
  // An "Outage 5 s" fails 6 attempts quickly: the circuit opens, then a trial closes it.
  breaker: { failures: 6, cooldown: 3000 },
})

interface OriginState {
  server: ServerInfo
  origin: string
  /** All leases of a card share one URL, so released connections are reused. */
  leaseUrl: string
  held: Set<Lease>
  sent: string[]
  card: Card
  counts?: { open: number; peak: number } | 'down'
  halfOpen: boolean
  refuse: boolean
  outageUntil: number
}

const $ = <T extends Element>(sel: string): T => document.querySelector(sel) as T
const names: Record<string, string> = {}
const model = new Model(names)
const byName = new Map<string, OriginState>()
const errors: string[] = []
let bursts = 0

function readInt(sel: string, min: number, max: number, def: number): number {
  const n = Math.round(Number($<HTMLInputElement>(sel).value))
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : def
}

function note(origin: string, err: unknown): void {
  const msg = err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err)
  errors.push(msg)
  model.log.unshift({ at: performance.now(), type: 'failure', origin: names[origin] ?? origin, text: msg })
  schedule()
}

function acquire(o: OriginState, n: number): void {
  for (let i = 0; i < n; i++) {
    pool.acquire(o.leaseUrl).then(
      (lease) => {
        o.held.add(lease)
        schedule()
      },
      (err: unknown) => note(o.origin, err),
    )
  }
  schedule()
}

function release(o: OriginState, lease: Lease): void {
  o.held.delete(lease)
  lease.release()
  schedule()
}

function burst(o: OriginState, size: number): void {
  const k = ++bursts
  const leases = [...o.held].filter((l) => l.state !== 'closed')
  for (let i = 0; i < size; i++) {
    const data = `burst ${k} msg ${i}`
    const lease = leases[i % Math.max(1, leases.length)]
    try {
      if (lease) lease.send(data)
      else void pool.send(o.leaseUrl, data).catch((err: unknown) => note(o.origin, err))
      o.sent.push(data)
    } catch (err) {
      note(o.origin, err)
    }
  }
  schedule()
}

/** POSTs a test-server control; resolves whether the server confirmed it. */
async function control(o: OriginState, path: string): Promise<boolean> {
  try {
    const res = await fetch(o.server.httpUrl + path, { method: 'POST' })
    if (res.ok) return true
    note(o.origin, new Error(`server control ${path}: HTTP ${res.status}`))
  } catch (err) {
    note(o.origin, err)
  }
  return false
}

async function pollServer(o: OriginState): Promise<void> {
  if (performance.now() < o.outageUntil) {
    o.counts = 'down' // known outage: do not knock on a closed port
    return
  }
  try {
    const res = await fetch(`${o.server.httpUrl}/_/stats`)
    const c = (await res.json()) as { open: number; peak: number }
    o.counts = { open: c.open, peak: c.peak }
  } catch {
    o.counts = 'down'
  }
}

for (const server of servers) {
  const origin = new URL(server.url).origin
  names[origin] = server.name
  const o: OriginState = {
    server,
    origin,
    leaseUrl: `${server.url}/log?tag=${server.name}`,
    held: new Set(),
    sent: [],
    halfOpen: false,
    refuse: false,
    outageUntil: 0,
    card: undefined as unknown as Card,
  }
  o.card = new Card(server, origin, {
    acquire: () => acquire(o, readInt('[data-testid=acquire-count]', 1, 50, 3)),
    releaseAll: () => [...o.held].forEach((l) => release(o, l)),
    burst: () => burst(o, readInt('[data-testid=burst-size]', 1, 1000, 20)),
    releaseTile: (id) => [...o.held].filter((l) => l.id === id).forEach((l) => release(o, l)),
    drop: () => void control(o, '/_/drop'),
    outage: () => {
      o.outageUntil = performance.now() + OUTAGE_MS
      void control(o, `/_/outage?ms=${OUTAGE_MS}`)
    },
    // The toggles show the server's confirmed mode, not the click.
    toggleHalfOpen: () => {
      const on = !o.halfOpen
      void control(o, `/_/half-open?on=${on ? 1 : 0}`).then((ok) => ok && ((o.halfOpen = on), schedule()))
    },
    toggleRefuse: () => {
      const on = !o.refuse
      void control(o, `/_/refuse?on=${on ? 1 : 0}`).then((ok) => ok && ((o.refuse = on), schedule()))
    },
  })
  $('[data-testid=cards]').append(o.card.el)
  byName.set(server.name, o)
}

// maxPerHost stepper: pool.resize applies at once (growing serves the queue).
let maxPerHost = 4
function resize(delta: number): void {
  const next = Math.min(12, Math.max(1, maxPerHost + delta))
  try {
    pool.resize({ maxPerHost: next })
    maxPerHost = next
    $('[data-testid=max-value]').textContent = String(next)
  } catch (err) {
    note('', err)
  }
  schedule()
}
$('[data-testid=max-dec]').addEventListener('click', () => resize(-1))
$('[data-testid=max-inc]').addEventListener('click', () => resize(+1))
$('[data-testid=release-everything]').addEventListener('click', () => {
  for (const o of byName.values()) [...o.held].forEach((l) => release(o, l))
})

// Close codes: one message, then the server closes with the code. The outcome comes from the
// pool's `close` event (`willReconnect`); a retried lease is released once it is open again.
async function closeWith(code: number, reason: string): Promise<void> {
  const o = byName.get(servers[0].name) as OriginState
  try {
    const lease = await pool.acquire(`${o.server.url}/close?code=${code}&reason=${reason}&after=1`)
    model.watched.set(lease.id, `close ${code}`)
    lease.on('open', () => setTimeout(() => lease.release(), 1500))
    lease.on('close', () => setTimeout(() => lease.state === 'closed' && lease.release(), 0))
    lease.send(`hello, please close with ${code}`)
  } catch (err) {
    note(o.origin, err)
  }
}
$('[data-testid=close-1008]').addEventListener('click', () => void closeWith(1008, 'policy'))
$('[data-testid=close-4001]').addEventListener('click', () => void closeWith(4001, 'app'))

// Rendering: at most once per frame, plus a 250 ms tick for stats and server counts.
let scheduled = false
function schedule(): void {
  if (scheduled) return
  scheduled = true
  requestAnimationFrame(() => {
    scheduled = false
    render()
  })
}
model.attach(pool, schedule)

function render(): void {
  const stats = pool.stats()
  const now = performance.now()
  let held = 0
  for (const o of byName.values()) {
    for (const l of o.held) if (l.state === 'closed') release(o, l) // closed for good: give it back
    const host = stats.hosts[o.origin]
    if (host) model.reconcile(o.origin, host.connections)
    held += o.held.size
    o.card.update({
      tiles: model.tilesOf(o.origin),
      max: host ? host.max : maxPerHost,
      live: host ? host.connections : 0,
      pending: host ? host.pending : 0,
      held: o.held.size,
      circuit: host ? (host as { circuit?: string }).circuit : undefined,
      server: o.counts,
      halfOpen: o.halfOpen,
      refuse: o.refuse,
      outageLeft: Math.max(0, o.outageUntil - now),
    })
  }
  renderTotals(stats.totals, held)
  renderPanels(model, names, now)
}

const rates = new RateMeter()
setInterval(() => rates.sample(pool.stats().totals, performance.now()), 1000)

setInterval(() => {
  void Promise.all([...byName.values()].map(pollServer)).then(schedule)
}, 400)
setInterval(schedule, 250)

declare global {
  interface Window {
    __demo: unknown
  }
}
window.__demo = {
  pool,
  servers,
  model,
  errors,
  /** Leases the page holds, per card name. */
  held: (name: string) => [...(byName.get(name)?.held ?? [])].map((l) => ({ id: l.id, state: l.state })),
  /** Messages the page sent with "Send burst", per card name. */
  sent: (name: string) => [...(byName.get(name)?.sent ?? [])],
  stats: () => pool.stats(),
  origin: (name: string) => byName.get(name)?.origin,
  ready: true,
}
void Promise.all([...byName.values()].map(pollServer)).then(schedule)
