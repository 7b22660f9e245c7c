/**
 * The public pool: checks what callers pass, then hands validated requests to its backend (the
 * in-process {@link LocalPool}); exposes events, stats, resizing and the two ways to stop.
 */
import { PoolError } from '../core/errors.js'
import { checkMinIdle, resolveOptions, resolveProtocols, type PoolOptions } from '../core/options.js'
import { isSendData, type SendData } from '../core/socket.js'
import type { PoolStats } from '../core/stats.js'
import { parsePoolUrl, type PoolUrl } from '../core/url.js'
import { count, duration, fail, plainObject } from '../core/validate.js'
import type { Backend, Limits } from './backend.js'
import type { PoolEvents, Unsubscribe } from './events.js'
import { Lease, invalidData } from './lease.js'
import { LocalPool } from './local-pool.js'

/** Options of one `acquire`. */
export interface AcquireOptions {
  /** Aborts the wait; the acquire rejects with `signal.reason`. @default none */
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
/** Parsed URLs kept (strings only), oldest dropped first: enough for a pool of a thousand origins. */
const URL_CACHE_SIZE = 2048
/** `pool.send` tries this many connections when the one it got was closing under it. */
const SEND_TRIES = 3
const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose')

interface Parsed {
  url: PoolUrl
  /** The reuse key with the pool's default protocols. */
  key: string
}

/** A pool of WebSocket connections, one sub-pool per origin. Create it with {@link createPool}. */
export class WebSocketPool {
  readonly #backend: Backend<Lease>
  readonly #urls = new Map<string, Parsed>()
  readonly #requireSecure: boolean
  readonly #protocols: readonly string[]
  readonly #acquireTimeout: number

  /** @throws PoolError `ERR_INVALID_OPTION` */
  constructor(options?: PoolOptions) {
    if (options === null) fail('options', options, 'an object')
    const resolved = resolveOptions(options ?? {})
    this.#requireSecure = resolved.requireSecure
    this.#protocols = resolved.protocols
    this.#acquireTimeout = resolved.acquireTimeout
    this.#backend = new LocalPool(resolved, (handle) => new Lease(handle))
  }

  /**
   * Resolves with a lease once a connection to `url` is open: an idle one for the same URL and
   * protocols, a new one within the caps, or the next one freed (queued by priority, then FIFO).
   * Rejects with `PoolError` (`ERR_INVALID_URL`, `ERR_INVALID_ARGUMENT`, `ERR_QUEUE_FULL`,
   * `ERR_ACQUIRE_TIMEOUT`, `ERR_CONNECT_FAILED`, `ERR_CIRCUIT_OPEN`, `ERR_POOL_CLOSED`) or with
   * `signal.reason`.
   */
  acquire(url: string | URL, options?: AcquireOptions): Promise<Lease> {
    try {
      const { url: parsed, key } = this.#parse(url)
      const lease = options === undefined
        ? this.#backend.acquire(parsed, key, this.#protocols, 0, this.#acquireTimeout, undefined)
        : this.#acquireWith(parsed, key, options)
      return lease instanceof Lease ? Promise.resolve(lease) : lease
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * Acquires, sends and releases; resolves once `data` was handed to an open socket. A connection
   * found closing under it is closed and another one acquired, so nothing is ever held for later.
   * @throws PoolError `ERR_INVALID_ARGUMENT` for `data` (before acquiring), and what `acquire` throws
   */
  async send(url: string | URL, data: SendData, options?: AcquireOptions): Promise<void> {
    if (typeof data !== 'string' && !isSendData(data)) throw invalidData(data)
    for (let i = 1; ; i++) {
      const lease = await this.acquire(url, options)
      try {
        if (lease._send(data, false)) return
      } finally {
        lease.release()
      }
      if (i === SEND_TRIES) {
        throw new PoolError('ERR_LEASE_CLOSED', `Cannot send to ${lease.origin}: ${SEND_TRIES} connections in a row closed before the message could be handed to them`, { origin: lease.origin })
      }
    }
  }

  /** Subscribes to a pool event; returns the unsubscribe function. */
  on<K extends keyof PoolEvents>(type: K, fn: (event: PoolEvents[K]) => void): Unsubscribe {
    checkListener(type, fn)
    return this.#backend.emitter.on(type, fn)
  }

  /** Subscribes for one event; returns the unsubscribe function. */
  once<K extends keyof PoolEvents>(type: K, fn: (event: PoolEvents[K]) => void): Unsubscribe {
    checkListener(type, fn)
    return this.#backend.emitter.once(type, fn)
  }

  /** Unsubscribes. */
  off<K extends keyof PoolEvents>(type: K, fn: (event: PoolEvents[K]) => void): void {
    this.#backend.emitter.off(type, fn)
  }

  /** A plain JSON-serialisable snapshot; the same object until a figure changes. */
  stats(): PoolStats {
    return this.#backend.stats()
  }

  /**
   * Changes caps at run time, validated like `createPool`. Growing serves queued acquires;
   * shrinking closes idle connections first and leased ones as they are released.
   * @throws PoolError `ERR_INVALID_OPTION`
   */
  resize(limits: Partial<Limits>): void {
    const o = plainObject('resize options', limits, ['maxPerHost', 'maxTotal', 'minIdlePerHost'])
    const now = this.#backend.limits
    const next: Limits = {
      maxPerHost: o.maxPerHost === undefined ? now.maxPerHost : count('maxPerHost', o.maxPerHost, 1),
      maxTotal: o.maxTotal === undefined ? now.maxTotal : count('maxTotal', o.maxTotal, 1),
      minIdlePerHost: o.minIdlePerHost === undefined ? now.minIdlePerHost : count('minIdlePerHost', o.minIdlePerHost, 0, false),
    }
    checkMinIdle(next.minIdlePerHost, next.maxPerHost)
    this.#backend.resize(next)
  }

  /** Stops new acquires (they reject `ERR_POOL_CLOSED`), serves those queued, waits for every lease to be released, then closes. */
  drain(): Promise<void> {
    return this.#backend.drain()
  }

  /** Closes every connection now and rejects queued acquires with `ERR_POOL_CLOSED`. Resolves once no socket, timer or listener is left. */
  close(): Promise<void> {
    return this.#backend.close()
  }

  /** `await using pool = createPool()` closes the pool at the end of the block. */
  [asyncDispose](): Promise<void> {
    return this.close()
  }

  /** An acquire with options: checks them (an aborted signal rejects with its reason). */
  #acquireWith(url: PoolUrl, key: string, options: AcquireOptions): Lease | Promise<Lease> {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) fail('acquire options', options, 'an object', 'ERR_INVALID_ARGUMENT')
    for (const k in options) if (!ACQUIRE_KEYS.includes(k)) plainObject('acquire options', options, ACQUIRE_KEYS, 'ERR_INVALID_ARGUMENT')
    const o = options as Record<string, unknown>
    const timeout = o.timeout === undefined ? this.#acquireTimeout : duration('timeout', o.timeout, true, 'ERR_INVALID_ARGUMENT')
    const priority = o.priority === undefined ? 0 : o.priority
    if (typeof priority !== 'number' || !Number.isFinite(priority)) fail('priority', priority, 'a finite number', 'ERR_INVALID_ARGUMENT')
    const protocols = o.protocols === undefined ? this.#protocols : resolveProtocols('protocols', o.protocols, 'ERR_INVALID_ARGUMENT')
    const signal = o.signal as Partial<AbortSignal> | undefined
    if (signal !== undefined) {
      if (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function' || typeof signal.removeEventListener !== 'function' || !('aborted' in signal)) {
        fail('signal', signal, 'an AbortSignal', 'ERR_INVALID_ARGUMENT')
      }
      if (signal.aborted) return Promise.reject(signal.reason)
    }
    if (protocols !== this.#protocols) key = protocols.length === 0 ? url.href : `${url.href}\n${protocols.join(',')}`
    return this.#backend.acquire(url, key, protocols, priority, timeout, signal as AbortSignal | undefined)
  }

  #parse(url: string | URL): Parsed {
    if (typeof url === 'string') {
      const hit = this.#urls.get(url)
      if (hit !== undefined) return hit
    }
    const parsed = parsePoolUrl(url, this.#requireSecure)
    const p = this.#protocols
    const entry: Parsed = { url: parsed, key: p.length === 0 ? parsed.href : `${parsed.href}\n${p.join(',')}` }
    if (typeof url === 'string') {
      if (this.#urls.size >= URL_CACHE_SIZE) this.#urls.delete(this.#urls.keys().next().value!)
      this.#urls.set(url, entry)
    }
    return entry
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
