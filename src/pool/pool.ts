/**
 * The public pool: validates what callers pass, maps origins to HostPools, and exposes events,
 * stats, resizing and the two ways to stop (`drain`, `close`).
 */
import { PoolError } from '../core/errors.js'
import { checkMinIdle, resolveOptions, resolveProtocols, type PoolOptions } from '../core/options.js'
import type { SendData } from '../core/socket.js'
import type { PoolStats } from '../core/stats.js'
import { parsePoolUrl, type PoolUrl } from '../core/url.js'
import { count, duration, fail, plainObject } from '../core/validate.js'
import { now } from '../runtime/clock.js'
import type { PoolEvents, Unsubscribe } from './events.js'
import type { Lease } from './lease.js'
import { PoolContext, type Limits, type Waiter } from './pool-context.js'

/** Options of one `acquire`. */
export interface AcquireOptions {
  /** Aborts the wait; the acquire rejects with `signal.reason`. */
  signal?: AbortSignal
  /** ms this acquire may wait in total. @default the pool's `acquireTimeout` */
  timeout?: number
  /** Higher is served first; FIFO within a priority. Any finite number. @default 0 */
  priority?: number
  /** Subprotocols for this URL (idle connections are reused only for the same ones). @default the pool's `protocols` */
  protocols?: string | string[]
}

const ACQUIRE_KEYS = ['signal', 'timeout', 'priority', 'protocols']
const EVENTS: ReadonlySet<string> = new Set(['connect', 'open', 'close', 'reconnecting', 'error', 'acquire', 'release', 'enqueue', 'timeout', 'evict', 'drop'])
const URL_CACHE_SIZE = 256
const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose')

/** A pool of WebSocket connections, one sub-pool per origin. Create it with {@link createPool}. */
export class WebSocketPool {
  readonly #ctx: PoolContext
  readonly #urls = new Map<string, PoolUrl>()
  #closed: Promise<void> | undefined
  #drained: Promise<void> | undefined

  /** @throws PoolError `ERR_INVALID_OPTION` */
  constructor(options?: PoolOptions) {
    if (options === null) fail('options', options, 'an object')
    this.#ctx = new PoolContext(resolveOptions(options ?? {}))
  }

  /**
   * Resolves with a lease once a connection to `url` is open: an idle one for the same URL and
   * protocols, a new one within the caps, or the next one freed (queued by priority, then FIFO).
   * Rejects with `PoolError` (`ERR_INVALID_URL`, `ERR_INVALID_ARGUMENT`, `ERR_QUEUE_FULL`,
   * `ERR_ACQUIRE_TIMEOUT`, `ERR_CONNECT_FAILED`, `ERR_POOL_CLOSED`) or with `signal.reason`.
   */
  acquire(url: string | URL, options?: AcquireOptions): Promise<Lease> {
    const ctx = this.#ctx
    try {
      const parsed = this.#parse(url)
      if (ctx.closing || ctx.draining) throw ctx.closedError(parsed.origin)
      let timeout = ctx.options.acquireTimeout
      let priority = 0
      let protocols = ctx.options.protocols
      let signal: AbortSignal | undefined
      if (options !== undefined) {
        const o = plainObject('acquire options', options, ACQUIRE_KEYS, 'ERR_INVALID_ARGUMENT')
        if (o.timeout !== undefined) timeout = duration('timeout', o.timeout, true, 'ERR_INVALID_ARGUMENT')
        if (o.priority !== undefined) {
          if (typeof o.priority !== 'number' || !Number.isFinite(o.priority)) fail('priority', o.priority, 'a finite number', 'ERR_INVALID_ARGUMENT')
          priority = o.priority
        }
        if (o.protocols !== undefined) protocols = resolveProtocols('protocols', o.protocols, 'ERR_INVALID_ARGUMENT')
        if (o.signal !== undefined) {
          signal = o.signal as AbortSignal
          if (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function' || !('aborted' in signal)) {
            fail('signal', o.signal, 'an AbortSignal', 'ERR_INVALID_ARGUMENT')
          }
          if (signal.aborted) return Promise.reject(signal.reason)
        }
      }
      const key = protocols.length === 0 ? parsed.href : `${parsed.href}\n${protocols.join(',')}`
      const host = ctx.host(parsed.origin)
      // Fast path: an idle connection for this URL is handed out without a waiter.
      const lease = host.acquireIdle(key)
      if (lease !== undefined) return Promise.resolve(lease)
      return new Promise<Lease>((resolve, reject) => {
        const w: Waiter = {
          url: parsed, key, protocols, priority, start: now(), timeout, signal, resolve, reject,
          node: null, conn: null, settled: false, deadline: null, onAbort: undefined,
        }
        host.acquire(w)
      })
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Acquires, sends and releases; resolves once `data` was handed to an open socket. */
  async send(url: string | URL, data: SendData, options?: AcquireOptions): Promise<void> {
    const lease = await this.acquire(url, options)
    try {
      lease.send(data)
    } finally {
      lease.release()
    }
  }

  /** Subscribes to a pool event; returns the unsubscribe function. */
  on<K extends keyof PoolEvents>(type: K, fn: (event: PoolEvents[K]) => void): Unsubscribe {
    checkListener(type, fn)
    return this.#ctx.emitter.on(type, fn)
  }

  /** Subscribes for one event; returns the unsubscribe function. */
  once<K extends keyof PoolEvents>(type: K, fn: (event: PoolEvents[K]) => void): Unsubscribe {
    checkListener(type, fn)
    return this.#ctx.emitter.once(type, fn)
  }

  /** Unsubscribes. */
  off<K extends keyof PoolEvents>(type: K, fn: (event: PoolEvents[K]) => void): void {
    this.#ctx.emitter.off(type, fn)
  }

  /** A plain JSON-serialisable snapshot; the same object until a figure changes. */
  stats(): PoolStats {
    return this.#ctx.registry.snapshot(this.#ctx.limits.maxPerHost, this.#ctx.limits.maxTotal)
  }

  /**
   * Changes caps at run time, validated like `createPool`. Growing serves queued acquires;
   * shrinking closes idle connections first and leased ones as they are released.
   * @throws PoolError `ERR_INVALID_OPTION`
   */
  resize(limits: Partial<Limits>): void {
    const o = plainObject('resize options', limits, ['maxPerHost', 'maxTotal', 'minIdlePerHost'])
    const ctx = this.#ctx
    const next: Limits = {
      maxPerHost: o.maxPerHost === undefined ? ctx.limits.maxPerHost : count('maxPerHost', o.maxPerHost, 1),
      maxTotal: o.maxTotal === undefined ? ctx.limits.maxTotal : count('maxTotal', o.maxTotal, 1),
      minIdlePerHost: o.minIdlePerHost === undefined ? ctx.limits.minIdlePerHost : count('minIdlePerHost', o.minIdlePerHost, 0, false),
    }
    checkMinIdle(next.minIdlePerHost, next.maxPerHost)
    const tracking = ctx.limits.maxTotal !== Infinity
    Object.assign(ctx.limits, next)
    if (tracking !== (next.maxTotal !== Infinity)) ctx.trackIdle()
    ctx.registry.invalidate()
    if (ctx.closing) return
    ctx.shrinkTotal()
    for (const h of ctx.hosts.values()) h.applyLimits()
  }

  /** Stops new acquires (they reject `ERR_POOL_CLOSED`), serves those queued, waits for every lease to be released, then closes. */
  drain(): Promise<void> {
    if (this.#closed) return this.#closed
    if (!this.#drained) {
      const ctx = this.#ctx
      ctx.draining = true
      this.#drained = new Promise<void>((resolve) => {
        ctx.onDrained = resolve
        ctx.checkDrained()
      }).then(() => this.close())
    }
    return this.#drained
  }

  /** Closes every connection now and rejects queued acquires with `ERR_POOL_CLOSED`. Resolves once no socket, timer or listener is left. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#ctx.onEmpty = resolve
      this.#ctx.shutdown()
    })
    return this.#closed
  }

  /** `await using pool = createPool()` closes the pool at the end of the block. */
  [asyncDispose](): Promise<void> {
    return this.close()
  }

  #parse(url: string | URL): PoolUrl {
    const cacheKey = typeof url === 'string' ? url : undefined
    if (cacheKey !== undefined) {
      const hit = this.#urls.get(cacheKey)
      if (hit) return hit
    }
    const parsed = parsePoolUrl(url, this.#ctx.options.requireSecure)
    if (cacheKey !== undefined) {
      if (this.#urls.size >= URL_CACHE_SIZE) this.#urls.clear()
      this.#urls.set(cacheKey, parsed)
    }
    return parsed
  }
}

function checkListener(type: string, fn: unknown): void {
  if (!EVENTS.has(type)) throw new PoolError('ERR_INVALID_ARGUMENT', `Expected a pool event (${[...EVENTS].join(', ')}), got ${JSON.stringify(type)}`)
  if (typeof fn !== 'function') throw new PoolError('ERR_INVALID_ARGUMENT', `Expected the listener to be a function, got ${typeof fn}`)
}

/**
 * Creates a pool. Every option is optional; invalid ones throw `PoolError` `ERR_INVALID_OPTION`
 * naming the option, the value and what was expected.
 */
export function createPool(options?: PoolOptions): WebSocketPool {
  return new WebSocketPool(options)
}
