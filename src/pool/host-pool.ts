/**
 * One origin: its connections (slots), the idle ones, the queue of acquires, eviction, the
 * breaker and the warm set. Waiters are served in priority order, FIFO within a priority. A
 * waiter leaves the queue when a connection is opened for it, and gets its lease once that
 * connection is open.
 *
 * Invariant: an idle connection for a key (URL + protocols) exists only while no waiter for that
 * key is queued: a connection that comes free goes to the oldest waiter of its key first (even
 * behind a head that waits for another URL), so no new acquire ever overtakes a queued one.
 */
import { PoolError } from '../core/errors.js'
import type { ResolvedOptions } from '../core/options.js'
import type { StatsRecord } from '../core/stats.js'
import type { PoolUrl } from '../core/url.js'
import { WaitQueue } from '../core/wait-queue.js'
import type { Admission, Tenant } from './admission.js'
import type { Holder, Limits } from './backend.js'
import { Breaker } from './breaker.js'
import { describeFailure, type Failure } from '../core/failure.js'
import type { ConnectionState } from './connection-port.js'
import type { EvictReason } from './events.js'
import { IdleSet } from './idle-set.js'
import { Slot, type SlotEnv, type SlotOwner } from './slot.js'
import type { Waiter, WaiterEnv, WaiterHost } from './waiter.js'
import { WarmSet, type WarmHost } from './warm-set.js'

type W = Waiter<Slot>

/** What an origin needs from its pool. */
export interface HostEnv extends SlotEnv, WaiterEnv {
  readonly admission: Admission
  readonly limits: Readonly<Limits>
  /** The pool is closed (`close()`), or draining. */
  readonly closing: boolean
  readonly draining: boolean
  /** Whether anyone listens to a pool event (hot paths skip building its payload). */
  listens(type: 'acquire' | 'release' | 'enqueue'): boolean
  nextId(): number
  /** The public lease for a slot. */
  lease(s: Slot): Holder
  /** A waiter or a lease ended (drain and close may complete). */
  settled(): void
  /** The origin holds nothing any more (no connection, waiter, timer): the pool may forget it. */
  vacant(h: HostPool): void
}

const GAUGE: Partial<Record<ConnectionState, 'connecting' | 'open' | 'reconnecting'>> = { connecting: 'connecting', open: 'open', reconnecting: 'reconnecting' }
/** After one connection of an origin opens, the others waiting out a backoff retry within this many ms. */
const RECOVERY_WINDOW = 100

export class HostPool implements SlotOwner, WaiterHost, Tenant, WarmHost {
  readonly breaker: Breaker
  readonly #queue = new WaitQueue<W>()
  /** The same waiters, per key. */
  readonly #keys = new Map<string, WaitQueue<W>>()
  readonly #idle = new IdleSet<Slot>()
  readonly #slots = new Set<Slot>()
  readonly #warm: WarmSet
  closing = 0
  warming = 0
  #lastFailure: Failure | undefined
  #dispatching = false

  constructor(readonly origin: string, readonly env: HostEnv, readonly stats: StatsRecord) {
    this.breaker = new Breaker(env.options.breaker, env.timers, (state) => {
      stats.setCircuit(state)
      this.#vacate()
    })
    this.#warm = new WarmSet(this)
  }

  get options(): ResolvedOptions { return this.env.options }
  get timers() { return this.env.timers }
  get live(): number { return this.#slots.size }
  get queued(): number { return this.#queue.size }
  get idleCount(): number { return this.#idle.size }
  get minIdle(): number { return this.env.limits.minIdlePerHost }

  /** A lease on an idle connection for `key`, if one is free (the synchronous fast path). */
  take(key: string): Holder | undefined {
    const s = this.#takeIdle(key)
    return s === undefined ? undefined : this.#lease(s, 0)
  }

  /** Serves `w`: an idle connection, a new one within the caps, or a place in the queue. */
  acquire(w: W): void {
    w.host = this
    this.stats.pending(1)
    const s = this.#takeIdle(w.key)
    if (s !== undefined) return this.#grant(s, w)
    if (!this.breaker.allowsAcquire()) return this.#refuse(w, this.#circuitError(w))
    if (this.#queue.size === 0 && this.hasRoom()) {
      w.arm(this.env)
      if (!w.settled) this.#connectFor(w)
      return
    }
    const { maxQueue } = this.options
    if (this.#queue.size >= maxQueue) {
      return this.#refuse(w, new PoolError('ERR_QUEUE_FULL', `Cannot queue another acquire for ${w.url.redacted}: ${this.#queue.size} already queued (maxQueue ${maxQueue})`, { origin: this.origin, url: w.url.redacted }))
    }
    w.node = this.#queue.push(w, w.priority)
    let kq = this.#keys.get(w.key)
    if (kq === undefined) this.#keys.set(w.key, (kq = new WaitQueue()))
    w.keyNode = kq.push(w, w.priority)
    if (this.env.listens('enqueue')) this.env.emit('enqueue', { origin: this.origin, url: w.url.redacted, pending: this.#queue.size, priority: w.priority })
    w.arm(this.env)
    if (!w.settled) this.dispatch()
  }

  /** WaiterHost: the deadline passed. */
  expire(w: W): void {
    if (w.settled) return
    const waited = Math.round(this.timers.now() - w.start)
    const f = w.slot?.conn.lastFailure ?? this.#lastFailure
    const why = f
      ? `; last connection attempt failed: ${describeFailure(f)}`
      : w.slot ? '; the connection is still opening' : `; ${this.#queue.size} acquires queued, ${this.live} connections live (maxPerHost ${this.env.limits.maxPerHost})`
    this.stats.add('timeouts')
    this.env.emit('timeout', { origin: this.origin, url: w.url.redacted, wait: waited })
    this.abandon(w, new PoolError('ERR_ACQUIRE_TIMEOUT', `Timed out after ${waited} ms (acquireTimeout ${w.timeout} ms) acquiring a connection to ${w.url.redacted}${why}`, {
      origin: this.origin, url: w.url.redacted, cause: f?.error, closeCode: f?.code, closeReason: f?.reason,
    }))
  }

  /** WaiterHost: rejects `w` (timeout, abort, pool closed) and lets go of what was held for it. */
  abandon(w: W, reason: unknown): void {
    if (w.settled) return
    const s = w.slot
    const wasHead = w.node !== null && this.#queue.peek() === w
    this.#settle(w)
    w.reject(reason)
    if (s !== null && s.waiter === w) {
      // Its connection serves the next waiter of the same key, or finishes opening and idles; one
      // waiting out a backoff delay for nobody stops.
      s.waiter = null
      const next = this.#keys.get(s.key)?.peek()
      if (next !== undefined) this.#bind(s, next)
      else if (s.conn.waiting) s.conn.shutdown()
    }
    if (wasHead) this.dispatch() // the new head may fit at once
    this.env.settled()
    this.#vacate()
  }

  /** Serves queued waiters while room allows (an idle connection is never free for a queued key). */
  dispatch(): void {
    if (this.#dispatching) return
    this.#dispatching = true
    try {
      while (this.#queue.size > 0 && !this.env.closing) {
        if (!this.hasRoom()) {
          this.#makeRoom()
          break
        }
        const w = this.#queue.peek()!
        this.#unqueue(w)
        this.#connectFor(w)
      }
    } finally {
      this.#dispatching = false
    }
  }

  /** Applies changed caps: evicts idle connections above them, serves the queue, tops up. */
  applyLimits(): void {
    const { maxPerHost, minIdlePerHost } = this.env.limits
    for (let v = this.#idle.oldest(); v !== undefined && this.live - this.closing > maxPerHost; v = this.#idle.oldest()) this.evict(v, 'resize')
    for (const s of this.#idle.values()) if (s.idleTimer === undefined && this.#idle.size > minIdlePerHost) this.#armIdle(s, this.options.idleTimeout)
    this.dispatch()
    this.#warm.topUp()
  }

  /** The browser came back online: connections waiting out a backoff try soon. */
  retrySoon(window: number): void {
    for (const s of this.#slots) s.conn.retrySoon(window)
  }

  /** Idle connections, least recently used first. */
  idleSlots(): IterableIterator<Slot> {
    return this.#idle.values()
  }

  /** Pool close: rejects every waiter and closes every connection. */
  closeAll(error: () => PoolError): void {
    for (const w of this.#queue.drain()) {
      w.node = null
      this.abandon(w, error())
    }
    this.#warm.stop()
    this.breaker.stop()
    for (const s of [...this.#slots]) {
      if (s.waiter) this.abandon(s.waiter, error())
      s.conn.drop('closed')
      this.#unIdle(s)
      s.conn.shutdown()
    }
  }

  // SlotOwner ---------------------------------------------------------------------------------

  warmNeeded(): boolean {
    return this.#warm.needed()
  }

  stateChanged(_s: Slot, prev: ConnectionState, next: ConnectionState): void {
    const from = GAUGE[prev]
    const to = GAUGE[next]
    if (from) this.stats.add(from, -1)
    if (to) this.stats.add(to, 1)
    const closing = (next === 'closing' ? 1 : 0) - (prev === 'closing' ? 1 : 0)
    if (closing !== 0) {
      this.closing += closing
      this.env.admission.count(0, closing)
    }
  }

  opened(s: Slot, reopened: boolean): void {
    const wasClosed = this.breaker.state === 'closed'
    this.breaker.success()
    // The origin accepts connections again: the others waiting out a backoff delay retry soon.
    for (const other of this.#slots) if (other !== s) other.conn.retrySoon(RECOVERY_WINDOW)
    if (reopened) this.stats.add('reconnects')
    if (s.lease !== null) {
      if (reopened) s.notify('open', { protocol: s.conn.protocol })
    } else {
      this.#unwarm(s)
      const w = s.waiter
      s.waiter = null
      if (w !== null && !w.settled) this.#grant(s, w)
      else this.#free(s, this.timers.now())
    }
    if (!wasClosed) this.#warm.topUp() // the circuit closed: top-ups resume
  }

  attemptFailed(s: Slot, failure: Failure): void {
    this.#lastFailure = failure
    this.breaker.failure(s, this.timers.now())
  }

  /** A dropped idle connection leaves the idle set at once (it must not be handed out). */
  dropped(s: Slot): void {
    if (this.#unIdle(s)) s.droppedIdle = true
  }

  closed(s: Slot, failure: Failure | undefined): void {
    const wasIdle = this.#unIdle(s) || s.droppedIdle
    const wasWarm = this.#unwarm(s)
    this.#slots.delete(s)
    this.breaker.forget(s)
    this.timers.cancel(s.idleTimer)
    this.stats.add('connections', -1)
    this.stats.add('closed')
    this.env.admission.count(-1, 0)
    if (failure) this.#lastFailure = failure
    const { closing } = this.env
    const w = s.waiter
    s.waiter = null
    if (w !== null && !w.settled) {
      const f = failure ?? s.conn.lastFailure
      this.abandon(w, closing ? this.closedError() : new PoolError('ERR_CONNECT_FAILED', `Could not connect to ${s.url.redacted}: ${f ? describeFailure(f) : 'connection closed'}`, {
        origin: this.origin, url: s.url.redacted, cause: f?.error, closeCode: f?.code, closeReason: f?.reason,
      }))
    }
    const lease = s.lease
    if (lease !== null) {
      s.lease = null
      this.stats.active(-1)
      s.conn.drop(closing ? 'closed' : 'gave-up')
      const info = failure ?? s.conn.lastClose
      s.closeHolder(lease, { code: info?.code ?? 1006, reason: info?.reason ?? '', wasClean: info?.wasClean ?? false })
    }
    if (!closing) {
      if (failure && (wasIdle || wasWarm)) this.#warm.failed(s.conn.openedAt)
      this.env.admission.freed(this)
      this.#warm.topUp()
    }
    this.env.settled()
    this.#vacate()
  }

  release(s: Slot): void {
    s.lease = null
    this.stats.active(-1)
    if (this.env.listens('release')) this.env.emit('release', s.conn.ref)
    const c = s.conn
    if (c.writable) this.#free(s, this.timers.now())
    else {
      // Not open (or closing under us): close it, reporting what it held for this holder.
      c.drop('released')
      c.shutdown()
    }
    this.env.settled()
  }

  destroy(s: Slot, code: number, reason: string): void {
    const lease = s.lease!
    s.conn.drop('destroyed')
    s.lease = null
    this.stats.active(-1)
    s.closeHolder(lease, { code, reason, wasClean: true })
    if (this.env.listens('release')) this.env.emit('release', s.conn.ref)
    s.conn.shutdown(code, reason)
    this.env.settled()
  }

  /** Closes a connection on purpose (an idle one, or one that came free). */
  evict(s: Slot, reason: EvictReason): void {
    this.#unIdle(s)
    this.env.emit('evict', { ...s.conn.ref, reason })
    s.conn.shutdown()
  }

  // WarmHost ----------------------------------------------------------------------------------

  warmable(): boolean {
    return this.breaker.state === 'closed' && !this.env.closing && !this.env.draining
  }

  hasRoom(): boolean {
    return this.env.admission.fits(this)
  }

  openWarm(url: PoolUrl, key: string, protocols: readonly string[]): void {
    const s = this.#create(url, key, protocols)
    s.warm = true
    this.warming++
    s.conn.start()
  }

  // internals ---------------------------------------------------------------------------------

  /** A connection came free (opened for nobody, or released): recycle it, hand it to a waiter of its key, or idle it. */
  #free(s: Slot, t: number): void {
    const { maxUses, maxLifetime } = this.options
    if (this.env.closing) return s.conn.shutdown()
    if (s.uses >= maxUses) return this.evict(s, 'uses')
    if (t - s.createdAt >= maxLifetime) return this.evict(s, 'lifetime')
    if (this.env.admission.over(this)) return this.evict(s, 'resize')
    const next = this.#keys.get(s.key)?.peek()
    if (next !== undefined) return this.#grant(s, next, t) // hand-off: never idle
    this.#idle.add(s)
    s.idleSince = t
    this.env.admission.idle(s, true)
    this.stats.idle(1)
    if (s.idleTimer === undefined) this.#armIdle(s, this.options.idleTimeout)
    this.dispatch()
    this.env.admission.idled()
  }

  /** At a cap: close the least recently used idle connection (of another key: none is free for a queued one). */
  #makeRoom(): void {
    if (this.live >= this.env.limits.maxPerHost) {
      if (this.closing >= this.#queue.size) return
      const victim = this.#idle.oldest()
      if (victim !== undefined) this.evict(victim, 'capacity')
    } else this.env.admission.makeRoom(this)
  }

  #connectFor(w: W): void {
    const s = this.#create(w.url, w.key, w.protocols)
    s.waiter = w
    w.slot = s
    s.conn.start()
  }

  #create(url: PoolUrl, key: string, protocols: readonly string[]): Slot {
    const s = new Slot(this, this.env, key, this.env.nextId(), url, protocols)
    this.#slots.add(s)
    this.stats.add('created')
    this.stats.add('connections')
    this.stats.add('connecting')
    this.env.admission.count(1, 0)
    return s
  }

  /** `s` (opening) now opens for `w`, which leaves the queue. */
  #bind(s: Slot, w: W): void {
    this.#unqueue(w)
    s.waiter = w
    w.slot = s
  }

  /** Leases `s` to `w`; `t` is a clock reading the caller may already have (a read costs ~100 ns). */
  #grant(s: Slot, w: W, t = this.timers.now()): void {
    this.#settle(w)
    w.resolve(this.#lease(s, t - w.start))
  }

  #lease(s: Slot, wait: number): Holder {
    s.uses++
    const lease = this.env.lease(s)
    s.lease = lease
    this.stats.active(1)
    this.stats.latency('acquireWait', wait)
    if (this.env.listens('acquire')) this.env.emit('acquire', { ...s.conn.ref, wait })
    this.#warm.used(s.url, s.key, s.conn.protocols)
    if (this.env.limits.minIdlePerHost > 0) this.#warm.topUp()
    return lease
  }

  #refuse(w: W, error: PoolError): void {
    this.stats.add('rejected')
    this.#settle(w)
    w.reject(error)
    this.#vacate()
  }

  #circuitError(w: W): PoolError {
    const b = this.breaker
    const f = this.#lastFailure
    const breaker = this.options.breaker
    const left = Math.max(0, Math.round(b.openedAt + (breaker ? breaker.cooldown : 0) - this.timers.now()))
    return new PoolError('ERR_CIRCUIT_OPEN', `Circuit open for ${this.origin}: ${b.failures} consecutive connection attempts failed${f?.error ? ` (last: ${f.error.message})` : ''}; ${b.state === 'half-open' ? 'a trial connection is under way' : `next trial in ${left} ms`}`, {
      origin: this.origin, url: w.url.redacted, cause: f?.error, closeCode: f?.code, closeReason: f?.reason,
    })
  }

  closedError(): PoolError {
    return new PoolError('ERR_POOL_CLOSED', `The pool is ${this.env.closing ? 'closed' : 'draining'}: no new connections to ${this.origin}`, { origin: this.origin })
  }

  /** Removes `w` from both queues. */
  #unqueue(w: W): void {
    if (w.node !== null) {
      this.#queue.remove(w.node)
      w.node = null
    }
    if (w.keyNode !== null) {
      const kq = this.#keys.get(w.key)!
      kq.remove(w.keyNode)
      w.keyNode = null
      if (kq.size === 0) this.#keys.delete(w.key)
    }
  }

  #settle(w: W): void {
    w.settle(this.env)
    this.#unqueue(w)
    w.slot = null
    this.stats.pending(-1)
  }

  #takeIdle(key: string): Slot | undefined {
    const { maxLifetime } = this.options
    for (let s = this.#idle.take(key); s !== undefined; s = this.#idle.take(key)) {
      this.env.admission.idle(s, false)
      this.stats.idle(-1)
      if (maxLifetime !== Infinity && this.timers.now() - s.createdAt >= maxLifetime) {
        this.evict(s, 'lifetime')
        continue
      }
      return s
    }
    return undefined
  }

  /**
   * Idle timers are lazy: reuse does not cancel them (an acquire/release cycle costs no timer
   * operation); when one fires it checks whether the connection has really been idle that long,
   * and re-arms for the remainder if it was reused meanwhile.
   */
  #armIdle(s: Slot, ms: number): void {
    s.idleTimer = this.timers.set(() => {
      s.idleTimer = undefined
      if (!this.#idle.has(s)) return // in use: its next release re-arms
      const left = this.options.idleTimeout - (this.timers.now() - s.idleSince)
      if (left > 0) this.#armIdle(s, left)
      else if (this.#idle.size > this.env.limits.minIdlePerHost) this.evict(s, 'idle')
    }, ms)
  }

  #unIdle(s: Slot): boolean {
    if (!this.#idle.delete(s)) return false
    this.env.admission.idle(s, false)
    this.stats.idle(-1)
    return true
  }

  #unwarm(s: Slot): boolean {
    if (!s.warm) return false
    s.warm = false
    this.warming--
    return true
  }

  /** Nothing left here (no connection, waiter or pending timer): tell the pool. */
  #vacate(): void {
    if (this.#slots.size === 0 && this.#queue.size === 0 && !this.#warm.waiting && this.breaker.state !== 'open') this.env.vacant(this)
  }
}
