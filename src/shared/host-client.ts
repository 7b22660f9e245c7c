/**
 * What a cross-tab pool's host keeps for one tab (a client): the leases it holds, named by the
 * operation that acquired them; the acquires and requests under way, each with an
 * AbortController, so a tab that cancels or goes away stops them; the acknowledgements of its
 * sends; and when the host last heard from it. A lease's events go only to its holder.
 */
import type { Lease } from '../pool/lease.js'
import type { WebSocketPool } from '../pool/pool.js'
import { Batcher } from './batcher.js'
import { eventToWire, toWire, type ToClient, type WireAcquire, type WireLease, type WireRequest } from './messages.js'

/** Where messages for one or more tabs go (a MessagePort, or a BroadcastChannel shared by all). */
export interface ClientWire {
  post(message: ToClient): void
}

const LEASE_EVENTS = ['message', 'open', 'close', 'reconnecting', 'error'] as const

/** One tab as its host knows it. */
export class HostClient {
  /** The tab's wire: a turn's inbound messages and acknowledgements for it go as one message. */
  readonly wire: ClientWire
  /** When the host last heard from the tab (a silent one is dropped). */
  seen = Date.now()
  /** Stops watching the tab's lock (see tab-lock.ts). */
  unwatch?: () => void
  readonly #leases = new Map<number, Lease>()
  readonly #pending = new Map<number, AbortController>()
  /** Per lease: the highest send number handed to an open socket this turn, acknowledged at its end. */
  readonly #acks = new Map<number, number>()
  /** Per lease: the highest send number held by the pool until the connection opens. */
  readonly #unacked = new Map<number, number>()

  constructor(
    readonly id: string,
    /** The tab's wire as the transport gives it (one may serve several tabs). */
    readonly raw: ClientWire,
    /** The host's pool, where the tab's operations run. */
    readonly pool: WebSocketPool,
  ) {
    this.wire = new Batcher<ToClient>(raw, (m) => m.k === 'ack' || (m.k === 'lease' && m.t === 'message'), (m) => ({ k: 'batch', to: id, m }))
  }

  /** Acquire `r` of the tab: asked again while held or under way (a repost crossed an answer), it is ignored. */
  acquire(r: number, url: string | string[], o: WireAcquire): void {
    if (this.#leases.has(r) || this.#pending.has(r)) return
    const ac = new AbortController()
    this.#pending.set(r, ac)
    this.pool.acquire(url, { priority: o.priority, timeout: o.timeout, protocols: [...o.protocols], shared: o.shared, signal: ac.signal }).then(
      (lease) => {
        // Cancelled, or the tab went (its pending ones were dropped with it): the lease goes back.
        if (this.#pending.get(r) !== ac) return lease.release()
        this.#pending.delete(r)
        this.#leases.set(r, lease)
        for (const t of LEASE_EVENTS) {
          lease.on(t, (e: unknown) => {
            if (t === 'open' && this.#unacked.has(r)) {
              // What the pool held for this lease was flushed to the reopened socket.
              this.wire.post({ k: 'ack', to: this.id, l: r, s: this.#unacked.get(r)! })
              this.#unacked.delete(r)
            }
            this.#post({ k: 'lease', to: this.id, l: r, t, e: eventToWire(e), lease: snapshot(lease) })
            if (t === 'close') this.#leases.delete(r)
          })
        }
        this.wire.post({ k: 'leased', to: this.id, r, lease: snapshot(lease) })
      },
      (error: unknown) => this.#failed(r, ac, error),
    )
  }

  /** Request `r` of the tab, ignored while under way (as an acquire). */
  request(r: number, url: string | string[], payload: unknown, o: WireRequest): void {
    if (this.#pending.has(r)) return
    const ac = new AbortController()
    this.#pending.set(r, ac)
    this.pool.request(url, payload, { ...o, signal: ac.signal }).then(
      (v) => {
        if (this.#pending.get(r) !== ac) return
        this.#pending.delete(r)
        this.#post({ k: 'reply', to: this.id, r, v })
      },
      (error: unknown) => this.#failed(r, ac, error),
    )
  }

  cancel(r: number): void {
    this.#pending.get(r)?.abort()
    this.#pending.delete(r)
  }

  /** Send `s` of lease `l`: acknowledged at the end of the turn, or when the connection opens if the pool holds it till then. */
  send(l: number, s: number, data: Parameters<Lease['send']>[0]): void {
    const lease = this.#leases.get(l)
    if (lease === undefined) return // released or closed meanwhile: the tab reports what it still held
    try {
      lease.send(data)
    } catch (error) {
      return this.wire.post({ k: 'lease', to: this.id, l, t: 'error', e: eventToWire(error), lease: snapshot(lease) })
    }
    if (lease.state !== 'open') return void this.#unacked.set(l, s)
    // One acknowledgement per lease per turn, however many sends the turn brought.
    if (this.#acks.size === 0) queueMicrotask(() => this.#flushAcks())
    this.#acks.set(l, s)
  }

  release(l: number): void {
    const lease = this.#leases.get(l)
    this.#leases.delete(l)
    this.#unacked.delete(l)
    lease?.release()
  }

  destroy(l: number, code: number, reason: string): void {
    const lease = this.#leases.get(l)
    try {
      lease?.destroy(code, reason)
    } finally {
      this.#leases.delete(l)
    }
  }

  /** The tab went (said goodbye or fell silent): its leases go back, its operations stop. */
  drop(): void {
    this.unwatch?.()
    for (const ac of this.#pending.values()) ac.abort()
    this.#pending.clear()
    for (const lease of this.#leases.values()) lease.release()
    this.#leases.clear()
    // This turn's acknowledgements have no one to go to.
    this.#acks.clear()
  }

  #flushAcks(): void {
    for (const [l, s] of this.#acks) this.wire.post({ k: 'ack', to: this.id, l, s })
    this.#acks.clear()
  }

  #failed(r: number, ac: AbortController, error: unknown): void {
    if (this.#pending.get(r) !== ac) return
    this.#pending.delete(r)
    this.wire.post({ k: 'failed', to: this.id, r, e: toWire(error) })
  }

  /** Posts what may not clone (a reply, a message): one that cannot is reported to its tab instead. */
  #post(m: ToClient): void {
    try {
      this.wire.post(m)
    } catch (error) {
      if (m.k === 'reply') this.wire.post({ k: 'failed', to: this.id, r: m.r, e: toWire(error) })
      else this.wire.post({ k: 'event', t: 'error', e: eventToWire({ origin: '', url: '', error }) })
    }
  }
}

function snapshot(lease: Lease): WireLease {
  const state = lease.state
  return { id: lease.id, url: lease.url, protocol: lease.protocol, state: state === 'released' ? 'closed' : state }
}
