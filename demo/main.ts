/**
 * The demo page: one wspool pool against two test servers (two origins). Everything shown comes
 * from the pool's public API (events, stats, leases) plus the test server's own counts.
 *
 * This module only composes: the pool (pool.ts), the shared page state (app.ts), the cards
 * (origins.ts), the page-wide controls (controls.ts), the requests and replicas panels
 * (requests.ts, replicas.ts) and the pool-wide panels (panels.ts).
 * Test hook: `window.__demo` (see the bottom) and `data-testid` attributes.
 */
import { App } from './app.js'
import type { ServerInfo } from './cards.js'
import { Controls } from './controls.js'
import { $ } from './dom.js'
import { Origins } from './origins.js'
import { RateMeter, renderPanels, renderTotals } from './panels.js'
import { createDemoPool } from './pool.js'
import { ReplicaPanel } from './replicas.js'
import { Requests } from './requests.js'

const servers: ServerInfo[] = __DEMO_SERVERS__
const pool = createDemoPool()
const app = new App(pool)
const origins = new Origins(app, servers, $('[data-testid=cards]'))
const controls = new Controls(app, origins)
// The two origins as one replica list: the requests panel and the list leases use it.
const replicaUrls = servers.map((s) => `${s.url}/rpc`)
const requests = new Requests(app, replicaUrls)
const replicas = new ReplicaPanel(app, origins, replicaUrls)

// Rendering: at most once per frame (app.schedule), plus a 250 ms tick for stats and server counts.
app.onRender(() => {
  const stats = pool.stats()
  const held = origins.render(stats.hosts, controls.maxPerHost)
  renderTotals(stats.totals, held)
  requests.render(stats.totals)
  replicas.render(stats.hosts)
  renderPanels(app.model, app.names, performance.now())
})

const rates = new RateMeter()
setInterval(() => rates.sample(pool.stats().totals, performance.now()), 1000)
setInterval(() => {
  const stats = pool.stats()
  requests.sample(stats.totals, performance.now())
  replicas.sample(stats.hosts, performance.now())
}, 250)
const pollServers = (): Promise<void> => Promise.all(origins.all.map((o) => origins.poll(o))).then(app.schedule)
setInterval(() => void pollServers(), 400)
setInterval(app.schedule, 250)

declare global {
  interface Window {
    __demo: unknown
  }
}
window.__demo = {
  pool,
  servers,
  model: app.model,
  errors: app.errors,
  /** Leases the page holds, per card name. */
  held: (name: string) => [...(origins.byName.get(name)?.held ?? [])].map((l) => ({ id: l.id, state: l.state })),
  /** Messages the page sent with "Send burst", per card name. */
  sent: (name: string) => [...(origins.byName.get(name)?.sent ?? [])],
  stats: () => pool.stats(),
  origin: (name: string) => origins.byName.get(name)?.origin,
  /** The requests panel's own counts: made, answered (correctly), failed, failures by code. */
  requests: () => ({ started: requests.started, ok: requests.ok, failed: requests.failed, byCode: Object.fromEntries(requests.byCode) }),
  /** The list leases and the origin (card name) each is on now. */
  replicaLeases: () => replicas.where(),
  ready: true,
}
void pollServers()
