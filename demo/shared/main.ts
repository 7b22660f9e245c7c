/**
 * The cross-tab page (`shared.html`): one `createSharedPool({ name: 'demo', maxPerHost: 2 })` per
 * tab, all tabs sharing its connections. `?transport=worker` puts them in a SharedWorker
 * (pool-worker.ts, bundled by Vite); by default a leader tab elected with Web Locks holds them.
 * Test hook: `window.__shared` (see the bottom) and `data-testid` attributes.
 */
import { createSharedPool, PoolError, sharedPoolState } from 'wspool'
import { $, describe, readInt } from '../dom.js'
import { TabLeases, type Tracked } from './tab.js'
import { logEvent, renderHeader, renderLeases, type ServerCounts } from './view.js'

const MAX_PER_HOST = 2
const servers = __DEMO_SERVERS__
const api = servers[0]
const params = new URLSearchParams(location.search)
const transport = params.get('transport') === 'worker' ? 'worker' : 'leader'
const tabId = `tab-${Math.random().toString(36).slice(2, 6)}`

const pool = createSharedPool({
  name: 'demo',
  maxPerHost: MAX_PER_HOST,
  acquireTimeout: 30_000,
  // Tuned to be watched: a dropped connection is back within a second.
  reconnect: { initialDelay: 100, factor: 2, maxDelay: 2000, jitter: 0.5 },
  ...(transport === 'worker'
    ? { worker: () => new SharedWorker(new URL('./pool-worker.ts', import.meta.url), { type: 'module', name: 'wspool:demo' }) }
    : {}),
})

const errors: string[] = []
const drops: unknown[] = []
let server: ServerCounts | null = null
let scheduled = false
const render = (): void => {
  if (scheduled) return
  scheduled = true
  requestAnimationFrame(() => {
    scheduled = false
    renderHeader(sharedPoolState(pool), tabId, pool.stats(), server, MAX_PER_HOST)
    renderLeases(leases)
  })
}
const leases = new TabLeases(pool, `${api.url}/log?tag=shared`, tabId, (note) => {
  if (note) logEvent('lease', note)
  render()
})

for (const type of ['open', 'close', 'reconnecting', 'drop'] as const) {
  pool.on(type, (e) => logEvent(type, `#${'id' in e ? e.id : ''} ${'count' in e ? `${e.count} msgs (${e.reason})` : 'code' in e ? `${e.code}` : ''}`))
}
pool.on('drop', (e) => void drops.push(e))
pool.on('error', (e) => {
  const { text } = describe(e.error)
  errors.push(text)
  logEvent('error', text, true)
})

const fail = (err: unknown): void => {
  const { text } = describe(err)
  errors.push(text)
  logEvent('failed', text, true)
}

$('[data-testid=open-tab]').addEventListener('click', () => window.open(location.href, '_blank'))
$('[data-testid=hold]').addEventListener('click', () => void leases.hold().catch(fail))
$('[data-testid=burst]').addEventListener('click', () => void leases.burst(readInt('[data-testid=burst-size]', 1, 1000, 20)).catch(fail))
$('[data-testid=release-all]').addEventListener('click', () => leases.releaseAll())
$('[data-testid=leases]').addEventListener('click', (e) => {
  const label = (e.target as HTMLElement).dataset.release
  const t = label && leases.all.find((l) => l.label === label)
  if (t) leases.release(t)
})
const other = $<HTMLAnchorElement>('[data-testid=other-transport]')
if (transport === 'worker') {
  other.href = '?'
  other.textContent = 'without ?transport=worker'
}

const pollServer = async (): Promise<void> => {
  try {
    server = (await (await fetch(`${api.httpUrl}/_/stats`)).json()) as ServerCounts
  } catch {
    server = null
  }
  render()
}
setInterval(() => void pollServer(), 500)
setInterval(render, 250)

declare global {
  interface Window {
    __shared: unknown
  }
}
window.__shared = {
  pool,
  servers,
  tabId,
  transport,
  leases,
  errors,
  drops,
  /** The library, for tests that build their own shared pool in this page. */
  lib: { createSharedPool, sharedPoolState, PoolError },
  state: () => sharedPoolState(pool),
  /** This tab's leases as plain data. */
  held: () => leases.all.map((t: Tracked) => ({ label: t.label, state: t.ended === 'released' ? 'released' : t.lease.state, sent: t.sent, echoed: t.echoed, states: t.states, times: t.times, ended: t.ended ?? null })),
  find: (label: string) => leases.all.find((t) => t.label === label),
  ready: true,
}
void pollServer()
