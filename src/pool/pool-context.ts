/**
 * What every origin shares: the caps, the global count of live connections and the global LRU of
 * idle ones, waiter deadlines and abort signals, the timers and the close/drain bookkeeping.
 */
import { PoolError } from '../core/errors.js'
import type { ResolvedOptions } from '../core/options.js'
import type { WebSocketConstructor } from '../core/socket.js'
import { StatsRegistry } from '../core/stats.js'
import type { PoolUrl } from '../core/url.js'
import type { WaitNode } from '../core/wait-queue.js'
import { now, Timers } from '../runtime/clock.js'
import { onOnline } from '../runtime/environment.js'
import { resolveWebSocket } from '../runtime/transport.js'
import { describeFailure, type Connection } from './connection.js'
import { Emitter, type PoolEvents } from './events.js'
import { Deadlines, type DeadlineNode } from './deadlines.js'
import { HostPool } from './host-pool.js'
import type { Lease } from './lease.js'

/** One pending acquire. */
export interface Waiter {
  readonly url: PoolUrl
  readonly key: string
  readonly protocols: readonly string[]
  readonly priority: number
  readonly start: number
  readonly timeout: number
  readonly signal: AbortSignal | undefined
  resolve(lease: Lease): void
  reject(error: unknown): void
  node: WaitNode<Waiter> | null
  conn: Connection | null
  settled: boolean
  deadline: DeadlineNode | null
  onAbort: (() => void) | undefined
}

/** The caps that `resize` may change. */
export interface Limits {
  maxPerHost: number
  maxTotal: number
  minIdlePerHost: number
}

export class PoolContext {
  readonly timers = new Timers()
  readonly deadlines = new Deadlines(this.timers)
  readonly emitter = new Emitter<PoolEvents>()
  readonly registry = new StatsRegistry()
  readonly ctor: WebSocketConstructor
  readonly limits: Limits
  readonly hosts = new Map<string, HostPool>()
  closing = false
  draining = false
  onDrained: (() => void) | undefined
  onEmpty: (() => void) | undefined
  #live = 0
  #closingCount = 0
  #nextId = 0
  /** Idle connections of every origin, least recently used first. */
  #idle = new Map<Connection, HostPool>()
  /** Origins waiting for room under `maxTotal`. */
  #blocked = new Set<HostPool>()
  #detachOnline: (() => void) | undefined

  constructor(readonly options: ResolvedOptions) {
    this.ctor = resolveWebSocket(options.WebSocket)
    this.limits = { maxPerHost: options.maxPerHost, maxTotal: options.maxTotal, minIdlePerHost: options.minIdlePerHost }
  }

  host(origin: string): HostPool {
    let h = this.hosts.get(origin)
    if (!h) {
      h = new HostPool(origin, this)
      this.hosts.set(origin, h)
    }
    return h
  }

  nextId(): number {
    this.#detachOnline ??= onOnline(() => {
      for (const h of this.hosts.values()) h.retryNow()
    })
    return ++this.#nextId
  }

  /** Starts the waiter's deadline and abort listener. */
  arm(w: Waiter, host: HostPool): void {
    if (w.timeout !== Infinity) w.deadline = this.deadlines.add(w.timeout, w.start, () => this.#timedOut(w, host))
    if (w.signal) {
      const signal = w.signal
      w.onAbort = () => host.abandon(w, signal.reason)
      signal.addEventListener('abort', w.onAbort, { once: true })
    }
  }

  disarm(w: Waiter): void {
    if (w.deadline !== null) {
      this.deadlines.remove(w.deadline)
      w.deadline = null
    }
    if (w.onAbort) {
      w.signal!.removeEventListener('abort', w.onAbort)
      w.onAbort = undefined
    }
  }

  #timedOut(w: Waiter, host: HostPool): void {
    w.deadline = null
    const waited = Math.round(now() - w.start)
    const f = host.lastFailureFor(w)
    const last = f
      ? `; last connection attempt failed: ${describeFailure(f)}`
      : w.conn ? '; the connection is still opening' : `; ${host.queued} acquires queued, ${host.live} connections live (maxPerHost ${this.limits.maxPerHost})`
    const error = new PoolError('ERR_ACQUIRE_TIMEOUT', `Timed out after ${waited} ms (acquireTimeout ${w.timeout} ms) acquiring a connection to ${w.url.redacted}${last}`, {
      origin: w.url.origin, url: w.url.redacted, cause: f?.error, closeCode: f?.code, closeReason: f?.reason,
    })
    host.stats.add('timeouts')
    this.emitter.emit('timeout', { origin: w.url.origin, url: w.url.redacted, wait: waited })
    host.abandon(w, error)
  }

  hasGlobalRoom(): boolean {
    return this.#live < this.limits.maxTotal
  }

  /** More live connections (not already closing) than `maxTotal` allows. */
  overTotal(): boolean {
    return this.#live - this.#closingCount > this.limits.maxTotal
  }

  /** At `maxTotal`: close the least recently used idle connection of any origin. */
  makeGlobalRoom(host: HostPool): void {
    this.#blocked.add(host)
    if (this.#closingCount >= this.#blocked.size) return
    const oldest = this.#idle.entries().next().value
    if (oldest) oldest[1].evict(oldest[0], 'capacity')
  }

  /** A connection went idle: if origins wait for global room, close the least recently used idle one. */
  serveBlocked(): void {
    if (this.#blocked.size === 0 || this.hasGlobalRoom()) return
    for (const h of this.#blocked) if (h.queued === 0) this.#blocked.delete(h)
    if (this.#blocked.size === 0 || this.#closingCount >= this.#blocked.size) return
    const oldest = this.#idle.entries().next().value
    if (oldest) oldest[1].evict(oldest[0], 'capacity')
  }

  /** Evicts idle connections, least recently used first, while over `maxTotal`. */
  shrinkTotal(): void {
    while (this.overTotal()) {
      const oldest = this.#idle.entries().next().value
      if (!oldest) break
      oldest[1].evict(oldest[0], 'resize')
    }
  }

  liveDelta(n: number): void {
    this.#live += n
  }

  closingDelta(n: number): void {
    this.#closingCount += n
  }

  /** Tracks the global LRU of idle connections; only needed (and kept) while `maxTotal` is finite. */
  idleChanged(c: Connection, host: HostPool, added: boolean): void {
    if (this.limits.maxTotal === Infinity) return
    if (added) this.#idle.set(c, host)
    else this.#idle.delete(c)
  }

  /** `maxTotal` changed between unlimited and finite: rebuild (or drop) the global idle LRU. */
  trackIdle(): void {
    this.#idle.clear()
    if (this.limits.maxTotal === Infinity) return
    for (const h of this.hosts.values()) for (const c of h.idleConnections()) this.#idle.set(c, h)
  }

  /** A connection is gone: serve its origin, then origins waiting for global room. */
  capacityFreed(host: HostPool): void {
    if (this.closing) {
      if (this.#live === 0) this.#emptied()
      return
    }
    host.dispatch()
    for (const h of this.#blocked) {
      if (!this.hasGlobalRoom()) break
      this.#blocked.delete(h)
      h.dispatch()
    }
  }

  checkDrained(): void {
    if (!this.draining || this.closing || !this.onDrained) return
    const t = this.registry.totals.values
    if (t.pending === 0 && t.active === 0) {
      const done = this.onDrained
      this.onDrained = undefined
      done()
    }
  }

  closedError(origin?: string): PoolError {
    return new PoolError('ERR_POOL_CLOSED', `The pool is ${this.closing ? 'closed' : 'draining'}${origin ? `: no new connections to ${origin}` : ''}`, origin ? { origin } : {})
  }

  /** Closes everything; `onEmpty` runs once no socket is left. */
  shutdown(): void {
    this.closing = true
    const drained = this.onDrained
    this.onDrained = undefined
    drained?.()
    for (const h of this.hosts.values()) h.closeAll(() => this.closedError(h.origin))
    if (this.#live === 0) this.#emptied()
  }

  #emptied(): void {
    this.timers.clear()
    this.#detachOnline?.()
    this.#detachOnline = undefined
    this.#blocked.clear()
    const done = this.onEmpty
    this.onEmpty = undefined
    done?.()
  }
}
