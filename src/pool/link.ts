/**
 * One socket of a connection, from its attempt to its close: `resolveUrl` and the handshake under
 * one `connectTimeout` timer, then messages, errors and the close. It reports to its owner only
 * until it is detached (the owner moved on, or gave it up): every handler, timer and `resolveUrl`
 * continuation checks that first, so nothing stale ever reaches the connection.
 */
import { asError, lost, type Failure } from '../core/failure.js'
import { parsePoolUrl, type PoolUrl } from '../core/url.js'
import type { WebSocketLike } from '../core/socket.js'
import type { TimerHandle } from '../runtime/clock.js'
import { BROWSER } from '../runtime/platform.js'
import { abortSocket, listen, openSocket, type SocketListener } from '../runtime/transport.js'
import type { ConnectionEnv } from './connection-port.js'
import type { ConnectionRef } from './events.js'
import { Heartbeat } from './heartbeat.js'

/** What a link reports to its connection. */
export interface LinkOwner {
  readonly env: ConnectionEnv
  readonly url: PoolUrl
  readonly protocols: readonly string[]
  readonly ref: ConnectionRef
  linkOpened(connectTime: number): void
  /** An inbound message (the receive path: no batch, no clock read). */
  linkMessage(data: unknown, bytes: number): void
  /** An error of the open socket. */
  linkError(error: Error): void
  /** The attempt failed (`wasOpen` false) or the open socket closed; the link is spent. */
  linkEnded(failure: Failure, wasOpen: boolean): void
}

export class Link implements SocketListener {
  #owner: LinkOwner | null
  #socket: WebSocketLike | null = null
  #open = false
  /** The error seen before the close event that reports it. */
  #failure: Failure | undefined
  #timer: TimerHandle | undefined
  #startedAt = 0
  /** The liveness probe while open (`heartbeat` option). */
  #hb: Heartbeat | null = null
  /** The constructor (user code) is running; a `close` asked meanwhile waits for its socket. */
  #constructing = false
  #closeAsked: [code: number, reason: string, grace: number] | undefined

  constructor(owner: LinkOwner) {
    this.#owner = owner
  }

  get socket(): WebSocketLike | null {
    return this.#socket
  }

  /** Resolves the URL (`resolveUrl`, user code) and opens the socket, all within `connectTimeout`. */
  start(): void {
    const owner = this.#owner!
    const { options, timers } = owner.env
    this.#timer = timers.set(() => {
      this.#timer = undefined
      const error = new Error(`Connection attempt timed out after ${options.connectTimeout} ms`)
      if (this.#socket === null) return this.#end(lost(error))
      this.#failure ??= lost(error)
      abortSocket(this.#socket)
    }, options.connectTimeout, true)
    const href = owner.url.href
    const resolve = options.resolveUrl
    if (resolve === undefined) return this.#connect(href)
    let target: string | PromiseLike<string>
    let thenable: boolean
    try {
      target = resolve(href)
      thenable = typeof (target as PromiseLike<string>)?.then === 'function' // a getter is user code too
    } catch (error) {
      return this.#resolveFailed(error)
    }
    if (!thenable) return this.#connect(target)
    Promise.resolve(target).then(
      (t) => this.#owner?.env.run(() => this.#connect(t)),
      (error: unknown) => this.#owner?.env.run(() => this.#resolveFailed(error)),
    )
  }

  /** Closes the socket on purpose; the owner hears `linkEnded` once it closed (or after `grace` ms). */
  close(code: number, reason: string, grace: number): void {
    const socket = this.#socket
    if (socket === null) {
      if (this.#constructing) return void (this.#closeAsked = [code, reason, grace])
      return this.#end(lost())
    }
    this.#open = false
    this.#hb?.stop()
    if (socket.readyState === 0) abortSocket(socket)
    else {
      try {
        socket.close(code, reason)
      } catch {
        abortSocket(socket)
      }
    }
    const { timers } = this.#owner!.env
    timers.cancel(this.#timer)
    // Browsers cannot force a close: stop counting it rather than wait forever.
    this.#timer = timers.set(() => {
      abortSocket(socket)
      this.#end(lost())
    }, grace, true)
  }

  /**
   * Terminates the socket; the owner hears `linkEnded` with `failure` once it closed. Without
   * `terminate()` (browsers) a half-open socket may take minutes to report its close: then now.
   */
  kill(failure: Failure): void {
    const socket = this.#socket
    this.#failure = failure
    if (socket === null) return this.#end(failure)
    abortSocket(socket)
    if (BROWSER || typeof socket.terminate !== 'function') this.#end(failure)
  }

  /** Silences the link for good: nothing of it reaches the owner any more. */
  detach(): void {
    const owner = this.#owner
    if (owner === null) return
    this.#owner = null
    owner.env.timers.cancel(this.#timer)
    this.#hb?.stop()
  }

  #resolveFailed(error: unknown): void {
    if (this.#owner !== null) this.#end(lost(asError(error, 'resolveUrl failed')))
  }

  #connect(target: unknown): void {
    const owner = this.#owner
    if (owner === null) return
    const { env, url, protocols } = owner
    const { options } = env
    let socket: WebSocketLike
    this.#constructing = true
    try {
      const href = target === url.href ? target : parsePoolUrl(target, options.requireSecure).href
      socket = openSocket(env.ctor, href, protocols, options.binaryType, options.wsOptions)
    } catch (error) {
      this.#constructing = false
      return this.#end(lost(asError(error, 'WebSocket constructor threw')))
    }
    this.#constructing = false
    // An injected constructor is user code too: it may have changed everything. Listen first, so
    // the socket's events (its error, its close) always have a listener, stale or not.
    this.#socket = socket
    this.#startedAt = env.timers.now()
    listen(socket, env.nodeWs, this)
    if (this.#owner === null) return abortSocket(socket)
    const asked = this.#closeAsked
    if (asked !== undefined) this.close(...asked)
  }

  // SocketListener: the socket's events (from a socket that is no longer this link's, nothing
  // reaches the owner: it detached the link) ------------------------------------------------------

  onOpen(): void {
    const owner = this.#owner
    if (owner === null) return
    owner.env.run(() => {
      const { timers, options } = owner.env
      timers.cancel(this.#timer)
      this.#timer = undefined
      this.#open = true
      const hb = options.heartbeat
      if (hb) {
        this.#hb = new Heartbeat(hb, timers, this.#socket!, () => {
          owner.env.emit('evict', { ...owner.ref, reason: 'heartbeat' })
          this.kill(lost(new Error(`No reply to the heartbeat within ${hb.timeout} ms`)))
        })
      }
      owner.linkOpened(timers.now() - this.#startedAt)
    })
  }

  /** The page became visible: probe a silent socket now (see {@link Heartbeat.wake}). */
  wake(): void {
    this.#hb?.wake()
  }

  /** The receive path: no batch, no clock read. */
  onMessage(data: unknown, bytes: number): void {
    if (!this.#open) return
    this.#hb?.seen()
    this.#owner?.linkMessage(data, bytes)
  }

  onError(cause: unknown, message?: string): void {
    this.#owner?.env.run(() => {
      const error = asError(cause, message || 'WebSocket error')
      this.#failure ??= lost(error)
      this.#failure.error ??= error
      // An attempt's error is reported once, when the attempt fails; an open socket's at once.
      if (this.#open) this.#owner!.linkError(error)
    })
  }

  onClose(code: number, reason: string, wasClean: boolean): void {
    this.#owner?.env.run(() => this.#end({ code, reason, wasClean, error: this.#failure?.error }))
  }

  #end(failure: Failure): void {
    const owner = this.#owner
    if (owner === null) return
    const wasOpen = this.#open
    this.detach()
    this.#open = false
    owner.linkEnded(failure, wasOpen)
  }
}
