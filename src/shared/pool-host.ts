/**
 * The side of a cross-tab pool that holds the connections: one ordinary pool (built with the
 * public API), serving every tab that attaches. It lives in a SharedWorker or in the leader tab.
 *
 * Per tab it keeps a {@link HostClient}: its leases and operations under way, and when it last
 * heard from it. Pool events and stats go to every tab; a lease's events only to its holder. A
 * tab that says goodbye, or stays silent longer than `clientTimeout` (frozen, discarded,
 * crashed), loses its leases and operations.
 */
import type { Limits } from '../pool/backend.js'
import type { WebSocketPool } from '../pool/pool.js'
import { watchTabLock } from './tab-lock.js'
import { HostClient, type ClientWire } from './host-client.js'
import { eventToWire, type ToClient, type ToHost } from './messages.js'

const POOL_EVENTS = ['connect', 'open', 'close', 'reconnecting', 'error', 'acquire', 'release', 'enqueue', 'timeout', 'evict', 'drop', 'circuit', 'message'] as const
/** How often changed stats are pushed to the tabs. */
const STATS_INTERVAL = 100

export interface PoolHostOptions {
  /** The pool's caps as created (resizes from tabs update them). */
  limits: Limits
  /** ms of silence after which a tab counts as gone. @default 90000 */
  clientTimeout?: number
  /** Called when the last tab has gone (a worker closes its pool then). */
  onEmpty?: () => void
}

export class PoolHost {
  /** This host's name: a tab that sees another one knows the connections moved. */
  readonly id = Math.random().toString(36).slice(2)
  readonly #pool: WebSocketPool
  readonly #clients = new Map<string, HostClient>()
  readonly #wires = new Set<ClientWire>()
  readonly #timeout: number
  readonly #onEmpty: (() => void) | undefined
  readonly #unsubscribe: (() => void)[] = []
  #timer: ReturnType<typeof setInterval> | undefined
  #lastStats: unknown
  #lastTabs = 0
  #limits: Limits
  #closed = false

  constructor(pool: WebSocketPool, options: PoolHostOptions) {
    this.#pool = pool
    this.#timeout = options.clientTimeout ?? 90_000
    this.#onEmpty = options.onEmpty
    this.#limits = { ...options.limits }
    for (const t of POOL_EVENTS) {
      this.#unsubscribe.push(pool.on(t, (e: unknown) => this.#broadcast({ k: 'event', t, e: eventToWire(e) })))
    }
    this.#timer = setInterval(() => this.#tick(), STATS_INTERVAL)
    ;(this.#timer as { unref?: () => void }).unref?.()
  }

  get clients(): number {
    return this.#clients.size
  }

  /** Handles one message from a tab; `wire` is where its answers go. */
  receive(m: ToHost, wire: ClientWire): void {
    if (this.#closed) return
    if (m.k === 'batch') {
      for (const one of m.m) this.receive(one, wire)
      return
    }
    if (m.k === 'hello') return this.#hello(m.c, wire)
    const c = this.#clients.get(m.c)
    if (c === undefined) {
      // A tab this host does not know (it was dropped as silent, or another host had it): it attaches again.
      if (m.k !== 'bye') wire.post({ k: 'unknown', to: m.c })
      return
    }
    c.seen = Date.now()
    switch (m.k) {
      case 'ping': return c.wire.post({ k: 'pong', to: c.id })
      case 'bye': return this.#drop(c)
      case 'watch': {
        c.unwatch?.()
        c.unwatch = watchTabLock(m.lock, () => this.#drop(c))
        return
      }
      case 'acquire': return c.acquire(m.r, m.url, m.o)
      case 'request': return c.request(m.r, m.url, m.p, m.o)
      case 'cancel': return c.cancel(m.r)
      case 'send': return c.send(m.l, m.s, m.d)
      case 'release': return c.release(m.l)
      case 'destroy': return c.destroy(m.l, m.code, m.reason)
      case 'resize': {
        try {
          this.#pool.resize(m.v)
          this.#limits = { ...m.v }
        } catch (error) {
          c.wire.post({ k: 'event', t: 'error', e: eventToWire({ origin: '', url: '', error }) })
        }
        return this.#pushStats(true)
      }
    }
  }

  /** Closes the pool and forgets every tab. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#timer)
    for (const c of [...this.#clients.values()]) this.#drop(c)
    await this.#pool.close()
    for (const off of this.#unsubscribe) off()
  }

  #hello(id: string, wire: ClientWire): void {
    const known = this.#clients.get(id)
    if (known) {
      // Said twice (an announcement crossed a ping): the tab keeps what it holds here.
      known.seen = Date.now()
      return wire.post({ k: 'welcome', to: id, host: this.id, limits: this.#limits, stats: this.#pool.stats(), fresh: false, tabs: this.#clients.size })
    }
    this.#clients.set(id, new HostClient(id, wire, this.#pool))
    this.#wires.add(wire)
    wire.post({ k: 'welcome', to: id, host: this.id, limits: this.#limits, stats: this.#pool.stats(), fresh: true, tabs: this.#clients.size })
  }

  /** A tab went (said goodbye or fell silent): its leases go back, its operations stop. */
  #drop(c: HostClient): void {
    if (this.#clients.get(c.id) !== c) return
    this.#clients.delete(c.id)
    c.drop()
    if (![...this.#clients.values()].some((o) => o.raw === c.raw)) this.#wires.delete(c.raw)
    if (this.#clients.size === 0) this.#onEmpty?.()
  }

  #tick(): void {
    const now = Date.now()
    for (const c of [...this.#clients.values()]) if (now - c.seen > this.#timeout) this.#drop(c)
    this.#pushStats(false)
  }

  /** Pushes the stats and the number of tabs to every tab, when either changed (or `force`). */
  #pushStats(force: boolean): void {
    const s = this.#pool.stats()
    const tabs = this.#clients.size
    if (!force && s === this.#lastStats && tabs === this.#lastTabs) return
    this.#lastStats = s
    this.#lastTabs = tabs
    this.#broadcast({ k: 'stats', s, limits: this.#limits, tabs })
  }

  #broadcast(m: ToClient): void {
    for (const w of this.#wires) {
      try {
        w.post(m)
      } catch {
        // a message that cannot clone (an event carrying user data) is not forwarded
      }
    }
  }
}
