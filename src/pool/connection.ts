/**
 * One pooled connection: a stable id across successive sockets (links), and the state machine
 * behind it: attempts, retries (when: its {@link RetrySchedule}), the outbox while not open, the
 * heartbeat while open. It reports every transition through the port its owner implements
 * ({@link ConnectionPort}) and never learns what it is used for.
 *
 * Invariants:
 * - it counts toward the caps from `start()` until `closed()` is reported, which happens only
 *   once no socket of it can still be open (after its close event, or with no socket at all);
 * - only the current link reports (older ones are detached), and after every call into user code
 *   (`shouldReconnect`, `isPong`, listeners) the code that follows checks `#gen` or the state again.
 */
import { PoolError } from '../core/errors.js'
import { lost, type Failure } from '../core/failure.js'
import { ask } from '../core/refusals.js'
import type { ResolvedReconnect } from '../core/options.js'
import type { SendData, WebSocketLike } from '../core/socket.js'
import type { PoolUrl } from '../core/url.js'
import { byteLength, write } from '../runtime/transport.js'
import type { ConnectionEnv, ConnectionPort, ConnectionState } from './connection-port.js'
import type { ConnectionRef, DropReason } from './events.js'
import { Link, type LinkOwner } from './link.js'
import { Outbox } from './outbox.js'
import { RetrySchedule } from './retry-schedule.js'

/** Grace for a closing handshake before the socket is terminated. */
const CLOSE_GRACE = 1000

export class Connection implements LinkOwner {
  state: ConnectionState = 'connecting'
  openedAt = 0
  lastFailure: Failure | undefined
  /** How the last socket closed. */
  lastClose: Failure | undefined
  /** Created on the first message held while not open (most connections never need one). */
  #outbox: Outbox | null = null
  #link: Link | null = null
  /** The current link's socket while it is open (the send path's one check). */
  #socket: WebSocketLike | null = null
  #everOpened = false
  /** When it tries again: the retry timer, the attempts and the backoff clock. */
  readonly #schedule: RetrySchedule
  /** Bumped whenever a decision is made, so code after a call into user code can tell it was overtaken. */
  #gen = 0
  /** Whether the final `close` event (willReconnect: false) went out. */
  #closeEmitted = false
  /** Its socket is closing for the back/forward cache (see `suspend`). */
  #suspending = false
  /** `heartbeat.isPong`, when set: replies it matches are neither delivered nor counted. */
  readonly #isPong: ((data: unknown) => boolean) | undefined

  constructor(
    readonly id: number,
    /** Where it connects; it moves to another replica's URL with `retarget`. */
    public url: PoolUrl,
    readonly protocols: readonly string[],
    readonly env: ConnectionEnv,
    readonly port: ConnectionPort,
  ) {
    const hb = env.options.heartbeat
    this.#isPong = hb ? hb.isPong : undefined
    this.#schedule = new RetrySchedule(env, port, () => this.#try())
  }

  get ref(): ConnectionRef { return { origin: this.url.origin, id: this.id, url: this.url.redacted } }
  get protocol(): string { return this.#link?.socket?.protocol ?? '' }
  get bufferedAmount(): number { return (this.#link?.socket?.bufferedAmount ?? 0) + (this.#outbox?.bytes ?? 0) }
  /** Whether the socket is open and writable: a `send` now goes straight out. */
  get writable(): boolean { return this.#socket !== null && this.#socket.readyState === 1 }
  /** Retries since the last stable open (reset after `minUptime`). */
  get attempt(): number { return this.#schedule.attempt }
  /** Whether it waits out a delay before its next attempt, with no socket. */
  get waiting(): boolean { return this.#schedule.waiting }

  start(): void {
    this.#try()
  }

  /**
   * Writes `data` when the socket is open and writable (returns true); otherwise holds it, in
   * order and within the `buffer` limits, for the next open (returns false).
   * @throws PoolError `ERR_LEASE_CLOSED`, `ERR_BUFFER_FULL`
   */
  send(data: SendData, tag?: object): boolean {
    const socket = this.#socket
    if (socket !== null && socket.readyState === 1) {
      this.port.stats.message(false, write(socket, data))
      return true
    }
    if (this.state === 'closing' || this.state === 'closed') {
      throw new PoolError('ERR_LEASE_CLOSED', `Cannot send: the connection to ${this.url.redacted} is closed`, this.#details())
    }
    const { maxMessages, maxBytes } = this.env.options.buffer
    this.#outbox ??= new Outbox(maxMessages, maxBytes)
    this.#outbox.push(data, byteLength(data), this.url.redacted, this.#details(), tag)
    return false
  }

  /** Takes back a held message that was sent with `tag` (a request that no longer goes out here). */
  withdraw(tag: object): void {
    this.#outbox?.withdraw(tag)
  }

  /** Discards held messages and reports them (`drop` event, stats); tagged ones were withdrawn by their owners first. */
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
    this.#gen++
    this.#schedule.stop()
    const link = this.#link
    if (link === null) return this.#finish(undefined)
    this.#socket = null
    this.#setState('closing')
    link.close(code, reason, CLOSE_GRACE)
  }

  /**
   * The page goes into the back/forward cache: an open socket closes cleanly (1001), and the
   * connection waits, buffering what is sent, until the page comes back (`retrySoon`).
   */
  suspend(): void {
    const link = this.#link
    if (link === null || this.#socket === null || this.state !== 'open') return
    this.#suspending = true
    this.#socket = null // sends are held from now on
    link.close(1001, 'page hidden', CLOSE_GRACE)
  }

  /** The page became visible: an open socket that has been silent is probed at once. */
  wake(): void {
    this.#link?.wake()
  }

  /** Waiting out a delay: try within `window` ms instead (jittered, never later than planned). */
  retrySoon(window: number): void {
    this.#schedule.soon(window)
  }

  // LinkOwner ---------------------------------------------------------------------------------

  linkOpened(connectTime: number): void {
    const { timers } = this.env
    const socket = (this.#socket = this.#link!.socket!)
    this.port.stats.latency('connectTime', connectTime)
    const reopened = this.#everOpened
    this.#everOpened = true
    this.openedAt = timers.now()
    this.lastFailure = undefined
    this.#setState('open')
    const [held, tags] = this.#outbox?.take() ?? [[], null]
    for (let i = 0; i < held.length; i++) {
      this.port.stats.message(false, write(socket, held[i]))
      const tag = tags?.[i]
      if (tag) this.port.flushed(tag)
    }
    this.env.emit('open', { ...this.ref, protocol: socket.protocol, reconnect: reopened, connectTime })
    this.port.opened(reopened)
  }

  /** The receive path: counters first, then the one tap. */
  linkMessage(data: unknown, bytes: number): void {
    const isPong = this.#isPong
    if (isPong !== undefined) {
      const socket = this.#socket
      if (ask('heartbeat.isPong', isPong, data, this.#details(), (e) => this.#emitError(e)) === true || this.#socket !== socket) return
    }
    this.port.stats.message(true, bytes)
    this.port.message(data)
  }

  linkError(error: Error): void {
    this.#report(error, undefined)
  }

  linkEnded(failure: Failure, wasOpen: boolean): void {
    this.#link = null
    this.#socket = null
    this.lastClose = failure
    if (this.state === 'closing') return this.#finish(undefined)
    if (this.#suspending) return this.#suspended(failure)
    if (wasOpen) this.#dropped(failure)
    else this.#failed(failure)
  }

  // internals ---------------------------------------------------------------------------------

  #try(): void {
    if (!this.port.wanted()) return this.#finish(this.lastFailure)
    // Offline, frozen, or another attempt to this failing origin in flight: it waits again.
    if (!this.#schedule.ready()) return
    this.env.emit('connect', { ...this.ref, attempt: this.#schedule.attempt + 1 })
    const link = (this.#link = new Link(this))
    link.start()
  }

  /** Its socket closed for the back/forward cache: it reconnects when the page comes back (no backoff step spent). */
  #suspended(failure: Failure): void {
    this.#suspending = false
    // Not a failure: the backoff starts afresh if reopening fails.
    this.#schedule.reset()
    this.port.dropped()
    if (!this.port.wanted()) return this.#finish(failure)
    this.#setState('reconnecting')
    this.#emitClose(failure, true)
    this.#schedule.wait() // until the page comes back (`retrySoon`)
  }

  /** An open socket closed without being asked to. */
  #dropped(failure: Failure): void {
    this.port.dropped()
    // Its lost requests were all it carried: its owner closed it meanwhile (one final close).
    if (this.state === 'closed') return
    this.#schedule.dropped(this.openedAt)
    // The state says what is true (no socket) before `shouldReconnect`, user code, is asked.
    this.#setState('reconnecting')
    this.#decide(failure, true)
  }

  /** A connection attempt failed. */
  #failed(failure: Failure): void {
    failure.error ??= new Error(`WebSocket closed with code ${failure.code} before opening`)
    this.lastFailure = failure
    this.#report(failure.error, this.#schedule.attempt + 1)
    this.port.attemptFailed(failure)
    this.#decide(failure, false)
  }

  /** Retry or give up, as the policy (`shouldReconnect`: user code) and the owner say. */
  #decide(failure: Failure, wasOpen: boolean): void {
    const gen = ++this.#gen
    const policy = this.env.options.reconnect
    let retry = false
    const { attempt } = this.#schedule
    if (policy && attempt < policy.maxAttempts && this.port.wanted()) {
      const { code, reason, wasClean } = failure
      const info = { code, reason, wasClean, attempt: attempt + 1 }
      retry = ask('reconnect.shouldReconnect', policy.shouldReconnect, info, this.#details(), (e) => this.#emitError(e)) !== false
      if (gen !== this.#gen || this.state === 'closed') return
      retry &&= this.port.wanted()
    }
    if (wasOpen) this.#emitClose(failure, retry)
    if (retry) this.#retry(failure, policy as ResolvedReconnect)
    else this.#finish(failure)
  }

  #retry(failure: Failure, policy: ResolvedReconnect): void {
    this.lastFailure = failure
    if (this.#everOpened) this.#setState('reconnecting')
    this.#schedule.retry(failure, policy, this.ref)
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
    this.#schedule.stop()
    this.#link?.detach()
    this.#link = this.#socket = null
    if (failure) this.lastFailure = failure
    // Every connection ends with one final `close`, even one whose socket never opened.
    if (!this.#closeEmitted) this.#emitClose(failure ?? this.lastClose ?? lost(), false)
    this.#setState('closed')
    this.port.closed(failure)
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
