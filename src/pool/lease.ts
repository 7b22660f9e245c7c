/**
 * The handle a caller holds on a pooled connection. Its listeners belong to the lease, not the
 * connection, so the next holder never inherits them. It drives its connection through a
 * {@link LeaseHandle}, so any backend can stand behind it.
 */
import { PoolError, describeValue } from '../core/errors.js'
import { isSendData, type SendData } from '../core/socket.js'
import type { Holder, LeaseHandle } from './backend.js'
import { Emitter, type Unsubscribe } from './events.js'

/** States a lease can be in. */
export type LeaseState = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'released'

/** Events of a lease and their payloads. */
export interface LeaseEvents {
  /** A message arrived: a string for text, binary as set by `binaryType`. */
  message: unknown
  /** The connection reopened after a drop. */
  open: { protocol: string }
  /** The connection closed for good (gave up, destroyed, or the pool closed). */
  close: { code: number; reason: string; wasClean: boolean }
  /** The connection dropped and retries after `delay` ms. */
  reconnecting: { attempt: number; delay: number; code: number; reason: string }
  /** A socket error, a failed reconnect attempt, or a callback of the pool's options that threw. */
  error: Error
}

const LEASE_EVENTS: ReadonlySet<string> = new Set(['message', 'open', 'close', 'reconnecting', 'error'])
const dispose: typeof Symbol.dispose = Symbol.dispose ?? Symbol.for('Symbol.dispose')

/** A caller's hold on a pooled connection. Release it (or `using lease = ...`) when done. */
export class Lease implements Holder {
  readonly #h: LeaseHandle
  #ended: 'released' | 'closed' | null = null
  #emitter: Emitter<LeaseEvents> | null = null

  /** @internal Created by the pool. */
  constructor(handle: LeaseHandle) {
    this.#h = handle
  }

  /** The pooled connection's id: the same across reconnects and successive leases; the `id` in pool events. */
  get id(): number {
    return this.#h.id
  }

  /** The normalised URL this lease was acquired for. */
  get url(): string {
    return this.#h.url.href
  }

  /** The pool key: the URL's WHATWG origin. */
  get origin(): string {
    return this.#h.url.origin
  }

  /** `'connecting' | 'open' | 'reconnecting' | 'closed' | 'released'`. */
  get state(): LeaseState {
    return this.#ended ?? this.#h.state
  }

  /** The negotiated subprotocol, `''` when none. */
  get protocol(): string {
    return this.#h.protocol
  }

  /** Bytes queued: the socket's own buffer plus messages held while reconnecting. */
  get bufferedAmount(): number {
    return this.#ended ? 0 : this.#h.bufferedAmount
  }

  /**
   * Sends now when open; while reconnecting, buffers in order (bounded by the `buffer` option).
   * @throws PoolError `ERR_LEASE_RELEASED`, `ERR_LEASE_CLOSED`, `ERR_BUFFER_FULL`, `ERR_INVALID_ARGUMENT`
   */
  send(data: SendData): void {
    this._send(data, true)
  }

  /** Subscribes to a lease event; returns the unsubscribe function. @throws PoolError `ERR_LEASE_RELEASED` */
  on<K extends keyof LeaseEvents>(type: K, fn: (event: LeaseEvents[K]) => void): Unsubscribe {
    return this.#emitterFor(type, fn, 'on').on(type, fn)
  }

  /** Subscribes for one event; returns the unsubscribe function. @throws PoolError `ERR_LEASE_RELEASED` */
  once<K extends keyof LeaseEvents>(type: K, fn: (event: LeaseEvents[K]) => void): Unsubscribe {
    return this.#emitterFor(type, fn, 'once').once(type, fn)
  }

  /** Unsubscribes; a no-op after release. */
  off<K extends keyof LeaseEvents>(type: K, fn: (event: LeaseEvents[K]) => void): void {
    this.#emitter?.off(type, fn)
  }

  /** Returns the connection to the pool. A second call is a no-op. */
  release(): void {
    if (this.#ended === 'released') return
    const wasClosed = this.#ended === 'closed'
    this.#ended = 'released'
    this.#emitter?.clear()
    if (!wasClosed) this.#h.release(this)
  }

  /**
   * Closes the connection for good instead of returning it. `code` is 1000 or 3000-4999 (what
   * browsers allow); `reason` at most 123 UTF-8 bytes. A no-op after release.
   * @throws PoolError `ERR_INVALID_ARGUMENT`
   */
  destroy(code = 1000, reason = ''): void {
    if (this.#ended === 'released') return
    if (code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
      throw new PoolError('ERR_INVALID_ARGUMENT', `Expected \`code\` to be 1000 or an integer between 3000 and 4999, got ${String(code)}`, { origin: this.origin })
    }
    if (typeof reason !== 'string' || new TextEncoder().encode(reason).length > 123) {
      throw new PoolError('ERR_INVALID_ARGUMENT', 'Expected `reason` to be a string of at most 123 UTF-8 bytes', { origin: this.origin })
    }
    if (this.#ended === 'closed') return
    this.#h.destroy(this, code, reason)
  }

  /** `using lease = await pool.acquire(url)` releases at the end of the block. */
  [dispose](): void {
    this.release()
  }

  /** @internal Sends (see `send`); with `hold` false only when it can go out now. Returns whether it went out. */
  _send(data: SendData, hold: boolean): boolean {
    if (this.#ended === 'released') this.#released('send')
    if (typeof data !== 'string' && !isSendData(data)) throw invalidData(data, this.origin)
    return this.#h.send(this, data, hold)
  }

  /** @internal Where this lease's events go. */
  get _events(): Emitter<LeaseEvents> | null {
    return this.#emitter
  }

  /** @internal The connection closed for good under this lease. */
  _closed(): void {
    this.#ended ??= 'closed'
  }

  #released(what: string): never {
    throw new PoolError('ERR_LEASE_RELEASED', `Cannot ${what}: lease ${this.id} on ${this.#h.url.redacted} was released`, { origin: this.origin, url: this.#h.url.redacted })
  }

  #emitterFor(type: string, fn: unknown, what: string): Emitter<LeaseEvents> {
    if (this.#ended === 'released') this.#released(what)
    if (!LEASE_EVENTS.has(type)) {
      throw new PoolError('ERR_INVALID_ARGUMENT', `Expected a lease event (message, open, close, reconnecting, error), got ${describeValue(type)}`)
    }
    if (typeof fn !== 'function') throw new PoolError('ERR_INVALID_ARGUMENT', `Expected the listener to be a function, got ${typeof fn}`)
    return (this.#emitter ??= new Emitter())
  }
}

/** `ERR_INVALID_ARGUMENT` for something `send` cannot send. */
export function invalidData(data: unknown, origin?: string): PoolError {
  return new PoolError('ERR_INVALID_ARGUMENT', `Expected \`data\` to be a string, ArrayBuffer, typed array or Blob, got ${data === null ? 'null' : typeof data}`, origin ? { origin } : {})
}
