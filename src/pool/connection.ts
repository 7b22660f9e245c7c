/**
 * One pooled connection: a stable id across successive sockets. It owns the socket's lifecycle
 * (connect timeout, retries with backoff, the outbound buffer while not open) and reports every
 * transition to its owner, the HostPool, which decides what the connection is for.
 *
 * Invariant: a connection counts toward the caps from `start()` until `#finish()`, which runs only
 * once no socket of it can still be open (after its close event, or with no socket at all).
 */
import { backoffDelay, type CloseInfo } from '../core/backoff.js'
import { PoolError } from '../core/errors.js'
import type { ResolvedOptions } from '../core/options.js'
import type { SendData, WebSocketConstructor, WebSocketLike } from '../core/socket.js'
import type { StatsRecord } from '../core/stats.js'
import { parsePoolUrl, type PoolUrl } from '../core/url.js'
import { now, random, type TimerHandle, type Timers } from '../runtime/clock.js'
import { abortSocket, byteLength, openSocket } from '../runtime/transport.js'
import type { DropReason, PoolEvents } from './events.js'
import type { Lease } from './lease.js'
import type { Waiter } from './pool-context.js'

/** States of a pooled connection. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed'

/** How the last attempt or socket ended. */
export interface Failure {
  code: number
  reason: string
  wasClean: boolean
  error?: Error
}

/** What a connection needs from its owner. */
export interface ConnectionOwner {
  readonly options: ResolvedOptions
  readonly timers: Timers
  readonly ctor: WebSocketConstructor
  readonly stats: StatsRecord
  emit<K extends keyof PoolEvents>(type: K, event: PoolEvents[K]): void
  /** Whether someone still wants this connection (a lease, a waiter, the warm set). */
  needsConnection(c: Connection): boolean
  /** Whether a caller is awaiting this connection (keeps a Node process alive during retries). */
  isAwaited(c: Connection): boolean
  onStateChange(c: Connection, prev: ConnectionState, next: ConnectionState): void
  onOpen(c: Connection, reopened: boolean): void
  /** Final: the connection is gone; `failure` is set when it ended because connecting gave up. */
  onClosed(c: Connection, failure: Failure | undefined): void
}

/** Grace for a closing handshake before the socket is terminated. */
const CLOSE_GRACE = 1000

export class Connection {
  state: ConnectionState = 'connecting'
  lease: Lease | null = null
  /** Retries since the last stable open (reset after `minUptime`). */
  attempt = 0
  uses = 0
  readonly createdAt = now()
  openedAt = 0
  lastUsed = 0
  lastFailure: Failure | undefined
  /** How the last socket closed. */
  lastClose: Failure | undefined
  /** The acquire this connection is being opened for (host bookkeeping). */
  waiter: Waiter | null = null
  /** Opened to keep `minIdlePerHost` warm connections (host bookkeeping). */
  warm = false
  /** Set while the connection sits in its host's idle set. */
  idleTimer: TimerHandle | undefined
  #socket: WebSocketLike | null = null
  #timer: TimerHandle | undefined
  #everOpened = false
  /** Whether the current socket reached open. */
  #socketOpened = false
  #buffer: SendData[] = []
  #bufferBytes = 0
  /** Bumped per attempt and at shutdown so late callbacks of an old socket are ignored. */
  #generation = 0
  #failure: Failure | undefined

  constructor(
    readonly id: number,
    readonly url: PoolUrl,
    readonly key: string,
    readonly protocols: readonly string[],
    readonly owner: ConnectionOwner,
  ) {}

  get ref() {
    return { origin: this.url.origin, id: this.id, url: this.url.redacted }
  }

  get protocol(): string {
    return this.#socket?.protocol ?? ''
  }

  get bufferedAmount(): number {
    return (this.#socket?.bufferedAmount ?? 0) + this.#bufferBytes
  }

  get live(): boolean {
    return this.state !== 'closed'
  }

  /** First attempt. */
  start(): void {
    void this.#attempt()
  }

  /** Sends now if open, else buffers within the `buffer` limits. */
  send(data: SendData): void {
    const socket = this.#socket
    if (this.state === 'open' && socket !== null && socket.readyState === 1) {
      socket.send(data)
      this.owner.stats.message(false, byteLength(data))
      return
    }
    if (this.state === 'closing' || this.state === 'closed') {
      throw new PoolError('ERR_LEASE_CLOSED', `Cannot send: the connection to ${this.url.redacted} is closed`, this.#details())
    }
    const bytes = byteLength(data)
    const { maxMessages, maxBytes } = this.owner.options.buffer
    if (this.#buffer.length + 1 > maxMessages || this.#bufferBytes + bytes > maxBytes) {
      throw new PoolError(
        'ERR_BUFFER_FULL',
        `Cannot buffer ${bytes} bytes while ${this.url.redacted} reconnects: the buffer holds ${this.#buffer.length} messages / ${this.#bufferBytes} bytes of at most ${maxMessages} / ${maxBytes}`,
        this.#details(),
      )
    }
    this.#buffer.push(data)
    this.#bufferBytes += bytes
  }

  /** Discards buffered messages and reports them (`drop` event, stats). */
  dropBuffer(reason: DropReason): void {
    const count = this.#buffer.length
    if (count === 0) return
    const bytes = this.#bufferBytes
    this.#buffer = []
    this.#bufferBytes = 0
    this.owner.stats.add('dropped', count)
    this.owner.emit('drop', { ...this.ref, count, bytes, reason })
  }

  /** Closes for good (the pool or the holder asked). Resolves nothing: `onClosed` reports the end. */
  shutdown(code = 1000, reason = ''): void {
    if (this.state === 'closing' || this.state === 'closed') return
    const socket = this.#socket
    this.#generation++
    this.owner.timers.cancel(this.#timer)
    this.#timer = undefined
    if (socket === null) {
      this.#finish(undefined)
      return
    }
    this.#setState('closing')
    const gen = this.#generation
    this.#listen(socket, gen)
    if (socket.readyState === 0) abortSocket(socket)
    else {
      try {
        socket.close(code, reason)
      } catch {
        abortSocket(socket)
      }
      this.#timer = this.owner.timers.set(() => {
        abortSocket(socket)
        // Browsers cannot force a close: stop counting it rather than wait forever.
        if (this.state === 'closing') this.#finish(undefined)
      }, CLOSE_GRACE, true)
    }
  }

  async #attempt(): Promise<void> {
    const gen = ++this.#generation
    this.#failure = undefined
    const { options } = this.owner
    this.owner.emit('connect', { ...this.ref, attempt: this.attempt + 1 })
    let target = this.url.href
    if (options.resolveUrl) {
      try {
        target = parsePoolUrl(await options.resolveUrl(this.url.href), options.requireSecure).href
      } catch (error) {
        if (gen !== this.#generation) return
        this.#failed({ code: 1006, reason: '', wasClean: false, error: asError(error, 'resolveUrl failed') })
        return
      }
      if (gen !== this.#generation) return
    }
    let socket: WebSocketLike
    try {
      socket = openSocket(this.owner.ctor, target, this.protocols, options.binaryType, options.wsOptions)
    } catch (error) {
      this.#failed({ code: 1006, reason: '', wasClean: false, error: asError(error, 'WebSocket constructor threw') })
      return
    }
    this.#socket = socket
    this.#socketOpened = false
    const startedAt = now()
    this.#listen(socket, gen)
    socket.onopen = () => {
      if (gen !== this.#generation) return
      this.owner.timers.cancel(this.#timer)
      this.#timer = undefined
      this.owner.stats.latency('connectTime', now() - startedAt)
      this.#opened(now() - startedAt)
    }
    this.#timer = this.owner.timers.set(() => {
      this.#timer = undefined
      this.#failure ??= { code: 1006, reason: '', wasClean: false, error: new Error(`Connection attempt timed out after ${options.connectTimeout} ms`) }
      abortSocket(socket)
    }, options.connectTimeout, this.owner.isAwaited(this))
  }

  /** Wires a socket's message, error and close handlers for generation `gen`. */
  #listen(socket: WebSocketLike, gen: number): void {
    socket.onmessage = (ev) => {
      if (gen !== this.#generation || this.state !== 'open') return
      const data = ev.data
      this.owner.stats.message(true, byteLength(data))
      this.lease?._deliver(data)
    }
    socket.onerror = (ev: { error?: unknown; message?: string }) => {
      if (gen !== this.#generation || this.state === 'closing') return
      const error = asError(ev?.error, ev?.message || 'WebSocket error')
      this.#failure ??= { code: 1006, reason: '', wasClean: false, error }
      this.#failure.error ??= error
      // Errors of an attempt are reported once, when it fails; an open socket's at once.
      if (this.state === 'open') this.#reportError(error, undefined)
    }
    socket.onclose = (ev) => {
      socket.onopen = socket.onmessage = socket.onclose = null
      socket.onerror = () => {}
      if (this.#socket !== socket) return
      this.#socket = null
      this.lastClose = { code: ev.code, reason: ev.reason, wasClean: ev.wasClean }
      if (this.state === 'closing') {
        if (this.#socketOpened) {
          this.owner.emit('close', { ...this.ref, code: ev.code, reason: ev.reason, wasClean: ev.wasClean, willReconnect: false })
        }
        this.#finish(undefined)
        return
      }
      if (gen !== this.#generation) return
      this.owner.timers.cancel(this.#timer)
      this.#timer = undefined
      const failure: Failure = { code: ev.code, reason: ev.reason, wasClean: ev.wasClean, error: this.#failure?.error }
      if (this.state === 'open') this.#dropped(failure)
      else this.#failed(failure)
    }
  }

  #opened(connectTime: number): void {
    const reopened = this.#everOpened
    this.#everOpened = true
    this.#socketOpened = true
    this.openedAt = now()
    this.lastFailure = undefined
    this.#setState('open')
    const socket = this.#socket!
    if (this.#buffer.length > 0) {
      const pending = this.#buffer
      this.#buffer = []
      this.#bufferBytes = 0
      for (const data of pending) {
        socket.send(data)
        this.owner.stats.message(false, byteLength(data))
      }
    }
    this.owner.emit('open', { ...this.ref, protocol: socket.protocol, reconnect: reopened, connectTime })
    this.owner.onOpen(this, reopened)
  }

  /** An open socket closed without being asked to. */
  #dropped(failure: Failure): void {
    const { reconnect } = this.owner.options
    if (reconnect && now() - this.openedAt >= reconnect.minUptime) this.attempt = 0
    const retry = this.#mayRetry(failure)
    this.owner.emit('close', { ...this.ref, code: failure.code, reason: failure.reason, wasClean: failure.wasClean, willReconnect: retry })
    if (retry) this.#retry(failure)
    else this.#finish(failure)
  }

  /** A connection attempt failed. */
  #failed(failure: Failure): void {
    const error = failure.error ?? new Error(`WebSocket closed with code ${failure.code} before opening`)
    failure.error = error
    this.lastFailure = failure
    this.#reportError(error, this.attempt + 1)
    if (this.#mayRetry(failure)) this.#retry(failure)
    else this.#finish(failure)
  }

  #reportError(error: Error, attempt: number | undefined): void {
    this.owner.stats.add('errors')
    this.owner.emit('error', { origin: this.url.origin, id: this.id, url: this.url.redacted, error, ...(attempt ? { attempt } : {}) })
    this.lease?._emit('error', error)
  }

  #mayRetry(failure: Failure): boolean {
    const policy = this.owner.options.reconnect
    if (!policy || this.attempt >= policy.maxAttempts || !this.owner.needsConnection(this)) return false
    const info: CloseInfo = { code: failure.code, reason: failure.reason, wasClean: failure.wasClean, attempt: this.attempt + 1 }
    try {
      return policy.shouldReconnect(info) !== false
    } catch {
      return false
    }
  }

  #retry(failure: Failure): void {
    const policy = this.owner.options.reconnect as Exclude<ResolvedOptions['reconnect'], false>
    this.lastFailure = failure
    this.attempt++
    const delay = Math.round(backoffDelay(this.attempt, policy, random))
    if (this.#everOpened) this.#setState('reconnecting')
    const event = { ...this.ref, attempt: this.attempt, delay, code: failure.code, reason: failure.reason }
    this.owner.emit('reconnecting', event)
    this.lease?._emit('reconnecting', { attempt: this.attempt, delay, code: failure.code, reason: failure.reason })
    this.#timer = this.owner.timers.set(() => {
      this.#timer = undefined
      if (this.owner.needsConnection(this)) void this.#attempt()
      else this.#finish(failure)
    }, delay, this.owner.isAwaited(this))
  }

  /** Retries now instead of waiting out the backoff (e.g. the browser came back online). */
  retryNow(): void {
    if (this.#timer === undefined || this.#socket !== null || (this.state !== 'connecting' && this.state !== 'reconnecting')) return
    this.owner.timers.cancel(this.#timer)
    this.#timer = undefined
    void this.#attempt()
  }

  /** Whether the connection waits out a backoff delay (no socket). */
  get waitingToRetry(): boolean {
    return this.#socket === null && this.#timer !== undefined
  }

  #finish(failure: Failure | undefined): void {
    if (this.state === 'closed') return
    this.#generation++
    this.owner.timers.cancel(this.#timer)
    this.#timer = undefined
    this.owner.timers.cancel(this.idleTimer)
    this.idleTimer = undefined
    if (failure) this.lastFailure = failure
    this.#setState('closed')
    this.owner.onClosed(this, failure)
  }

  #setState(next: ConnectionState): void {
    const prev = this.state
    if (prev === next) return
    this.state = next
    this.owner.onStateChange(this, prev, next)
  }

  #details() {
    return { origin: this.url.origin, url: this.url.redacted, closeCode: this.lastFailure?.code, closeReason: this.lastFailure?.reason }
  }
}

function asError(value: unknown, fallback: string): Error {
  if (value instanceof Error) return value
  return new Error(typeof value === 'string' && value ? value : fallback)
}
