/**
 * One origin: its connections (slots), the idle ones, the waitlist, room under the caps, the
 * breaker and the warm set. Waiters are served in priority order, FIFO within a priority; a
 * waiter leaves the waitlist when a connection is opened for it, and gets its lease once that
 * connection is open.
 *
 * Invariant: an idle connection for a key (URL + protocols) exists only while no waiter for that
 * key is queued. A connection that comes free goes to the oldest waiter of its key first, even
 * behind a head that waits for another URL, so a new acquire never overtakes a queued one.
 */
import { describeFailure, failureError, type Failure } from '../core/failure.js'
import { PoolError } from '../core/errors.js'
import type { ResolvedOptions } from '../core/options.js'
import type { StatsRecord } from '../core/stats.js'
import type { PoolUrl } from '../core/url.js'
import type { TimerHandle } from '../runtime/clock.js'
import type { Admission, Tenant } from './admission.js'
import type { Holder, Limits } from './backend.js'
import { Breaker } from './breaker.js'
import type { ConnectionState } from './connection-port.js'
import type { EvictReason } from './events.js'
import { IdleSet } from './idle-set.js'
import { Slot, type SlotEnv, type SlotOwner } from './slot.js'
import type { Waiter, WaiterEnv, WaiterHost } from './waiter.js'
import { Waitlist } from './waitlist.js'
import { WarmSet, type WarmHost } from './warm-set.js'

type W = Waiter<Slot>

/** What an origin needs from its pool. */
export interface HostEnv extends SlotEnv, WaiterEnv {
  readonly admission: Admission
  readonly limits: Readonly<Limits>
  /** The pool is closed (`close()`), or draining. */
  readonly closing: boolean
  readonly draining: boolean
  nextId(): number
  /** The public lease for a slot. */
  lease(s: Slot): Holder
  /** The origin holds nothing any more (no connection, waiter or timer): the pool may forget it. */
  vacant(h: HostPool): void
}

const GAUGE: Partial<Record<ConnectionState, 'connecting' | 'open' | 'reconnecting'>> = { connecting: 'connecting', open: 'open', reconnecting: 'reconnecting' }
/** After one connection of an origin opens, the others waiting out a backoff retry within this many ms. */
const RECOVERY_WINDOW = 100

export class HostPool implements SlotOwner, WaiterHost, Tenant, WarmHost {
  readonly breaker: Breaker
  readonly #waiting = new Waitlist<W>()
  readonly #idle = new IdleSet<Slot>()
  readonly #slots = new Set<Slot>()
  readonly #warm: WarmSet
  closing = 0
  warming = 0
  #lastFailure: Failure | undefined
  #dispatching = false
  #sweep: TimerHandle | undefined

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
  get queued(): number { return this.#waiting.size }
  get idleCount(): number { return this.#idle.size }
  get minIdle(): number { return this.env.limits.minIdlePerHost }

  /** A lease on an idle connection for `key`, if one is free (the synchronous fast path). */
  take(key: string): Holder | undefined {
    const s = this.#takeIdle(key)
    return s && this.#lease(s, 0)
  }

  /** Serves `w`: an idle connection, a new one within the caps, or a place in the waitlist. */
  acquire(w: W): void {
    w.host = this
    this.stats.pending(1)
    const s = this.#takeIdle(w.key)
    if (s) return this.#grant(s, w)
    if (!this.breaker.allowsAcquire()) return this.#refuse(w, this.#circuitError(w))
    const waiting = this.#waiting
    if (waiting.size === 0 && this.hasRoom()) {
      w.arm(this.env)
      if (!w.settled) this.#connectFor(w)
      return
    }
    const { maxQueue } = this.options
    if (waiting.size >= maxQueue) {
      return this.#refuse(w, failureError('ERR_QUEUE_FULL', `Cannot queue another acquire for ${w.url.redacted}: ${waiting.size} already queued (maxQueue ${maxQueue})`, this.origin, w.url.redacted))
    }
    waiting.add(w)
    if (this.env.listens('enqueue')) this.env.emit('enqueue', { origin: this.origin, url: w.url.redacted, pending: waiting.size, priority: w.priority })
    w.arm(this.env)
    if (!w.settled) this.dispatch()
  }

  /** WaiterHost: the deadline passed. */
  expire(w: W): void {
    const wait = Math.round(this.timers.now() - w.start)
    const f = w.slot?.conn.lastFailure ?? this.#lastFailure
    const why = f ? `last connection attempt failed: ${describeFailure(f)}`
      : w.slot ? 'the connection is still opening'
      : `${this.queued} acquires queued, ${this.live} connections live (maxPerHost ${this.env.limits.maxPerHost})`
    this.stats.add('timeouts')
    this.env.emit('timeout', { origin: this.origin, url: w.url.redacted, wait })
    this.abandon(w, failureError('ERR_ACQUIRE_TIMEOUT', `Timed out after ${wait} ms (acquireTimeout ${w.timeout} ms) acquiring a connection to ${w.url.redacted}; ${why}`, this.origin, w.url.redacted, f))
  }

  /** WaiterHost: rejects `w` (timeout, abort, pool closed) and lets go of what was held for it. */
  abandon(w: W, reason: unknown): void {
    if (w.settled) return
    const s = w.slot
    const wasHead = this.#waiting.head() === w
    this.#settle(w)
    w.reject(reason)
    if (s && s.waiter === w) {
      // Its connection serves the next waiter of its key, or finishes opening and idles; one
      // waiting out a backoff delay for nobody stops.
      s.waiter = null
      const next = this.#waiting.first(s.key)
      if (next) this.#bind(s, next)
      else if (s.conn.waiting) s.conn.shutdown()
    }
    if (wasHead) this.dispatch() // the new head may fit at once
    this.env.settled()
    this.#vacate()
  }

  /** Serves queued waiters while room allows (no idle connection is ever free for a queued key). */
  dispatch(): void {
    if (this.#dispatching) return
    this.#dispatching = true
    try {
      for (let w = this.#waiting.head(); w && !this.env.closing; w = this.#waiting.head()) {
        if (!this.hasRoom()) {
          this.#makeRoom()
          break
        }
        this.#waiting.remove(w)
        this.#connectFor(w)
      }
    } finally {
      this.#dispatching = false
    }
  }

  /** Applies changed caps: evicts idle connections above them, serves the queue, tops up. */
  applyLimits(): void {
    const { maxPerHost, minIdlePerHost } = this.env.limits
    for (let v = this.#idle.oldest(); v && this.live - this.closing > maxPerHost; v = this.#idle.oldest()) this.evict(v, 'resize')
    if (this.#idle.size > minIdlePerHost) this.#armSweep()
    this.dispatch()
    this.#warm.topUp()
  }

  /** Connections waiting out a backoff try within `window` ms (the browser came back online). */
  retrySoon(window: number): void {
    for (const s of this.#slots) s.conn.retrySoon(window)
  }

  /** Idle connections, least recently used first. */
  idleSlots(): IterableIterator<Slot> {
    return this.#idle.values()
  }

  /** Pool close: rejects every waiter and closes every connection. */
  closeAll(): void {
    for (const w of this.#waiting.drain()) this.abandon(w, this.closedError())
    this.#warm.stop()
    this.breaker.stop()
    for (const s of [...this.#slots]) {
      if (s.waiter) this.abandon(s.waiter, this.closedError())
      s.conn.drop('closed')
      this.#unIdle(s)
      s.conn.shutdown()
    }
  }

  closedError(): PoolError {
    return new PoolError('ERR_POOL_CLOSED', `The pool is ${this.env.closing ? 'closed' : 'draining'}: no new connections to ${this.origin}`, { origin: this.origin })
  }

  // SlotOwner ---------------------------------------------------------------------------------

  warmNeeded(): boolean {
    return this.#warm.needed()
  }

  stateChanged(prev: ConnectionState, next: ConnectionState): void {
    const from = GAUGE[prev]
    const to = GAUGE[next]
    if (from) this.stats.add(from, -1)
    if (to) this.stats.add(to, 1)
    const closing = +(next === 'closing') - +(prev === 'closing')
    if (closing) {
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
    if (s.lease) {
      if (reopened) s.notify('open', { protocol: s.conn.protocol })
    } else {
      this.#unwarm(s)
      const w = s.waiter
      s.waiter = null
      if (w && !w.settled) this.#grant(s, w)
      else this.free(s)
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
    this.stats.add('connections', -1)
    this.stats.add('closed')
    this.env.admission.count(-1, 0)
    if (failure) this.#lastFailure = failure
    const { closing } = this.env
    const w = s.waiter
    s.waiter = null
    if (w && !w.settled) {
      const f = failure ?? s.conn.lastFailure
      this.abandon(w, closing ? this.closedError() : failureError('ERR_CONNECT_FAILED', `Could not connect to ${s.url.redacted}: ${f ? describeFailure(f) : 'connection closed'}`, this.origin, s.url.redacted, f))
    }
    s.ended(closing)
    if (!closing) {
      if (failure && (wasIdle || wasWarm)) this.#warm.failed(s.conn.openedAt)
      this.env.admission.freed(this)
      this.#warm.topUp()
    }
    this.env.settled()
    this.#vacate()
  }

  /** A connection came free (opened for nobody, or released): recycle it, hand it to a waiter of its key, or idle it. */
  free(s: Slot): void {
    const { maxUses, maxLifetime } = this.options
    if (this.env.closing) return s.conn.shutdown()
    if (s.uses >= maxUses) return this.evict(s, 'uses')
    if (maxLifetime !== Infinity && this.timers.now() - s.createdAt >= maxLifetime) return this.evict(s, 'lifetime')
    if (this.env.admission.over(this)) return this.evict(s, 'resize')
    const next = this.#waiting.size ? this.#waiting.first(s.key) : undefined
    if (next) return this.#grant(s, next) // hand-off: never idle
    this.#idle.add(s)
    s.idleTicks = 0
    this.env.admission.idle(s, true)
    this.stats.idle(1)
    if (this.#idle.size > this.minIdle) this.#armSweep()
    if (this.#waiting.size) this.dispatch()
    this.env.admission.idled()
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

  /** At a cap: close the least recently used idle connection (of another key: none is free for a queued one). */
  #makeRoom(): void {
    if (this.live < this.env.limits.maxPerHost) return this.env.admission.makeRoom(this)
    const victim = this.#idle.oldest()
    if (victim && this.closing < this.queued) this.evict(victim, 'capacity')
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

  /** `s` (opening) now opens for `w`, which leaves the waitlist. */
  #bind(s: Slot, w: W): void {
    this.#waiting.remove(w)
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
    const lease = (s.lease = this.env.lease(s))
    this.stats.active(1)
    this.stats.latency('acquireWait', wait)
    if (this.env.listens('acquire')) this.env.emit('acquire', { ...s.conn.ref, wait })
    this.#warm.used(s.url, s.key, s.conn.protocols)
    if (this.minIdle > 0) this.#warm.topUp()
    return lease
  }

  #refuse(w: W, error: PoolError): void {
    this.stats.add('rejected')
    this.#settle(w)
    w.reject(error)
    this.#vacate()
  }

  #circuitError(w: W): PoolError {
    const { state, failures, openedAt } = this.breaker
    const f = this.#lastFailure
    const { breaker } = this.options
    const left = Math.max(0, Math.round(openedAt + (breaker ? breaker.cooldown : 0) - this.timers.now()))
    return failureError('ERR_CIRCUIT_OPEN', `Circuit open for ${this.origin}: ${failures} consecutive connection attempts failed${f?.error ? ` (last: ${f.error.message})` : ''}; ${state === 'half-open' ? 'a trial connection is under way' : `next trial in ${left} ms`}`, this.origin, w.url.redacted, f)
  }

  #settle(w: W): void {
    w.settle(this.env)
    this.#waiting.remove(w)
    w.slot = null
    this.stats.pending(-1)
  }

  #takeIdle(key: string): Slot | undefined {
    const { maxLifetime } = this.options
    for (let s = this.#idle.take(key); s; s = this.#idle.take(key)) {
      this.env.admission.idle(s, false)
      this.stats.idle(-1)
      if (maxLifetime === Infinity || this.timers.now() - s.createdAt < maxLifetime) return s
      this.evict(s, 'lifetime')
    }
  }

  /**
   * Idle connections above `minIdlePerHost` close after `idleTimeout` ms, checked by one sweep per
   * origin every quarter of it (while there are such connections) rather than a timer or a clock
   * read per release: each sweep counts one tick on every idle connection (a release resets its
   * count), and one idle for five ticks has been idle for more than `idleTimeout` and at most a
   * quarter more. Idle order is age order, so the oldest come first.
   */
  #armSweep(): void {
    const { idleTimeout } = this.options
    if (this.#sweep !== undefined || idleTimeout === Infinity) return
    this.#sweep = this.timers.set(() => {
      this.#sweep = undefined
      for (const s of this.#idle.values()) s.idleTicks++
      for (let s = this.#idle.oldest(); s && s.idleTicks > 4 && this.#idle.size > this.minIdle; s = this.#idle.oldest()) this.evict(s, 'idle')
      if (this.#idle.size > this.minIdle) this.#armSweep()
    }, Math.max(1, idleTimeout / 4))
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
    if (!this.#slots.size && !this.queued && !this.#warm.waiting && this.breaker.state !== 'open') this.env.vacant(this)
  }
}
