/**
 * One pooled connection: a stable id across successive sockets. It owns the socket's lifecycle
 * (connect timeout, retries with backoff, the outbox while not open, the heartbeat while open)
 * and reports every transition to its owner, the HostPool, which decides what it is for.
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
import { Heartbeat } from './heartbeat.js'
import type { IdleSet } from './idle-set.js'
import type { Lease } from './lease.js'
import { Outbox } from './outbox.js'
import type { Waiter } from './pool-context.js'

/** States of a pooled connection. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed'

/** How an attempt or a socket ended. */
export interface Failure {
  code: number
  reason: string
  wasClean: boolean
  error?: Error
}

/** `connect ECONNREFUSED 127.0.0.1:1 (close code 1006)`: a failure as error messages quote it. */
export function describeFailure(f: Failure): string {
  return `${f.error?.message ?? 'connection closed'} (close code ${f.code}${f.reason ? `, reason "${f.reason}"` : ''})`
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
  /** Whether an attempt may start now (circuit breaker); if not, the connection waits another backoff delay. */
  mayAttempt(c: Connection): boolean
  onAttemptFailed(c: Connection): void
  onStateChange(c: Connection, prev: ConnectionState, next: ConnectionState): void
  onOpen(c: Connection, reopened: boolean): void
  /** An open socket closed unexpectedly (before any decision to retry). */
  onDropped(c: Connection): void
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
  /** `now()` readings: creation, last release, last open. */
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
  /** It was idle when its socket dropped (host bookkeeping: top up after it). */
  droppedIdle = false
  /** The idle timer (lazy: may outlive a reuse; see HostPool) and when the connection last went idle. */
  idleTimer: TimerHandle | undefined
  idleSince = 0
  /** Links of the idle set's age order (see IdleSet). */
  idleIn: IdleSet | null = null
  idlePrev: Connection | null = null
  idleNext: Connection | null = null
  /** Created on the first message sent while not open (most connections never need one). */
  #outbox: Outbox | null = null
  #socket: WebSocketLike | null = null
  /** Whether the current socket reached open. */
  #socketOpen = false
  #everOpened = false
  #heartbeat: Heartbeat | null = null
  #timer: TimerHandle | undefined
  /** Bumped per attempt and at shutdown so late callbacks of an old socket are ignored. */
  #generation = 0
  #failure: Failure | undefined
  /** Whether the final `close` event (willReconnect: false) went out. */
  #closeEmitted = false

  constructor(
    readonly id: number,
    readonly url: PoolUrl,
    readonly key: string,
    readonly protocols: readonly string[],
    readonly owner: ConnectionOwner,
  ) {
  }

  get ref() {
    return { origin: this.url.origin, id: this.id, url: this.url.redacted }
  }

  get protocol(): string {
    return this.#socket?.protocol ?? ''
  }

  get bufferedAmount(): number {
    return (this.#socket?.bufferedAmount ?? 0) + (this.#outbox?.bytes ?? 0)
  }

  /** Whether the connection waits out a backoff delay, with no socket. */
  get waitingToRetry(): boolean {
    return this.#socket === null && this.#timer !== undefined && this.state !== 'closing'
  }

  /** First attempt. */
  start(): void {
    this.#tryAttempt()
  }

  /** Sends now if open, else buffers within the `buffer` limits. */
  send(data: SendData): void {
    const socket = this.#socket
    if (this.#socketOpen && socket !== null && socket.readyState === 1) {
      socket.send(data)
      this.owner.stats.message(false, byteLength(data))
      return
    }
    if (this.state === 'closing' || this.state === 'closed') {
      throw new PoolError('ERR_LEASE_CLOSED', `Cannot send: the connection to ${this.url.redacted} is closed`, this.#details())
    }
    const { maxMessages, maxBytes } = this.owner.options.buffer
    this.#outbox ??= new Outbox(maxMessages, maxBytes)
    this.#outbox.push(data, byteLength(data), this.url.redacted, this.#details())
  }

  /** Discards buffered messages and reports them (`drop` event, stats). */
  dropBuffer(reason: DropReason): void {
    const outbox = this.#outbox
    if (outbox === null || outbox.length === 0) return
    const count = outbox.length
    const bytes = outbox.bytes
    outbox.take()
    this.owner.stats.add('dropped', count)
    this.owner.emit('drop', { ...this.ref, count, bytes, reason })
  }

  /** Closes for good (the pool or the holder asked); `onClosed` reports the end. */
  shutdown(code = 1000, reason = ''): void {
    if (this.state === 'closing' || this.state === 'closed') return
    const socket = this.#socket
    this.#generation++
    this.#stopTimers()
    if (socket === null) return this.#finish(undefined)
    this.#setState('closing')
    this.#listen(socket, this.#generation)
    if (socket.readyState === 0) return abortSocket(socket)
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

  /** Terminates the socket without a closing handshake; the drop is handled as unexpected. */
  kill(): void {
    const socket = this.#socket
    if (socket === null || this.state !== 'open') return
    abortSocket(socket)
    // Without `terminate()` (browsers) a half-open socket may take minutes to report its close:
    // handle the drop now; the socket's own close event is ignored once its handlers are gone.
    if (typeof socket.terminate !== 'function') socket.onclose?.({ code: 1006, reason: '', wasClean: false })
  }

  /** Retries now instead of waiting out the backoff (the browser came back online). */
  retryNow(): void {
    if (this.#timer === undefined || this.#socket !== null) return
    if (this.state !== 'connecting' && this.state !== 'reconnecting') return
    this.owner.timers.cancel(this.#timer)
    this.#timer = undefined
    this.#tryAttempt()
  }

  #tryAttempt(): void {
    if (!this.owner.needsConnection(this)) return this.#finish(this.lastFailure)
    if (this.owner.mayAttempt(this)) return void this.#attempt()
    // Another attempt to this failing origin is in flight: skip this turn, keep the same pace.
    const policy = this.owner.options.reconnect
    const delay = policy ? Math.round(backoffDelay(Math.max(1, this.attempt), policy, random)) : 1000
    this.#timer = this.owner.timers.set(() => {
      this.#timer = undefined
      this.#tryAttempt()
    }, Math.max(1, delay), this.owner.isAwaited(this))
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
        if (gen === this.#generation) this.#failed({ code: 1006, reason: '', wasClean: false, error: asError(error, 'resolveUrl failed') })
        return
      }
      if (gen !== this.#generation) return
    }
    let socket: WebSocketLike
    try {
      socket = openSocket(this.owner.ctor, target, this.protocols, options.binaryType, options.wsOptions)
    } catch (error) {
      return this.#failed({ code: 1006, reason: '', wasClean: false, error: asError(error, 'WebSocket constructor threw') })
    }
    this.#socket = socket
    this.#socketOpen = false
    const startedAt = now()
    this.#listen(socket, gen)
    socket.onopen = () => {
      socket.onopen = null // frees this attempt's closure context for the socket's lifetime
      if (gen !== this.#generation) return
      this.owner.timers.cancel(this.#timer)
      this.#timer = undefined
      const connectTime = now() - startedAt
      this.owner.stats.latency('connectTime', connectTime)
      this.#opened(socket, connectTime)
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
      if (gen !== this.#generation || !this.#socketOpen) return
      const data = ev.data
      const hb = this.#heartbeat
      if (hb !== null) {
        hb.seen()
        if (hb.isPong(data)) return
      }
      this.owner.stats.message(true, byteLength(data))
      this.lease?._deliver(data)
    }
    socket.onerror = (ev: { error?: unknown; message?: string }) => {
      if (gen !== this.#generation || this.state === 'closing') return
      const error = asError(ev?.error, ev?.message || 'WebSocket error')
      this.#failure ??= { code: 1006, reason: '', wasClean: false, error }
      this.#failure.error ??= error
      // An attempt's error is reported once, when the attempt fails; an open socket's at once.
      if (this.#socketOpen) this.#reportError(error, undefined)
    }
    socket.onclose = (ev) => {
      socket.onopen = socket.onmessage = socket.onclose = null
      socket.onerror = () => {}
      if (this.#socket !== socket) return
      const wasOpen = this.#socketOpen
      this.#socket = null
      this.#socketOpen = false
      this.#heartbeat?.stop()
      this.#heartbeat = null
      const info: Failure = { code: ev.code, reason: ev.reason, wasClean: ev.wasClean }
      this.lastClose = info
      if (this.state === 'closing') {
        if (wasOpen) this.#emitClose(info, false)
        return this.#finish(undefined)
      }
      if (gen !== this.#generation) return
      this.owner.timers.cancel(this.#timer)
      this.#timer = undefined
      info.error = this.#failure?.error
      if (wasOpen) this.#dropped(info)
      else this.#failed(info)
    }
  }

  #opened(socket: WebSocketLike, connectTime: number): void {
    const reopened = this.#everOpened
    this.#everOpened = true
    this.#socketOpen = true
    this.openedAt = now()
    this.lastFailure = undefined
    this.#setState('open')
    for (const data of this.#outbox?.take() ?? []) {
      socket.send(data)
      this.owner.stats.message(false, byteLength(data))
    }
    const hb = this.owner.options.heartbeat
    if (hb) {
      this.#heartbeat = new Heartbeat(hb, this.owner.timers, socket, () => {
        this.owner.emit('evict', { ...this.ref, reason: 'heartbeat' })
        this.#failure = { code: 1006, reason: '', wasClean: false, error: new Error(`No reply to the heartbeat within ${hb.timeout} ms`) }
        this.kill()
      })
    }
    this.owner.emit('open', { ...this.ref, protocol: socket.protocol, reconnect: reopened, connectTime })
    this.owner.onOpen(this, reopened)
  }

  /** An open socket closed without being asked to. */
  #dropped(failure: Failure): void {
    this.owner.onDropped(this)
    const { reconnect } = this.owner.options
    if (reconnect && now() - this.openedAt >= reconnect.minUptime) this.attempt = 0
    const retry = this.#mayRetry(failure)
    this.#emitClose(failure, retry)
    if (retry) this.#retry(failure)
    else this.#finish(failure)
  }

  /** A connection attempt failed. */
  #failed(failure: Failure): void {
    failure.error ??= new Error(`WebSocket closed with code ${failure.code} before opening`)
    this.lastFailure = failure
    this.#reportError(failure.error, this.attempt + 1)
    this.owner.onAttemptFailed(this)
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
    const { code, reason } = failure
    this.owner.emit('reconnecting', { ...this.ref, attempt: this.attempt, delay, code, reason })
    this.lease?._emit('reconnecting', { attempt: this.attempt, delay, code, reason })
    this.#timer = this.owner.timers.set(() => {
      this.#timer = undefined
      this.#tryAttempt()
    }, delay, this.owner.isAwaited(this))
  }

  #emitClose(info: Failure, willReconnect: boolean): void {
    if (!willReconnect) this.#closeEmitted = true
    this.owner.emit('close', { ...this.ref, code: info.code, reason: info.reason, wasClean: info.wasClean, willReconnect })
  }

  #finish(failure: Failure | undefined): void {
    if (this.state === 'closed') return
    this.#generation++
    this.#stopTimers()
    if (failure) this.lastFailure = failure
    // Every connection ends with one final `close`, even one whose socket never opened.
    if (!this.#closeEmitted) this.#emitClose(failure ?? this.lastClose ?? { code: 1006, reason: '', wasClean: false }, false)
    this.#setState('closed')
    this.owner.onClosed(this, failure)
  }

  #stopTimers(): void {
    const { timers } = this.owner
    timers.cancel(this.#timer)
    timers.cancel(this.idleTimer)
    this.#timer = this.idleTimer = undefined
    this.#heartbeat?.stop()
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
