/**
 * One origin's waitlist, on top of its connections ({@link HostConnections}): acquires are served
 * in priority order, FIFO within a priority; a waiter leaves the waitlist when a connection is
 * opened for it, and gets its lease once that connection is open. Shared demand (shared leases,
 * requests) rides connections as {@link HostPool} decides (`acquireShared`, `join`, `offer`).
 *
 * Invariant: an idle connection for a key (URL + protocols) exists only while no waiter for that
 * key is queued. A connection that comes free goes to the oldest waiter of its key first, even
 * behind a head that waits for another URL, so a new acquire never overtakes a queued one.
 */
import type { PoolError } from '../core/errors.js'
import { acquireTimedOut, circuitOpen, connectFailed, queueFull, requestTimedOut } from '../core/refusals.js'
import type { Holder, Replica } from './backend.js'
import { HostConnections } from './host-connections.js'
import { Request } from './request.js'
import type { Slot } from './slot.js'
import type { Waiter, WaiterHost } from './waiter.js'
import { Waitlist } from './waitlist.js'

export type W = Waiter<Slot>

export abstract class HostWaiters extends HostConnections implements WaiterHost {
  protected readonly waiting = new Waitlist<W>()
  #dispatching = false

  get queued(): number {
    return this.waiting.size
  }

  /** A shared acquire or a request: where it rides is {@link HostPool}'s decision. */
  protected abstract acquireShared(w: W, again?: boolean): void
  /** `w` (shared) rides `s`. */
  protected abstract join(s: Slot, w: W): void

  /** A lease on an idle connection for `key`, if one is free (the synchronous fast path); `replicas` when acquired from a list. */
  take(key: string, replicas: readonly Replica[] | null): Holder | undefined {
    const s = this.idle.take(key)
    if (!s) return undefined
    s.replicas = replicas
    return this.#lease(s, 0)
  }

  /**
   * Serves `w`, for whose key `take` found no idle connection: a new connection within the caps,
   * or a place in the waitlist. `again`: it was served before (see `placeAgain`).
   */
  acquire(w: W, again = false): void {
    w.host = this
    if (!again) this.stats.pending(1)
    if (w.shared) return this.acquireShared(w, again)
    if (!this.breaker.allowsAcquire()) return this.refuse(w, this.circuitError(w))
    const waiting = this.waiting
    if ((waiting.size > 0 || !this.hasRoom()) && this.full(w, again)) return
    w.arm(this.env)
    if (w.signal) {
      // The signal's addEventListener is user code: decide only after it (it may close the pool,
      // free a connection, take the room, or throw).
      if (w.settled) return
      if (this.env.closing) return this.abandon(w, this.closedError())
      const s = this.idle.take(w.key)
      if (s) return this.#grant(s, w)
      if ((waiting.size > 0 || !this.hasRoom()) && this.full(w, again)) return
    }
    if (waiting.size === 0 && this.hasRoom()) return this.connectFor(w)
    this.enqueue(w)
  }

  /**
   * `w` waited for a connection that someone else closed on purpose (another holder destroyed or
   * released it, or it was evicted), which is no failure of its own: it is served again as a new
   * acquire is (a connection to join, a new one within the caps, or the waitlist), keeping its
   * deadline, signal and count in `pending`. A full queue never refuses it: it was admitted
   * already. Only shared acquires wait for a connection someone else holds, and their path
   * checks `settled` and `closing` again.
   */
  protected placeAgain(w: W): void {
    w.slot = null
    this.acquire(w, true)
  }

  /** WaiterHost: the deadline passed. */
  expire(w: W): void {
    const wait = Math.round(this.timers.now() - w.start)
    const url = w.url.redacted
    this.stats.add('timeouts')
    if (w instanceof Request) return this.abandon(w, requestTimedOut(this.origin, url, w.id, wait, w.timeout, w.sent))
    this.env.emit('timeout', { origin: this.origin, url, wait })
    const f = w.slot?.conn.lastFailure ?? this.lastFailure
    this.abandon(w, acquireTimedOut(this.origin, url, wait, w.timeout, f, !!w.slot, this.queued, this.live, this.env.limits.maxPerHost))
  }

  /** WaiterHost: rejects `w` (timeout, abort, pool closed) and lets go of what was held for it. */
  abandon(w: W, reason: unknown): void {
    if (w.settled) return
    const s = w.slot
    const wasHead = this.waiting.head() === w
    const riding = s && w instanceof Request
    if (riding) s.detach(w)
    this.settle(w)
    w.reject(reason)
    if (riding) this.unloaded(s)
    else if (s && s.joiners?.includes(w)) {
      s.joiners.splice(s.joiners.indexOf(w), 1)
      if (!s.load && !s.waiter && s.conn.waiting) s.conn.shutdown()
    } else if (s && s.waiter === w) {
      // Its connection serves the next waiter of its key (only a shared one when shared acquires
      // joined it: they never mix with an exclusive lease), or those that joined, or finishes
      // opening and idles; one waiting out a backoff delay for nobody stops.
      s.waiter = null
      const next = this.waiting.first(s.key)
      if (next && (next.shared || !s.load)) this.#bind(s, next)
      else if (!s.load && s.conn.waiting) s.conn.shutdown()
    }
    if (wasHead) this.dispatch() // the new head may fit at once
    this.env.settled()
    this.vacate()
  }

  /** Serves queued waiters while room allows (no idle connection is ever free for a queued key). */
  dispatch(): void {
    if (this.#dispatching) return
    this.#dispatching = true
    try {
      for (let w = this.waiting.head(); w && !this.env.closing; w = this.waiting.head()) {
        if (!this.hasRoom()) {
          this.#makeRoom()
          break
        }
        this.waiting.remove(w)
        this.connectFor(w)
      }
    } finally {
      this.#dispatching = false
    }
  }

  /** A list waiter went round every replica and the reconnect policy allows no more rounds. */
  giveUp(w: W): void {
    const f = this.lastFailure
    this.abandon(w, connectFailed(this.origin, w.url.redacted, f))
  }

  /** Pool close: rejects every waiter and closes every connection. */
  override closeAll(): void {
    for (const w of this.waiting.drain()) this.abandon(w, this.closedError())
    super.closeAll()
  }

  /** `s` opened: the acquire it was opened for, and the shared ones that joined, get it. */
  protected claim(s: Slot): boolean {
    const waiters = this.waitersOf(s).filter((w) => !w.settled)
    s.waiter = s.joiners = null
    for (const w of waiters) {
      if (w.shared) this.join(s, w)
      else this.#grant(s, w)
    }
    return waiters.length > 0
  }

  protected circuitOpened(trialFailed: boolean): void {
    // Acquires and requests still waiting for a connection to this origin reject with it (the
    // last failure as cause), or, from a list, move on to the next replica: queued ones, and
    // those waiting for (or riding) a connection that is not open.
    for (const w of this.waiting.drain()) this.#circuitFail(w, false)
    const policy = this.options.reconnect
    for (const s of [...this.slots]) {
      if (s.conn.writable || s.lease || s.holders?.size) continue
      // The attempt that opened the circuit, when its connection gives up anyway: its acquire
      // ends as the policy says (ERR_CONNECT_FAILED); a failed half-open trial's rejects with
      // ERR_CIRCUIT_OPEN (the failure as cause) whatever the policy.
      if (!trialFailed && s === this.failing && (!policy || s.conn.attempt >= policy.maxAttempts)) continue
      for (const w of this.waitersOf(s)) this.#circuitFail(w, true)
      if (s.requests) for (const r of [...s.requests]) if (!r.sent) this.#circuitFail(r, true)
    }
  }

  #circuitFail(w: W, bound: boolean): void {
    if (w.settled) return
    if (w.replicas) return this.moveOn(w)
    this.stats.add('rejected')
    if (bound) this.abandon(w, this.circuitError(w))
    else this.refuse(w, this.circuitError(w), false)
  }

  protected handOff(s: Slot): boolean {
    const w = this.waiting.first(s.key)
    if (!w) return false
    if (!w.shared) this.#grant(s, w)
    else {
      this.join(s, w)
      this.offer(s)
    }
    return true
  }

  protected enqueue(w: W): void {
    const waiting = this.waiting
    waiting.add(w)
    if (this.env.listens('enqueue')) this.env.emit('enqueue', { origin: this.origin, url: w.url.redacted, pending: waiting.size, priority: w.priority })
    // Something to do only with room, or an idle connection (of another key) to close for it.
    if (this.live < this.env.limits.maxPerHost || this.idle.size > 0) this.dispatch()
  }

  /** At a cap: close the least recently used idle connection (of another key: none is free for a queued one). */
  #makeRoom(): void {
    if (this.live < this.env.limits.maxPerHost) return this.env.admission.makeRoom(this)
    const victim = this.idle.oldest()
    if (victim && this.closing < this.queued) this.evict(victim, 'capacity')
  }

  protected connectFor(w: W): void {
    const s = this.create(w.url, w.key, w.protocols)
    if (w instanceof Request) {
      this.join(s, w)
      // Larger than an empty buffer allows, it was rejected (ERR_BUFFER_FULL): nothing to start.
      if (w.settled) return s.conn.shutdown()
    } else {
      s.waiter = w
      w.slot = s
    }
    s.conn.start()
  }

  /** `s` (opening) now opens for `w`, which leaves the waitlist. */
  #bind(s: Slot, w: W): void {
    this.waiting.remove(w)
    s.waiter = w
    w.slot = s
  }

  #grant(s: Slot, w: W): void {
    s.replicas = w.replicas
    this.settle(w)
    // Settling ran the signal's removeEventListener (user code): it may have closed the pool, and `s` with it.
    if (this.env.closing) return w.reject(this.closedError())
    w.resolve(this.#lease(s, this.timers.now() - w.start))
  }

  #lease(s: Slot, wait: number): Holder {
    const lease = (s.lease = this.env.lease(s))
    this.stats.active(1)
    this.granted(s, wait)
    return lease
  }

  /** A lease (exclusive or shared) on `s` was handed out after `wait` ms. */
  protected granted(s: Slot, wait: number): void {
    s.uses++
    this.stats.latency('acquireWait', wait)
    if (this.env.listens('acquire')) this.env.emit('acquire', { ...s.conn.ref, wait })
    this.idle.used(s)
    if (this.minIdle > 0) this.idle.topUp()
  }

  /** `maxQueue` acquires already wait: refuses `w` (and says so), unless it is placed `again`. */
  protected full(w: W, again?: boolean): boolean {
    const { maxQueue } = this.options
    if (again || this.waiting.size < maxQueue) return false
    this.refuse(w, queueFull(this.origin, w.url.redacted, maxQueue))
    return true
  }

  protected refuse(w: W, error: PoolError, count = true): void {
    if (count) this.stats.add('rejected')
    this.settle(w)
    w.reject(error)
    this.vacate()
  }

  protected circuitError(w: W): PoolError {
    const { state, failures, openedAt } = this.breaker
    const { breaker } = this.options
    const left = Math.max(0, Math.round(openedAt + (breaker ? breaker.cooldown : 0) - this.timers.now()))
    return circuitOpen(this.origin, w.url.redacted, failures, state === 'half-open', left, this.lastFailure)
  }

  protected settle(w: W): void {
    w.settle(this.env)
    this.waiting.remove(w)
    w.slot = null
    this.stats.pending(-1)
    if (w instanceof Request) this.env.requests.delete(w.id)
  }
}
