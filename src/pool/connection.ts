/**
 * One pooled connection: a stable id across successive sockets, and the socket state machine
 * behind it: attempts (`resolveUrl` + handshake, bounded together by `connectTimeout`), retries
 * with backoff, the outbox while not open, the heartbeat while open. It reports every transition
 * through the small port its owner implements, and never learns what it is used for.
 *
 * Invariants:
 * - it counts toward the caps from `start()` until `closed()` is reported, which happens only
 *   once no socket of it can still be open (after its close event, or with no socket at all);
 * - socket handlers act only for the current socket (`socket === #socket`), timers and
 *   `resolveUrl` results only for the current attempt (`#gen`): whatever user code does in
 *   between (a listener, `resolveUrl`, `shouldReconnect`, `isPong`, an injected constructor)
 *   invalidates them, and the code after each such call checks again.
 */
import { backoffDelay } from '../core/backoff.js'
import { PoolError } from '../core/errors.js'
import type { ResolvedOptions, ResolvedReconnect } from '../core/options.js'
import type { SendData, WebSocketConstructor, WebSocketLike } from '../core/socket.js'
import type { StatsRecord } from '../core/stats.js'
import { parsePoolUrl, type PoolUrl } from '../core/url.js'
import type { TimerHandle, Timers } from '../runtime/clock.js'
import { abortSocket, byteLength, onMessages, openSocket, write } from '../runtime/transport.js'
import type { ConnectionRef, DropReason, PoolEvents } from './events.js'
import { Heartbeat } from './heartbeat.js'
import { Outbox } from './outbox.js'

/** States of a pooled connection. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed'

/** How an attempt or a socket ended. */
export interface Failure {
  code: number
  reason: string
  wasClean: boolean
  error?: Error
}

/** What every connection of a pool shares. */
export interface ConnectionEnv {
  readonly options: ResolvedOptions
  readonly timers: Timers
  readonly ctor: WebSocketConstructor
  /** The constructor is `ws` (its own message event and buffer sends are used). */
  readonly nodeWs: boolean
  emit<K extends keyof PoolEvents>(type: K, event: PoolEvents[K]): void
  /** Runs `fn` as one batch of changes (events go out when it returns). */
  run(fn: () => void): void
}

/** What a connection tells, and asks, its owner (the host's record of it). */
export interface ConnectionPort {
  readonly stats: StatsRecord
  /** Whether someone still wants this connection (a holder, a waiter, the warm set). No side effects. */
  wanted(): boolean
  /** Whether a caller awaits this connection (its timers then keep a Node process alive). */
  awaited(): boolean
  /** Takes the origin's attempt if one may start now (single-flight while the circuit is not closed). */
  claim(): boolean
  stateChanged(prev: ConnectionState, next: ConnectionState): void
  opened(reopened: boolean): void
  attemptFailed(failure: Failure): void
  /** An open socket closed unexpectedly (before the retry decision). */
  dropped(): void
  /** An inbound message (heartbeat replies excluded). */
  message(data: unknown): void
  /** A holder-level event: `reconnecting`, `error`, or `open` after a reconnect. */
  notify(type: 'reconnecting' | 'error' | 'open', event: unknown): void
  /** Final: the connection is gone; `failure` is set when it ended because connecting gave up. */
  closed(failure: Failure | undefined): void
}

/** Grace for a closing handshake before the socket is terminated. */
const CLOSE_GRACE = 1000
const lost = (error?: Error): Failure => ({ code: 1006, reason: '', wasClean: false, error })

export class Connection {
  state: ConnectionState = 'connecting'
  /** Retries since the last stable open (reset after `minUptime`). */
  attempt = 0
  openedAt = 0
  lastFailure: Failure | undefined
  /** How the last socket closed. */
  lastClose: Failure | undefined
  /** Created on the first message held while not open (most connections never need one). */
  #outbox: Outbox | null = null
  #socket: WebSocketLike | null = null
  /** Whether the current socket reached open (and was not closed on purpose since). */
  #open = false
  #everOpened = false
  #hb: Heartbeat | null = null
  #timer: TimerHandle | undefined
  #retryAt = 0
  /** Bumped per attempt and whenever one ends, so late timers and `resolveUrl` results are ignored. */
  #gen = 0
  #failure: Failure | undefined
  /** Whether the final `close` event (willReconnect: false) went out. */
  #closeEmitted = false

  constructor(
    readonly id: number,
    readonly url: PoolUrl,
    readonly protocols: readonly string[],
    readonly env: ConnectionEnv,
    readonly port: ConnectionPort,
  ) {}

  get ref(): ConnectionRef {
    return { origin: this.url.origin, id: this.id, url: this.url.redacted }
  }

  get protocol(): string {
    return this.#socket?.protocol ?? ''
  }

  get bufferedAmount(): number {
    return (this.#socket?.bufferedAmount ?? 0) + (this.#outbox?.bytes ?? 0)
  }

  /** Whether the socket is open and writable: a `send` now goes straight out. */
  get writable(): boolean {
    return this.#open && this.#socket!.readyState === 1
  }

  /** Messages held for the next open. */
  get held(): number {
    return this.#outbox?.length ?? 0
  }

  /** Whether it waits out a delay before its next attempt, with no socket. */
  get waiting(): boolean {
    return this.#socket === null && this.#timer !== undefined && this.state !== 'closing'
  }

  start(): void {
    this.#try()
  }

  /**
   * Writes `data` when the socket is open and writable (returns true); otherwise holds it, in
   * order and within the `buffer` limits, for the next open (returns false).
   * @throws PoolError `ERR_LEASE_CLOSED`, `ERR_BUFFER_FULL`
   */
  send(data: SendData): boolean {
    const socket = this.#socket
    if (this.#open && socket!.readyState === 1) {
      this.port.stats.message(false, write(socket!, this.env.nodeWs, data))
      return true
    }
    if (this.state === 'closing' || this.state === 'closed') {
      throw new PoolError('ERR_LEASE_CLOSED', `Cannot send: the connection to ${this.url.redacted} is closed`, this.#details())
    }
    const { maxMessages, maxBytes } = this.env.options.buffer
    this.#outbox ??= new Outbox(maxMessages, maxBytes)
    this.#outbox.push(data, byteLength(data), this.url.redacted, this.#details())
    return false
  }

  /** Discards held messages and reports them (`drop` event, stats). */
  drop(reason: DropReason): void {
    const outbox = this.#outbox
    if (outbox === null || outbox.length === 0) return
    const count = outbox.length
    const bytes = outbox.bytes
    outbox.take()
    this.port.stats.add('dropped', count)
    this.env.emit('drop', { ...this.ref, count, bytes, reason })
  }

  /** Closes for good (the pool or the holder asked); `closed()` reports the end. */
  shutdown(code = 1000, reason = ''): void {
    if (this.state === 'closing' || this.state === 'closed') return
    const socket = this.#socket
    this.#gen++
    this.#stop()
    if (socket === null) return this.#finish(undefined)
    this.#open = false
    this.#setState('closing')
    if (socket.readyState === 0) abortSocket(socket)
    else {
      try {
        socket.close(code, reason)
      } catch {
        abortSocket(socket)
      }
    }
    this.#timer = this.env.timers.set(() => {
      abortSocket(socket)
      // Browsers cannot force a close: stop counting it rather than wait forever.
      if (this.state === 'closing') this.#finish(undefined)
    }, CLOSE_GRACE, true)
  }

  /** Waiting out a delay: try within `window` ms instead (jittered, never later than planned). */
  retrySoon(window: number): void {
    if (!this.waiting) return
    const { timers } = this.env
    this.#stop()
    this.#wait(Math.round(timers.random() * Math.max(0, Math.min(this.#retryAt - timers.now(), window))))
  }

  #try(): void {
    this.#timer = undefined
    if (!this.port.wanted()) return this.#finish(this.lastFailure)
    if (this.port.claim()) return this.#attempt()
    // Another attempt to this failing origin is in flight: skip this turn, keep the same pace.
    const policy = this.env.options.reconnect
    this.#wait(policy ? this.#backoff(Math.max(1, this.attempt), policy) : 1000)
  }

  #wait(ms: number): void {
    const { timers } = this.env
    this.#retryAt = timers.now() + ms
    this.#timer = timers.set(() => this.#try(), ms, this.port.awaited())
  }

  #backoff(attempt: number, policy: ResolvedReconnect): number {
    return Math.round(backoffDelay(attempt, policy, () => this.env.timers.random()))
  }

  #attempt(): void {
    const gen = ++this.#gen
    const { options, timers } = this.env
    this.#failure = undefined
    this.env.emit('connect', { ...this.ref, attempt: this.attempt + 1 })
    // One timer bounds the whole attempt, `resolveUrl` included.
    this.#timer = timers.set(() => {
      this.#timer = undefined
      const error = new Error(`Connection attempt timed out after ${options.connectTimeout} ms`)
      const socket = this.#socket
      if (socket === null) return this.#failed(lost(error))
      this.#failure ??= lost(error)
      abortSocket(socket)
    }, options.connectTimeout, this.port.awaited())
    const resolve = options.resolveUrl
    if (resolve === undefined) return this.#connect(gen, this.url.href)
    let target: string | PromiseLike<string>
    try {
      target = resolve(this.url.href)
    } catch (error) {
      return this.#resolveFailed(gen, error)
    }
    if (gen !== this.#gen) return
    if (typeof (target as PromiseLike<string>)?.then !== 'function') return this.#connect(gen, target)
    Promise.resolve(target).then(
      (href) => this.env.run(() => this.#connect(gen, href)),
      (error: unknown) => this.env.run(() => this.#resolveFailed(gen, error)),
    )
  }

  #resolveFailed(gen: number, error: unknown): void {
    if (gen === this.#gen) this.#failed(lost(asError(error, 'resolveUrl failed')))
  }

  #connect(gen: number, target: unknown): void {
    if (gen !== this.#gen) return
    const { options, nodeWs } = this.env
    let socket: WebSocketLike
    try {
      const href = target === this.url.href ? target : parsePoolUrl(target, options.requireSecure).href
      socket = openSocket(this.env.ctor, href, this.protocols, options.binaryType, options.wsOptions)
    } catch (error) {
      return this.#failed(lost(asError(error, 'WebSocket constructor threw')))
    }
    // An injected constructor is user code too: it may have changed everything.
    if (gen !== this.#gen) return abortSocket(socket)
    this.#socket = socket
    this.#open = false
    const startedAt = this.env.timers.now()
    socket.onopen = () => {
      socket.onopen = null // frees this closure for the socket's lifetime
      if (socket === this.#socket) this.env.run(() => this.#opened(socket, startedAt))
    }
    onMessages(socket, nodeWs, (data, bytes) => this.#message(socket, data, bytes))
    socket.onerror = (ev: { error?: unknown; message?: string }) => {
      if (socket === this.#socket) this.env.run(() => this.#error(ev))
    }
    socket.onclose = (ev: { code: number; reason: string; wasClean: boolean }) => {
      socket.onopen = socket.onmessage = socket.onclose = null
      socket.onerror = () => {}
      if (socket === this.#socket) this.env.run(() => this.#closed({ code: ev.code, reason: ev.reason, wasClean: ev.wasClean }))
    }
  }

  #opened(socket: WebSocketLike, startedAt: number): void {
    const { options, timers, nodeWs } = this.env
    timers.cancel(this.#timer)
    this.#timer = undefined
    const connectTime = timers.now() - startedAt
    this.port.stats.latency('connectTime', connectTime)
    const reopened = this.#everOpened
    this.#everOpened = this.#open = true
    this.openedAt = timers.now()
    this.lastFailure = undefined
    this.#setState('open')
    for (const data of this.#outbox?.take() ?? []) this.port.stats.message(false, write(socket, nodeWs, data))
    const hb = options.heartbeat
    if (hb) this.#hb = new Heartbeat(hb, timers, socket, () => this.#dead(hb.timeout))
    this.env.emit('open', { ...this.ref, protocol: socket.protocol, reconnect: reopened, connectTime })
    this.port.opened(reopened)
  }

  /** The receive path: no batch, no clock read; counters first, then the one tap. */
  #message(socket: WebSocketLike, data: unknown, bytes: number): void {
    if (socket !== this.#socket || !this.#open) return
    const hb = this.#hb
    if (hb !== null) {
      hb.seen()
      if (this.#isPong(data) || socket !== this.#socket) return
    }
    this.port.stats.message(true, bytes)
    this.port.message(data)
  }

  #isPong(data: unknown): boolean {
    const isPong = this.env.options.heartbeat && this.env.options.heartbeat.isPong
    if (!isPong) return false
    try {
      return isPong(data) === true
    } catch (error) {
      this.#emitError(callbackError('heartbeat.isPong', error, this.#details()))
      return false
    }
  }

  #error(ev: { error?: unknown; message?: string }): void {
    if (this.state === 'closing') return
    const error = asError(ev?.error, ev?.message || 'WebSocket error')
    this.#failure ??= lost(error)
    this.#failure.error ??= error
    // An attempt's error is reported once, when the attempt fails; an open socket's at once.
    if (this.#open) this.#report(error, undefined)
  }

  /** The current socket closed (its close event, or a heartbeat verdict where it cannot be forced). */
  #closed(info: Failure): void {
    const wasOpen = this.#open
    this.#socket = null
    this.#open = false
    this.#hb?.stop()
    this.#hb = null
    this.lastClose = info
    if (this.state === 'closing') return this.#finish(undefined)
    this.env.timers.cancel(this.#timer)
    this.#timer = undefined
    info.error = this.#failure?.error
    if (wasOpen) this.#dropped(info)
    else this.#failed(info)
  }

  #dead(timeout: number): void {
    const socket = this.#socket
    if (socket === null || !this.#open) return
    this.env.emit('evict', { ...this.ref, reason: 'heartbeat' })
    this.#failure = lost(new Error(`No reply to the heartbeat within ${timeout} ms`))
    abortSocket(socket)
    // Without `terminate()` (browsers) a half-open socket may take minutes to report its close:
    // handle the drop now; its own close event is ignored once it is no longer the current socket.
    if (typeof socket.terminate !== 'function') this.#closed(lost())
  }

  /** An open socket closed without being asked to. */
  #dropped(failure: Failure): void {
    this.#gen++
    this.port.dropped()
    const policy = this.env.options.reconnect
    if (policy && this.env.timers.now() - this.openedAt >= policy.minUptime) this.attempt = 0
    // The state says what is true (no socket) before `shouldReconnect`, user code, is asked.
    this.#setState('reconnecting')
    this.#decide(failure, true)
  }

  /** A connection attempt failed. */
  #failed(failure: Failure): void {
    this.#gen++
    this.env.timers.cancel(this.#timer)
    this.#timer = undefined
    failure.error ??= new Error(`WebSocket closed with code ${failure.code} before opening`)
    this.lastFailure = failure
    this.#report(failure.error, this.attempt + 1)
    this.port.attemptFailed(failure)
    this.#decide(failure, false)
  }

  /** Retry or give up, as the policy (`shouldReconnect`: user code) and the owner say. */
  #decide(failure: Failure, wasOpen: boolean): void {
    const policy = this.env.options.reconnect
    let retry = false
    if (policy && this.attempt < policy.maxAttempts && this.port.wanted()) {
      const gen = this.#gen
      const { code, reason, wasClean } = failure
      try {
        retry = policy.shouldReconnect({ code, reason, wasClean, attempt: this.attempt + 1 }) !== false
      } catch (error) {
        this.#emitError(callbackError('reconnect.shouldReconnect', error, this.#details()))
      }
      if (gen !== this.#gen || this.state === 'closed') return
      retry &&= this.port.wanted()
    }
    if (wasOpen) this.#emitClose(failure, retry)
    if (retry) this.#retry(failure, policy as ResolvedReconnect)
    else this.#finish(failure)
  }

  #retry(failure: Failure, policy: ResolvedReconnect): void {
    this.lastFailure = failure
    const attempt = ++this.attempt
    const delay = this.#backoff(attempt, policy)
    if (this.#everOpened) this.#setState('reconnecting')
    const { code, reason } = failure
    this.env.emit('reconnecting', { ...this.ref, attempt, delay, code, reason })
    this.port.notify('reconnecting', { attempt, delay, code, reason })
    this.#wait(delay)
  }

  #report(error: Error, attempt: number | undefined): void {
    this.port.stats.add('errors')
    this.#emitError(error, attempt)
  }

  #emitError(error: Error, attempt?: number): void {
    this.env.emit('error', { origin: this.url.origin, id: this.id, url: this.url.redacted, error, ...(attempt ? { attempt } : {}) })
    this.port.notify('error', error)
  }

  #emitClose(info: Failure, willReconnect: boolean): void {
    if (!willReconnect) this.#closeEmitted = true
    this.env.emit('close', { ...this.ref, code: info.code, reason: info.reason, wasClean: info.wasClean, willReconnect })
  }

  #finish(failure: Failure | undefined): void {
    if (this.state === 'closed') return
    this.#gen++
    this.#stop()
    if (failure) this.lastFailure = failure
    // Every connection ends with one final `close`, even one whose socket never opened.
    if (!this.#closeEmitted) this.#emitClose(failure ?? this.lastClose ?? lost(), false)
    this.#setState('closed')
    this.port.closed(failure)
  }

  #stop(): void {
    this.env.timers.cancel(this.#timer)
    this.#timer = undefined
    this.#hb?.stop()
  }

  #setState(next: ConnectionState): void {
    const prev = this.state
    if (prev === next) return
    this.state = next
    this.port.stateChanged(prev, next)
  }

  #details() {
    return { origin: this.url.origin, url: this.url.redacted, closeCode: this.lastFailure?.code, closeReason: this.lastFailure?.reason }
  }
}

/** `value` as an Error: itself, or a new one with its text (or `fallback`). */
export function asError(value: unknown, fallback: string): Error {
  if (value instanceof Error) return value
  return new Error(typeof value === 'string' && value ? value : fallback)
}

/** A callback of the pool's options threw: a `PoolError` that carries what it threw. */
function callbackError(option: string, thrown: unknown, details: object): PoolError {
  return new PoolError('ERR_INVALID_OPTION', `\`${option}\` threw (taken as false): ${asError(thrown, String(thrown)).message}`, { ...details, cause: thrown })
}

/** `connect ECONNREFUSED 127.0.0.1:1 (close code 1006)`: a failure as error messages quote it. */
export function describeFailure(f: Failure): string {
  return `${f.error?.message ?? 'connection closed'} (close code ${f.code}${f.reason ? `, reason "${f.reason}"` : ''})`
}
