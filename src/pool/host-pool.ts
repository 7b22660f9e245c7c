/**
 * One origin: its cap, idle connections, wait queue, eviction and warm top-up, and its stats.
 * Waiters are served in priority order, FIFO within a priority; a waiter leaves the queue when a
 * connection is opened for it, and is granted a lease once that connection is open.
 */
import { PoolError } from '../core/errors.js'
import type { StatsRecord } from '../core/stats.js'
import type { PoolUrl } from '../core/url.js'
import { WaitQueue } from '../core/wait-queue.js'
import { now } from '../runtime/clock.js'
import { Breaker } from './breaker.js'
import { Connection, describeFailure, type ConnectionOwner, type ConnectionState, type Failure } from './connection.js'
import type { EvictReason, PoolEvents } from './events.js'
import { IdleSet } from './idle-set.js'
import { Lease, type LeaseOwner } from './lease.js'
import { WarmSet, type WarmHost } from './warm-set.js'
import type { PoolContext, Waiter } from './pool-context.js'

const GAUGE: Partial<Record<ConnectionState, 'connecting' | 'open' | 'reconnecting'>> = {
  connecting: 'connecting', open: 'open', reconnecting: 'reconnecting',
}

export class HostPool implements ConnectionOwner, LeaseOwner, WarmHost {
  readonly stats: StatsRecord
  readonly #queue = new WaitQueue<Waiter>()
  readonly #idle = new IdleSet()
  readonly #conns = new Set<Connection>()
  #closing = 0
  #dispatching = false
  readonly #warm = new WarmSet(this)
  #lastFailure: Failure | undefined

  readonly breaker: Breaker

  constructor(readonly origin: string, readonly ctx: PoolContext) {
    this.stats = ctx.registry.host(origin)
    this.breaker = new Breaker(ctx.options.breaker, ctx.timers, (state) => this.stats.setCircuit(state))
  }

  get options() { return this.ctx.options }
  get timers() { return this.ctx.timers }
  get ctor() { return this.ctx.ctor }
  get live(): number { return this.#conns.size }
  get queued(): number { return this.#queue.size }
  get idleCount(): number { return this.#idle.size }

  emit<K extends keyof PoolEvents>(type: K, event: PoolEvents[K]): void {
    this.ctx.emitter.emit(type, event)
  }

  /** A lease on an idle connection for `key`, if there is one (the synchronous fast path). */
  acquireIdle(key: string): Lease | undefined {
    const c = this.#takeIdle(key)
    return c === undefined ? undefined : this.#lease(c, 0)
  }

  /** Serves `w` now from an idle connection, or opens one, or queues it. */
  acquire(w: Waiter): void {
    this.stats.pending(1)
    const c = this.#takeIdle(w.key)
    if (c) return this.#grant(c, w)
    if (!this.breaker.allowsAcquire()) return this.#rejectOpenCircuit(w)
    if (this.#queue.size === 0 && this.hasRoom()) {
      this.ctx.arm(w, this)
      return this.#connectFor(w)
    }
    if (this.#queue.size >= this.options.maxQueue) {
      this.#settle(w)
      this.stats.add('rejected')
      return w.reject(new PoolError('ERR_QUEUE_FULL', `Cannot queue another acquire for ${w.url.redacted}: ${this.#queue.size} already queued (maxQueue ${this.options.maxQueue})`, { origin: this.origin, url: w.url.redacted }))
    }
    this.ctx.arm(w, this)
    if (w.settled) return
    w.node = this.#queue.push(w, w.priority)
    if (this.ctx.emitter.has('enqueue')) this.emit('enqueue', { origin: this.origin, url: w.url.redacted, pending: this.#queue.size, priority: w.priority })
    this.dispatch()
  }

  #rejectOpenCircuit(w: Waiter): void {
    this.#settle(w)
    this.stats.add('rejected')
    const b = this.breaker
    const f = this.#lastFailure
    const cooldown = this.options.breaker ? this.options.breaker.cooldown : 0
    const left = Math.max(0, Math.round(b.openedAt + cooldown - now()))
    w.reject(new PoolError('ERR_CIRCUIT_OPEN', `Circuit open for ${this.origin}: ${b.failures} consecutive connection attempts failed${f?.error ? ` (last: ${f.error.message})` : ''}; ${b.state === 'half-open' ? 'a trial connection is under way' : `next trial in ${left} ms`}`, {
      origin: this.origin, url: w.url.redacted, cause: f?.error, closeCode: f?.code, closeReason: f?.reason,
    }))
  }

  /** Rejects `w` (timeout, abort, pool closed) and lets its connection go if nobody needs it. */
  abandon(w: Waiter, error: unknown): void {
    if (w.settled) return
    const c = w.conn
    const wasHead = w.node !== null && this.#queue.peek() === w
    this.#settle(w)
    w.reject(error)
    if (wasHead) this.dispatch() // the new head may be servable at once (an idle connection for it)
    if (c && c.waiter === w) {
      c.waiter = null
      if (c.waitingToRetry && !this.needsConnection(c)) c.shutdown()
    }
    this.ctx.checkDrained()
  }

  /** The failure to quote when an acquire times out. */
  lastFailureFor(w: Waiter): Failure | undefined {
    return w.conn?.lastFailure ?? this.#lastFailure
  }

  /** Serves queued waiters while connections or room allow. */
  dispatch(): void {
    if (this.#dispatching) return
    this.#dispatching = true
    try {
      while (this.#queue.size > 0 && !this.ctx.closing) {
        const w = this.#queue.peek()!
        const c = this.#takeIdle(w.key)
        if (c) {
          this.#grant(c, w)
          continue
        }
        if (!this.hasRoom()) {
          this.#makeRoom()
          break
        }
        this.#queue.remove(w.node!)
        w.node = null
        this.#connectFor(w)
      }
    } finally {
      this.#dispatching = false
    }
  }

  /** Applies changed caps: evicts idle connections above them, serves the queue, tops up. */
  applyLimits(): void {
    const { maxPerHost, minIdlePerHost } = this.ctx.limits
    while (this.#conns.size - this.#closing > maxPerHost) {
      const victim = this.#idle.oldest()
      if (!victim) break
      this.evict(victim, 'resize')
    }
    for (const c of this.#idle.values()) if (c.idleTimer === undefined && this.#idle.size > minIdlePerHost) this.#armIdle(c, this.options.idleTimeout)
    this.dispatch()
    this.#warm.topUp()
  }

  /** Closes an idle connection on purpose. */
  evict(c: Connection, reason: EvictReason): void {
    this.#unIdle(c)
    this.emit('evict', { ...c.ref, reason })
    c.shutdown()
  }

  /** Retries now every connection waiting out a backoff delay (the browser came back online). */
  retryNow(): void {
    for (const c of this.#conns) c.retryNow()
  }

  /** Idle connections, least recently used first. */
  idleConnections(): IterableIterator<Connection> {
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
    for (const c of [...this.#conns]) {
      if (c.waiter) this.abandon(c.waiter, error())
      c.dropBuffer('closed')
      this.#unIdle(c)
      c.shutdown(1000)
    }
  }

  // ConnectionOwner -------------------------------------------------------------------------

  needsConnection(c: Connection): boolean {
    if (this.ctx.closing) return false
    if (c.lease || (c.waiter && !c.waiter.settled)) return true
    const head = this.#queue.peek()
    if (head && head.key === c.key) {
      this.#queue.remove(head.node!)
      head.node = null
      head.conn = c
      c.waiter = head
      return true
    }
    return c.warm && this.#warm.needed()
  }

  mayAttempt(c: Connection): boolean {
    return this.breaker.mayAttempt(c)
  }

  onAttemptFailed(c: Connection): void {
    this.#lastFailure = c.lastFailure
    this.breaker.failure(c, now())
  }

  isAwaited(c: Connection): boolean {
    return c.lease !== null || (c.waiter !== null && !c.waiter.settled)
  }

  onStateChange(_c: Connection, prev: ConnectionState, next: ConnectionState): void {
    const from = GAUGE[prev]
    const to = GAUGE[next]
    if (from) this.stats.add(from, -1)
    if (to) this.stats.add(to, 1)
    if (next === 'closing') this.ctx.closingDelta(1)
    if (prev === 'closing') this.ctx.closingDelta(-1)
    this.#closing += (next === 'closing' ? 1 : 0) - (prev === 'closing' ? 1 : 0)
  }

  onOpen(c: Connection, reopened: boolean): void {
    this.breaker.success()
    // The origin accepts connections: whoever waits out a backoff delay need not wait longer.
    for (const other of this.#conns) if (other !== c && other.waitingToRetry) other.retryNow()
    if (reopened) this.stats.add('reconnects')
    if (c.lease) {
      if (reopened) c.lease._emit('open', { protocol: c.protocol })
      return
    }
    if (this.ctx.closing) return c.shutdown()
    const w = c.waiter
    c.waiter = null
    if (w && !w.settled) return this.#grant(c, w)
    c.warm = false
    this.#makeIdle(c)
    this.dispatch()
    this.ctx.serveBlocked()
  }

  /** A dropped idle connection leaves the idle set at once: it may be handed to a waiter next. */
  onDropped(c: Connection): void {
    if (this.#unIdle(c)) c.droppedIdle = true
  }

  onClosed(c: Connection, failure: Failure | undefined): void {
    const wasIdle = this.#unIdle(c) || c.droppedIdle
    this.#conns.delete(c)
    this.breaker.forget(c)
    this.stats.add('connections', -1)
    this.stats.add('closed')
    this.ctx.liveDelta(-1)
    if (failure) this.#lastFailure = failure
    const w = c.waiter
    c.waiter = null
    if (w && !w.settled) {
      const f = failure ?? c.lastFailure
      this.abandon(w, this.ctx.closing
        ? this.ctx.closedError(this.origin)
        : new PoolError('ERR_CONNECT_FAILED', `Could not connect to ${c.url.redacted}: ${f ? describeFailure(f) : 'connection closed'}`, {
          origin: this.origin, url: c.url.redacted, cause: f?.error, closeCode: f?.code, closeReason: f?.reason,
        }))
    }
    const lease = c.lease
    if (lease) {
      c.lease = null
      this.stats.active(-1)
      c.dropBuffer(this.ctx.closing ? 'closed' : 'gave-up')
      const info = failure ?? c.lastClose
      lease._closed({ code: info?.code ?? 1006, reason: info?.reason ?? '', wasClean: info?.wasClean ?? false })
    }
    if (failure && (wasIdle || c.warm) && !this.ctx.closing) this.#warm.failed(c)
    this.ctx.capacityFreed(this)
    this.#warm.topUp()
    this.ctx.checkDrained()
  }

  // LeaseOwner ------------------------------------------------------------------------------

  release(lease: Lease, c: Connection): void {
    if (c.lease !== lease) return
    c.lease = null
    const t = (c.lastUsed = now())
    this.stats.active(-1)
    if (this.ctx.emitter.has('release')) this.emit('release', c.ref)
    const { maxUses, maxLifetime } = this.options
    if (c.state !== 'open') {
      c.dropBuffer('released')
      c.shutdown()
    } else if (this.ctx.closing) c.shutdown()
    else if (c.uses >= maxUses) this.evict(c, 'uses')
    else if (c.lastUsed - c.createdAt >= maxLifetime) this.evict(c, 'lifetime')
    else if (this.#conns.size - this.#closing > this.ctx.limits.maxPerHost || this.ctx.overTotal()) this.evict(c, 'resize')
    else {
      const head = this.#queue.peek()
      if (head !== undefined && head.key === c.key) this.#grant(c, head, t) // hand-off: never idle
      else {
        this.#makeIdle(c, t)
        this.dispatch()
        this.ctx.serveBlocked()
      }
    }
    this.ctx.checkDrained()
  }

  destroy(lease: Lease, c: Connection, code: number, reason: string): void {
    if (c.lease !== lease) return
    c.dropBuffer('destroyed')
    c.lease = null
    this.stats.active(-1)
    lease._closed({ code, reason, wasClean: true })
    if (this.ctx.emitter.has('release')) this.emit('release', c.ref)
    c.shutdown(code, reason)
    this.ctx.checkDrained()
  }

  // internals -------------------------------------------------------------------------------

  /** Whether a new connection fits under `maxPerHost` and `maxTotal`. */
  hasRoom(): boolean {
    return this.#conns.size < this.ctx.limits.maxPerHost && this.ctx.hasGlobalRoom()
  }

  /** At a cap: close the least recently used idle connection (of another URL, since the head found none of its own). */
  #makeRoom(): void {
    if (this.#conns.size >= this.ctx.limits.maxPerHost) {
      if (this.#closing >= this.#queue.size) return
      const victim = this.#idle.oldest()
      if (victim) this.evict(victim, 'capacity')
    } else this.ctx.makeGlobalRoom(this)
  }

  /** WarmHost: opens a connection to keep warm. */
  openWarm(url: PoolUrl, key: string, protocols: readonly string[]): void {
    const c = this.#create(url, key, protocols)
    c.warm = true
    c.start()
  }

  /** WarmHost: every live connection of the origin. */
  connections(): Iterable<Connection> {
    return this.#conns
  }

  #connectFor(w: Waiter): void {
    const c = this.#create(w.url, w.key, w.protocols)
    c.waiter = w
    w.conn = c
    c.start()
  }

  #create(url: PoolUrl, key: string, protocols: readonly string[]): Connection {
    const c = new Connection(this.ctx.nextId(), url, key, protocols, this)
    this.#conns.add(c)
    this.stats.add('created')
    this.stats.add('connections')
    this.stats.add('connecting')
    this.ctx.liveDelta(1)
    return c
  }

  /** Leases `c` to `w`; `t` is a `now()` reading the caller may already have (a clock read costs ~100 ns). */
  #grant(c: Connection, w: Waiter, t = now()): void {
    this.#settle(w)
    w.resolve(this.#lease(c, t - w.start))
  }

  #lease(c: Connection, wait: number): Lease {
    c.uses++
    c.warm = false
    const lease = new Lease(c, this)
    c.lease = lease
    this.stats.active(1)
    this.stats.latency('acquireWait', wait)
    if (this.ctx.emitter.has('acquire')) this.emit('acquire', { ...c.ref, wait })
    this.#warm.used(c)
    if (this.ctx.limits.minIdlePerHost > 0) this.#warm.topUp()
    return lease
  }

  #settle(w: Waiter): void {
    w.settled = true
    this.ctx.disarm(w)
    if (w.node) {
      this.#queue.remove(w.node)
      w.node = null
    }
    this.stats.pending(-1)
  }

  #takeIdle(key: string): Connection | undefined {
    for (let c = this.#idle.take(key); c; c = this.#idle.take(key)) {
      this.#afterUnIdle(c)
      const { maxLifetime } = this.options
      if (maxLifetime !== Infinity && now() - c.createdAt >= maxLifetime) {
        this.emit('evict', { ...c.ref, reason: 'lifetime' })
        c.shutdown()
        continue
      }
      return c
    }
    return undefined
  }

  #makeIdle(c: Connection, t = now()): void {
    this.#idle.add(c)
    c.idleSince = t
    this.ctx.idleChanged(c, this, true)
    this.stats.idle(1)
    if (c.idleTimer === undefined) this.#armIdle(c, this.options.idleTimeout)
  }

  /**
   * Idle timers are lazy: reuse does not cancel them (an acquire/release cycle costs no timer
   * operation); when one fires it checks whether the connection has really been idle that long,
   * and re-arms for the remainder if it was reused meanwhile.
   */
  #armIdle(c: Connection, ms: number): void {
    c.idleTimer = this.timers.set(() => {
      c.idleTimer = undefined
      if (!this.#idle.has(c)) return // in use: its next release re-arms
      const left = this.options.idleTimeout - (now() - c.idleSince)
      if (left > 0) this.#armIdle(c, left)
      else if (this.#idle.size > this.ctx.limits.minIdlePerHost) this.evict(c, 'idle')
    }, ms)
  }

  #unIdle(c: Connection): boolean {
    if (!this.#idle.delete(c)) return false
    this.#afterUnIdle(c)
    return true
  }

  #afterUnIdle(c: Connection): void {
    this.ctx.idleChanged(c, this, false)
    this.stats.idle(-1)
  }
}
