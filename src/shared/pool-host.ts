/**
 * The side of a cross-tab pool that holds the connections: one ordinary pool (built with the
 * public API), serving every tab that attaches. It lives in a SharedWorker or in the leader tab.
 *
 * Per tab it keeps the leases it holds (named by the operation that acquired them), the acquires
 * and requests under way (each with an AbortController, so a tab that cancels or goes away stops
 * them), and when it last heard from the tab. Pool events and stats go to every tab; a lease's
 * events only to its holder. A tab that says goodbye, or stays silent longer than
 * `clientTimeout` (frozen, discarded, crashed), loses its leases and operations.
 */
import type { Limits } from '../pool/backend.js'
import type { Lease } from '../pool/lease.js'
import type { WebSocketPool } from '../pool/pool.js'
import { watchTabLock } from './tab-lock.js'
import { Batcher } from './batcher.js'
import { eventToWire, toWire, type ToClient, type ToHost, type WireLease } from './messages.js'

/** Where messages for one or more tabs go (a MessagePort, or a BroadcastChannel shared by all). */
export interface ClientWire {
  post(message: ToClient): void
}

const POOL_EVENTS = ['connect', 'open', 'close', 'reconnecting', 'error', 'acquire', 'release', 'enqueue', 'timeout', 'evict', 'drop', 'circuit', 'message'] as const
const LEASE_EVENTS = ['message', 'open', 'close', 'reconnecting', 'error'] as const
/** How often changed stats are pushed to the tabs. */
const STATS_INTERVAL = 100

interface Client {
  /** The tab's wire as the transport gives it (one may serve several tabs). */
  readonly raw: ClientWire
  /** Stops watching the tab's lock (see tab-lock.ts). */
  unwatch?: () => void
  readonly id: string
  readonly wire: ClientWire
  readonly leases: Map<number, Lease>
  readonly pending: Map<number, AbortController>
  /** Per lease: the highest send number handed to an open socket this turn, acknowledged at its end. */
  readonly acks: Map<number, number>
  /** Per lease: the highest send number held by the pool until the connection opens. */
  readonly unacked: Map<number, number>
  seen: number
}

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
  readonly #clients = new Map<string, Client>()
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
      case 'acquire': return this.#acquire(c, m.r, m.url, m.o)
      case 'request': return this.#request(c, m.r, m.url, m.p, m.o)
      case 'cancel': {
        c.pending.get(m.r)?.abort()
        c.pending.delete(m.r)
        return
      }
      case 'send': return this.#send(c, m.l, m.s, m.d)
      case 'release': {
        const lease = c.leases.get(m.l)
        c.leases.delete(m.l)
        c.unacked.delete(m.l)
        return lease?.release()
      }
      case 'destroy': {
        const lease = c.leases.get(m.l)
        try {
          lease?.destroy(m.code, m.reason)
        } finally {
          c.leases.delete(m.l)
        }
        return
      }
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
    // A turn's inbound messages and acknowledgements for this tab go as one message.
    const batched = new Batcher<ToClient>(wire, (m) => m.k === 'ack' || (m.k === 'lease' && m.t === 'message'), (m) => ({ k: 'batch', to: id, m }))
    const c: Client = { id, wire: batched, raw: wire, leases: new Map(), pending: new Map(), unacked: new Map(), acks: new Map(), seen: Date.now() }
    this.#clients.set(id, c)
    this.#wires.add(wire)
    wire.post({ k: 'welcome', to: id, host: this.id, limits: this.#limits, stats: this.#pool.stats(), fresh: true, tabs: this.#clients.size })
  }

  #acquire(c: Client, r: number, url: string | string[], o: { priority: number; timeout: number; protocols: readonly string[]; shared: boolean }): void {
    if (c.leases.has(r) || c.pending.has(r)) return
    const ac = new AbortController()
    c.pending.set(r, ac)
    this.#pool.acquire(url, { priority: o.priority, timeout: o.timeout, protocols: [...o.protocols], shared: o.shared, signal: ac.signal }).then(
      (lease) => {
        if (c.pending.get(r) !== ac || this.#clients.get(c.id) !== c) return lease.release()
        c.pending.delete(r)
        c.leases.set(r, lease)
        for (const t of LEASE_EVENTS) {
          lease.on(t, (e: unknown) => {
            if (t === 'open' && c.unacked.has(r)) {
              // What the pool held for this lease was flushed to the reopened socket.
              c.wire.post({ k: 'ack', to: c.id, l: r, s: c.unacked.get(r)! })
              c.unacked.delete(r)
            }
            this.#post(c, { k: 'lease', to: c.id, l: r, t, e: eventToWire(e), lease: snapshot(lease) })
            if (t === 'close') c.leases.delete(r)
          })
        }
        c.wire.post({ k: 'leased', to: c.id, r, lease: snapshot(lease) })
      },
      (error: unknown) => {
        if (c.pending.get(r) !== ac) return
        c.pending.delete(r)
        c.wire.post({ k: 'failed', to: c.id, r, e: toWire(error) })
      },
    )
  }

  #request(c: Client, r: number, url: string | string[], payload: unknown, o: { priority: number; timeout: number; idempotent: boolean }): void {
    if (c.pending.has(r)) return
    const ac = new AbortController()
    c.pending.set(r, ac)
    this.#pool.request(url, payload, { ...o, signal: ac.signal }).then(
      (v) => {
        if (c.pending.get(r) !== ac) return
        c.pending.delete(r)
        this.#post(c, { k: 'reply', to: c.id, r, v })
      },
      (error: unknown) => {
        if (c.pending.get(r) !== ac) return
        c.pending.delete(r)
        c.wire.post({ k: 'failed', to: c.id, r, e: toWire(error) })
      },
    )
  }

  #send(c: Client, l: number, s: number, data: Parameters<Lease['send']>[0]): void {
    const lease = c.leases.get(l)
    if (lease === undefined) return // released or closed meanwhile: the tab reports what it still held
    try {
      lease.send(data)
    } catch (error) {
      return c.wire.post({ k: 'lease', to: c.id, l, t: 'error', e: eventToWire(error), lease: snapshot(lease) })
    }
    if (lease.state !== 'open') return void c.unacked.set(l, s)
    // One acknowledgement per lease per turn, however many sends the turn brought.
    if (c.acks.size === 0) queueMicrotask(() => this.#flushAcks(c))
    c.acks.set(l, s)
  }

  #flushAcks(c: Client): void {
    if (this.#clients.get(c.id) === c) for (const [l, s] of c.acks) c.wire.post({ k: 'ack', to: c.id, l, s })
    c.acks.clear()
  }

  /** Posts what may not clone (a reply, a message): one that cannot is reported to its tab instead. */
  #post(c: Client, m: ToClient): void {
    try {
      c.wire.post(m)
    } catch (error) {
      if (m.k === 'reply') c.wire.post({ k: 'failed', to: c.id, r: m.r, e: toWire(error) })
      else c.wire.post({ k: 'event', t: 'error', e: eventToWire({ origin: '', url: '', error }) })
    }
  }

  /** A tab went (said goodbye or fell silent): its leases go back, its operations stop. */
  #drop(c: Client): void {
    if (this.#clients.get(c.id) !== c) return
    this.#clients.delete(c.id)
    c.unwatch?.()
    for (const ac of c.pending.values()) ac.abort()
    c.pending.clear()
    for (const lease of c.leases.values()) lease.release()
    c.leases.clear()
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

function snapshot(lease: Lease): WireLease {
  const state = lease.state
  return { id: lease.id, url: lease.url, protocol: lease.protocol, state: state === 'released' ? 'closed' : state }
}
