/**
 * The public pool: checks what callers pass, then hands validated requests to its backend (the
 * in-process {@link LocalPool}); exposes events, stats, resizing and the two ways to stop.
 */
import { PoolError, describeValue } from '../core/errors.js'
import { checkMinIdle, resolveOptions, type PoolOptions, type ResolvedOptions } from '../core/options.js'
import { isSendData, type SendData } from '../core/socket.js'
import type { PoolStats } from '../core/stats.js'
import { parsePoolUrl, type PoolUrl } from '../core/url.js'
import { count, fail, plainObject } from '../core/validate.js'
import { checkOptions, type AcquireOptions, type RequestOptions } from './arguments.js'
import type { Backend, LeaseHandle, Limits, Replica } from './backend.js'
import type { PoolEvents, Unsubscribe } from './events.js'
import { Lease, invalidData } from './lease.js'
import { LocalPool } from './local-pool.js'

const EVENTS: ReadonlySet<string> = new Set(['connect', 'open', 'close', 'reconnecting', 'error', 'acquire', 'release', 'enqueue', 'timeout', 'evict', 'drop', 'circuit', 'message'])
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
  readonly #requestTimeout: number

  /**
   * @param backend @internal What carries the pool (the in-process one by default; a cross-tab
   * pool passes its own, see `createSharedPool`).
   * @throws PoolError `ERR_INVALID_OPTION`
   */
  constructor(options?: PoolOptions, backend?: (resolved: ResolvedOptions, makeLease: (handle: LeaseHandle) => Lease) => Backend<Lease>) {
    if (options === null) fail('options', options, 'an object')
    const resolved = resolveOptions(options ?? {})
    this.#requireSecure = resolved.requireSecure
    this.#protocols = resolved.protocols
    this.#acquireTimeout = resolved.acquireTimeout
    this.#requestTimeout = resolved.requestTimeout
    const makeLease = (handle: LeaseHandle): Lease => new Lease(handle)
    this.#backend = backend ? backend(resolved, makeLease) : new LocalPool(resolved, makeLease)
  }

  /**
   * Resolves with a lease once a connection to `url` is open: an idle one for the same URL and
   * protocols, a new one within the caps, or the next one freed (queued by priority, then FIFO).
   * Rejects with `PoolError` (`ERR_INVALID_URL`, `ERR_INVALID_ARGUMENT`, `ERR_QUEUE_FULL`,
   * `ERR_ACQUIRE_TIMEOUT`, `ERR_CONNECT_FAILED`, `ERR_CIRCUIT_OPEN`, `ERR_POOL_CLOSED`) or with
   * `signal.reason`.
   */
  acquire(url: string | URL | readonly (string | URL)[], options?: AcquireOptions): Promise<Lease> {
    try {
      if (options === undefined && !Array.isArray(url)) {
        const { url: parsed, key } = this.#parse(url as string | URL)
        const lease = this.#backend.acquire(parsed, key, this.#protocols, 0, this.#acquireTimeout, undefined, false)
        return lease instanceof Lease ? Promise.resolve(lease) : lease
      }
      const o = options === undefined ? undefined : checkOptions(options, false, this.#acquireTimeout)
      const protocols = o?.protocols ?? this.#protocols
      const [first, replicas] = this.#targets(url, protocols)
      if (o?.signal?.aborted) return Promise.reject(o.signal.reason)
      const lease = this.#backend.acquire(first.url, first.key, protocols, o?.priority ?? 0, o?.timeout ?? this.#acquireTimeout, o?.signal, o?.flag ?? false, replicas)
      return lease instanceof Lease ? Promise.resolve(lease) : lease
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * Sends `payload` as a request and resolves with its reply (the payload of the reply that
   * carries the same correlation id: the `data` of `{ id, data }` with the default codec).
   * Requests ride the shared connections to `url` (or to the best of a list of replicas), least
   * loaded first, several in flight on one connection. Rejects with `PoolError`
   * (`ERR_INVALID_ARGUMENT` for a payload the codec cannot encode, `ERR_REQUEST_TIMEOUT`,
   * `ERR_CONNECTION_LOST`, `ERR_QUEUE_FULL`, `ERR_CIRCUIT_OPEN`, `ERR_POOL_CLOSED`, ...) or with
   * `signal.reason`. `T` types the reply's payload; it is not checked.
   */
  request<T = unknown>(url: string | URL | readonly (string | URL)[], payload: unknown, options?: RequestOptions): Promise<T> {
    try {
      const [first, replicas] = this.#targets(url, this.#protocols)
      const o = options === undefined ? undefined : checkOptions(options, true, this.#requestTimeout)
      if (o?.signal?.aborted) return Promise.reject(o.signal.reason)
      return this.#backend.request(first.url, first.key, this.#protocols, o?.priority ?? 0, o?.timeout ?? this.#requestTimeout, o?.signal, payload, o?.flag ?? false, replicas) as Promise<T>
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

  /** A URL, or a list of replicas (two or more; one is just a URL): the first, and the list. */
  #targets(url: unknown, protocols: readonly string[]): [Replica, Replica[] | undefined] {
    if (!Array.isArray(url)) {
      const { url: parsed, key } = this.#parse(url as string | URL)
      return [{ url: parsed, key: this.#key(parsed, key, protocols) }, undefined]
    }
    if (url.length === 0) fail('url', url, 'a URL or a non-empty list of URLs', 'ERR_INVALID_ARGUMENT')
    const replicas = url.map((u: unknown) => {
      const { url: parsed, key } = this.#parse(u as string | URL)
      return { url: parsed, key: this.#key(parsed, key, protocols) }
    })
    return [replicas[0], replicas.length > 1 ? replicas : undefined]
  }

  /** The reuse key of `url` with `protocols` (`key` is the one with the pool's defaults). */
  #key(url: PoolUrl, key: string, protocols: readonly string[]): string {
    if (protocols === this.#protocols) return key
    return protocols.length === 0 ? url.href : `${url.href}\n${protocols.join(',')}`
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
  if (!EVENTS.has(type)) throw new PoolError('ERR_INVALID_ARGUMENT', `Expected a pool event (${[...EVENTS].join(', ')}), got ${describeValue(type)}`)
  if (typeof fn !== 'function') throw new PoolError('ERR_INVALID_ARGUMENT', `Expected the listener to be a function, got ${typeof fn}`)
}

/**
 * Creates a pool. Every option is optional; invalid ones throw `PoolError` `ERR_INVALID_OPTION`
 * naming the option, the value and what was expected.
 */
export function createPool(options?: PoolOptions): WebSocketPool {
  return new WebSocketPool(options)
}
