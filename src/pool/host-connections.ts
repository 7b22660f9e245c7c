/**
 * The connections of one origin: their records (slots), the gauges and counters they move, the
 * idle ones (expiry and warm top-ups: {@link IdlePool}), recycling, eviction and the breaker.
 * Who gets a connection that opens or comes free is the waitlist's business: {@link HostPool}
 * builds on this and decides it (`claim`, `handOff`, `dispatch`, `abandon`).
 */
import type { PoolError } from '../core/errors.js'
import type { Failure } from '../core/failure.js'
import type { ResolvedOptions } from '../core/options.js'
import { connectFailed, poolClosed } from '../core/refusals.js'
import type { StatsRecord } from '../core/stats.js'
import type { PoolUrl } from '../core/url.js'
import type { Admission, Tenant } from './admission.js'
import type { Holder, Limits } from './backend.js'
import { Breaker, type CircuitState } from './breaker.js'
import type { ConnectionState } from './connection-port.js'
import type { ConnectionRef, EvictReason } from './events.js'
import { IdlePool, type IdleHost } from './idle-pool.js'
import { Slot, type SlotEnv, type SlotOwner } from './slot.js'
import { Request, type Requests } from './request.js'
import type { Waiter, WaiterEnv } from './waiter.js'

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
  vacant(origin: string): void
  /** Pending requests by id (replies are matched here). */
  readonly requests: Requests<Slot>
  /** Routing across replica lists. */
  readonly replicas: {
    /** A list waiter whose attempt failed moves on to the next replica. */
    reroute(w: Waiter<Slot>): void
    /** `s`, held from a list, moves from this origin to another replica with room. */
    relocate(s: Slot, from: HostConnections): void
  }
}

const GAUGE: Partial<Record<ConnectionState, 'connecting' | 'open' | 'reconnecting'>> = { connecting: 'connecting', open: 'open', reconnecting: 'reconnecting' }
/** After one connection of an origin opens, the others waiting out a backoff retry within this many ms. */
const RECOVERY_WINDOW = 100

export abstract class HostConnections implements SlotOwner, Tenant, IdleHost {
  readonly breaker: Breaker
  protected readonly idle = new IdlePool(this)
  protected readonly slots = new Set<Slot>()
  /** Connections in shared mode (shared holders or requests), per key: least-loaded picks look here. */
  protected readonly sharing = new Map<string, Set<Slot>>()
  /** Connections closing (they count toward the caps until closed). */
  closing = 0
  /** The last failed attempt, quoted by errors. */
  protected lastFailure: Failure | undefined
  /** The connection whose failed attempt is being counted (it may be what opens the circuit). */
  protected failing: Slot | null = null

  constructor(readonly origin: string, readonly env: HostEnv, readonly stats: StatsRecord) {
    let was: CircuitState = 'closed'
    this.breaker = new Breaker(env.options.breaker, env.timers, (state) => {
      const trialFailed = was === 'half-open' && state === 'open'
      was = state
      stats.setCircuit(state)
      if (env.listens('circuit')) env.emit('circuit', { origin, state, failures: this.breaker.failures })
      if (state === 'open') this.circuitOpened(trialFailed)
      this.vacate()
    })
  }

  get options(): ResolvedOptions { return this.env.options }
  get timers() { return this.env.timers }
  get admission() { return this.env.admission }
  get live(): number { return this.slots.size }
  get minIdle(): number { return this.env.limits.minIdlePerHost }
  abstract get queued(): number

  /** Serves queued acquires while room allows. */
  abstract dispatch(): void
  /** Rejects `w` with `reason` and lets go of what was held for it. */
  abstract abandon(w: Waiter<Slot>, reason: unknown): void
  /** `s` opened: lease it to the waiter it was opened for, if that one still waits. */
  protected abstract claim(s: Slot): boolean
  /** `s` came free: lease it to the first waiter of its key, if one is queued. */
  protected abstract handOff(s: Slot): boolean
  /** `s` (shared) has capacity: queued shared waiters of its key get it. */
  abstract offer(s: Slot): void
  /** The circuit opened: what still waits for a connection to this origin fails fast. */
  /** The circuit opened; `trialFailed`: a half-open trial failed (its acquire rejects with ERR_CIRCUIT_OPEN). */
  protected abstract circuitOpened(trialFailed: boolean): void
  abstract inbound(s: Slot, data: unknown): void
  abstract unloaded(s: Slot): void
  abstract lose(r: Request<Slot>, poolClosed: boolean, gaveUp?: boolean): void
  /** `w` waited for a connection that was closed on purpose: it waits again, as a new acquire would. */
  protected abstract placeAgain(w: Waiter<Slot>): void

  /** Applies changed caps: evicts idle connections above them, serves the queue, tops up. */
  applyLimits(): void {
    for (let v = this.idle.oldest(); v && this.live - this.closing > this.env.limits.maxPerHost; v = this.idle.oldest()) this.evict(v, 'resize')
    this.idle.sweepSoon()
    this.dispatch()
    this.idle.topUp()
  }

  /** Connections waiting out a backoff try within `window` ms (the browser came back online). */
  /** The page goes into the back/forward cache: open sockets close cleanly until it comes back. */
  suspend(): void {
    for (const s of this.slots) s.conn.suspend()
  }

  /** The page became visible: silent open connections are probed at once. */
  wake(): void {
    for (const s of this.slots) s.conn.wake()
  }

  retrySoon(window: number): void {
    for (const s of this.slots) s.conn.retrySoon(window)
  }

  /** Idle connections, least recently used first. */
  idleSlots(): IterableIterator<Slot> {
    return this.idle.values()
  }

  /** Pool close: closes every connection (the waiters it was opening for are rejected). */
  closeAll(): void {
    this.idle.stop()
    this.breaker.stop()
    for (const s of [...this.slots]) {
      for (const w of this.waitersOf(s)) this.abandon(w, this.closedError())
      s.conn.drop('closed')
      this.idle.remove(s)
      s.conn.shutdown()
    }
  }

  closedError(): PoolError {
    return poolClosed(this.origin, this.env.closing)
  }

  // SlotOwner ---------------------------------------------------------------------------------

  warmNeeded(): boolean {
    return this.idle.needed()
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
    for (const other of this.slots) if (other !== s) other.conn.retrySoon(RECOVERY_WINDOW)
    if (reopened) this.stats.add('reconnects')
    if (s.lease) {
      if (reopened) s.notify('open', { protocol: s.conn.protocol })
    } else {
      this.#unwarm(s)
      if (!this.claim(s) && !s.load) this.free(s)
      else if (s.load) {
        // Shared (its buffered requests went out with the connection's flush): holders hear of a
        // reopen, queued shared waiters join.
        if (reopened) s.notify('open', { protocol: s.conn.protocol })
        this.offer(s)
      }
    }
    if (!wasClosed) this.idle.topUp() // the circuit closed: top-ups resume
  }

  attemptFailed(s: Slot, failure: Failure): void {
    this.lastFailure = failure
    this.failing = s
    this.breaker.failure(s, this.timers.now())
    this.failing = null
    // Waiters from a list move on to the next replica at once (failover); the connection, wanted
    // by nobody then, stops.
    for (const w of this.waitersOf(s)) if (w.replicas && !w.settled) this.moveOn(w)
    if (s.requests) for (const r of [...s.requests]) if (r.replicas && !r.sent) this.moveOn(r)
  }

  relocate(s: Slot): void {
    this.env.replicas.relocate(s, this)
  }

  /** `s` leaves for another replica: this origin stops counting it (it is not closed). */
  disown(s: Slot): boolean {
    const sharing = s.sharing
    this.unshare(s)
    this.slots.delete(s)
    this.breaker.forget(s)
    this.stateChanged(s.conn.state, 'closed')
    this.stats.add('connections', -1)
    if (s.lease) this.stats.active(-1)
    this.env.admission.count(-1, 0)
    this.vacate()
    return sharing
  }

  /** `s` arrives from another replica (see `disown`). */
  adopt(s: Slot, sharing: boolean): void {
    s.owner = this
    s.stats = this.stats
    this.slots.add(s)
    this.stateChanged('closed', s.conn.state)
    this.stats.add('connections')
    if (s.lease) this.stats.active(1)
    if (sharing) this.share(s)
    this.env.admission.count(1, 0)
  }

  /** A dropped idle connection leaves the idle set at once (it must not be handed out). */
  dropped(s: Slot): void {
    if (this.idle.remove(s)) s.droppedIdle = true
  }

  closed(s: Slot, failure: Failure | undefined): void {
    const wasIdle = this.idle.remove(s) || s.droppedIdle
    const wasWarm = this.#unwarm(s)
    this.slots.delete(s)
    this.breaker.forget(s)
    this.stats.add('connections', -1)
    this.stats.add('closed')
    this.env.admission.count(-1, 0)
    if (failure) this.lastFailure = failure
    const { closing } = this.env
    const waiters = this.waitersOf(s)
    s.waiter = s.joiners = null
    // Closed on purpose (no failure: destroyed, released or evicted by someone else) is no failure
    // of its waiters': they are placed again below, once the books are straight.
    const again = !closing && !failure
    if (!again) for (const w of waiters) this.abandon(w, closing ? this.closedError() : connectFailed(this.origin, s.url.redacted, failure))
    s.ended(closing)
    this.unshare(s)
    if (!closing) {
      const warmFailed = !!failure && (wasIdle || wasWarm)
      if (warmFailed) this.idle.failed(s.conn.openedAt)
      this.env.admission.freed(this)
      if (!warmFailed) this.idle.topUp()
    }
    if (again) for (const w of waiters) this.placeAgain(w)
    this.env.settled()
    this.vacate()
  }

  /** A connection came free (opened for nobody, or released): recycle it, hand it to a waiter of its key, or idle it. */
  free(s: Slot): void {
    const { maxUses, maxLifetime } = this.options
    if (this.env.closing) return s.conn.shutdown()
    if (s.uses >= maxUses) return this.evict(s, 'uses')
    if (maxLifetime !== Infinity && this.timers.now() - s.createdAt >= maxLifetime) return this.evict(s, 'lifetime')
    if (this.env.admission.over(this)) return this.evict(s, 'resize')
    if (this.queued && this.handOff(s)) return // hand-off: never idle
    this.idle.add(s)
    if (this.queued) this.dispatch()
    this.env.admission.idled()
  }

  /** Closes a connection on purpose (an idle one, or one that came free). */
  evict(s: Slot, reason: EvictReason): void {
    this.idle.remove(s)
    this.env.emit('evict', { ...s.conn.ref, reason })
    s.conn.shutdown()
  }

  // IdleHost ----------------------------------------------------------------------------------

  warmable(): boolean {
    return this.breaker.state === 'closed' && !this.env.closing && !this.env.draining
  }

  hasRoom(): boolean {
    return this.env.admission.fits(this)
  }

  openWarm(url: PoolUrl, key: string, protocols: readonly string[]): void {
    const s = this.create(url, key, protocols)
    s.warm = true
    this.idle.warming++
    s.conn.start()
  }

  // for HostPool ------------------------------------------------------------------------------

  /** A waiter from a list leaves its connection (or the queue) for the next replica. */
  protected moveOn(w: Waiter<Slot>): void {
    this.unbind(w)
    this.env.replicas.reroute(w)
  }

  /** `w` stops waiting for (or riding) its connection; a connection left with nobody is no longer shared. */
  protected unbind(w: Waiter<Slot>): void {
    const s = w.slot
    if (!s) return
    if (s.waiter === w) s.waiter = null
    else if (s.joiners?.includes(w)) s.joiners.splice(s.joiners.indexOf(w), 1)
    else if (w instanceof Request) s.detach(w)
    w.slot = null
    if (!s.load) this.unshare(s)
  }

  /** The acquires waiting for `s` to open: the one it was opened for, and shared ones that joined. */
  protected waitersOf(s: Slot): Waiter<Slot>[] {
    const all = s.joiners ? [...s.joiners] : []
    if (s.waiter) all.unshift(s.waiter)
    return all
  }

  /** `s` carries shared holders or requests from now on: never an exclusive lease until it is free again. */
  protected share(s: Slot): void {
    if (s.sharing) return
    s.sharing = true
    this.stats.shared(1)
    let set = this.sharing.get(s.key)
    if (!set) this.sharing.set(s.key, (set = new Set()))
    set.add(s)
  }

  protected unshare(s: Slot): void {
    if (!s.sharing) return
    s.sharing = false
    this.stats.shared(-1)
    const set = this.sharing.get(s.key)!
    set.delete(s)
    if (!set.size) this.sharing.delete(s.key)
  }

  /** A new connection (counted toward the caps from now on); the caller starts it. */
  protected create(url: PoolUrl, key: string, protocols: readonly string[]): Slot {
    const s = new Slot(this, this.env, key, this.env.nextId(), url, protocols)
    this.slots.add(s)
    this.stats.add('created')
    this.stats.add('connections')
    this.stats.add('connecting')
    this.env.admission.count(1, 0)
    return s
  }

  /** Nothing left here (no connection, waiter or pending timer): tell the pool. */
  protected vacate(): void {
    if (!this.slots.size && !this.queued && !this.idle.waiting && this.breaker.state !== 'open') this.env.vacant(this.origin)
  }

  #unwarm(s: Slot): boolean {
    if (!s.warm) return false
    s.warm = false
    this.idle.warming--
    return true
  }
}
