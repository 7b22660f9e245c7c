/**
 * The backend of a tab's shared pool: the public API (`WebSocketPool`, `Lease`) as in any pool,
 * with every operation carried to the host that holds the connections (see {@link PoolHost}).
 *
 * Until a host welcomes it, operations wait here (within their own deadlines). When the host
 * changes (a new leader tab), it attaches again: it asks the new host for every lease it holds
 * under the same name (the leases see `reconnecting`, then `open`), sends again what the old host
 * had not handed to a socket, and asks again for the acquires and idempotent requests still under
 * way; other requests under way reject with `ERR_CONNECTION_LOST`, as after any connection loss.
 */
import { PoolError } from '../core/errors.js'
import { poolClosed } from '../core/refusals.js'
import { limitsOf, type ResolvedOptions } from '../core/options.js'
import { StatsRegistry, type PoolStats } from '../core/stats.js'
import type { PoolUrl } from '../core/url.js'
import type { Backend, LeaseHandle, Limits, Replica } from '../pool/backend.js'
import { Emitter, type PoolEvents } from '../pool/events.js'
import type { Lease } from '../pool/lease.js'
import { onPageLifecycle } from '../runtime/environment.js'
import { eventFromWire, fromWire, type ToClient, type ToHost, type WireAcquire } from './messages.js'
import { Operations, type OperationsOwner } from './operations.js'
import { RemoteLeases, type RemoteLeasesOwner } from './remote-leases.js'
import { TabLock } from './tab-lock.js'
import { Batcher } from './batcher.js'

/** The way to the host (a MessagePort, or the app's BroadcastChannel). */
export interface HostWire {
  post(message: ToHost): void
  close(): void
}

/** ms between pings to the host; the host forgets a tab silent for its `clientTimeout`. */
const PING_INTERVAL = 5000
/** A host that has not answered for this long is reported (an `error` event), once per silence. */
const HOST_SILENCE = 15_000

export class RemoteBackend implements Backend<Lease>, OperationsOwner, RemoteLeasesOwner {
  readonly emitter = new Emitter<PoolEvents>()
  readonly id = Math.random().toString(36).slice(2)
  limits: Limits
  /** How many tabs the host serves, as it last said (0 until attached). */
  tabs = 0
  #stats: PoolStats
  #host: string | null = null
  #heard = Date.now()
  #silenceReported = false
  #next = 0
  readonly #ops = new Operations(this)
  readonly #leases: RemoteLeases
  #draining = false
  #closing = false
  /** The page stopped running (frozen, hidden in the back/forward cache, closing): stay detached. */
  #away = false
  #onIdle: (() => void) | undefined
  #ping: ReturnType<typeof setInterval> | undefined
  #closed: Promise<void> | undefined
  readonly #detachPage: () => void
  readonly #lock: TabLock | undefined
  /** The way to the host: a turn's sends go as one message. */
  readonly wire: HostWire & { flush(): void }

  constructor(
    options: ResolvedOptions,
    readonly makeLease: (handle: LeaseHandle) => Lease,
    wire: HostWire,
    /** Sent with every hello: the options a worker builds its pool from, if it has none yet. */
    readonly helloOptions?: Record<string, unknown>,
    /** The channel's name: this tab holds a lock named after it and itself, which the host watches (tab-lock.ts). */
    lockBase?: string,
  ) {
    this.#lock = lockBase === undefined ? undefined : new TabLock(lockBase, this.id, () => this.#watch())
    const batcher = new Batcher<ToHost>(wire, (m) => m.k === 'send', (m) => ({ k: 'batch', c: this.id, m }))
    this.wire = { post: (m) => batcher.post(m), flush: () => batcher.flush(), close: () => wire.close() }
    this.#leases = new RemoteLeases(this, this.#ops, options.buffer)
    this.limits = limitsOf(options)
    this.#stats = new StatsRegistry().snapshot(options.maxPerHost, options.maxTotal)
    this.#ping = setInterval(() => this.#keepAlive(), PING_INTERVAL)
    ;(this.#ping as { unref?: () => void }).unref?.()
    wire.post(this.#hello())
    // A tab that closes, is frozen or goes into the back/forward cache gives back what it holds at
    // once (the host need not wait out its silence); when it runs again it attaches anew.
    this.#detachPage = onPageLifecycle((phase) => this.#page(phase))
  }

  get stopped(): boolean {
    return this.#closing || this.#draining
  }

  /** Whether a host knows this tab (OperationsOwner, RemoteLeasesOwner). */
  get attached(): boolean {
    return this.#host !== null
  }

  /** Posts to the host (OperationsOwner, RemoteLeasesOwner). */
  post(message: ToHost): void {
    this.wire.post(message)
  }

  /** An operation settled or a lease ended (OperationsOwner, RemoteLeasesOwner). */
  settled(): void {
    this.#checkIdle()
  }

  /** The host this tab is attached to, or null. */
  get host(): string | null {
    return this.#host
  }

  acquire(url: PoolUrl, _key: string, protocols: readonly string[], priority: number, timeout: number, signal: AbortSignal | undefined, shared: boolean, replicas?: readonly Replica[]): Promise<Lease> {
    if (this.stopped) return Promise.reject(poolClosed(url.origin, this.#closing))
    const wireUrl = replicas ? replicas.map((r) => r.url.href) : url.href
    const o: WireAcquire = { priority, timeout, protocols: [...protocols], shared }
    const r = ++this.#next
    return this.#ops.start({ k: 'acquire', c: this.id, r, url: wireUrl, o }, url.origin, timeout, signal, false, { url, wireUrl, o }, 'ERR_ACQUIRE_TIMEOUT')
  }

  request(url: PoolUrl, _key: string, _protocols: readonly string[], priority: number, timeout: number, signal: AbortSignal | undefined, payload: unknown, idempotent: boolean, replicas?: readonly Replica[]): Promise<unknown> {
    if (this.stopped) return Promise.reject(poolClosed(url.origin, this.#closing))
    const wireUrl = replicas ? replicas.map((r) => r.url.href) : url.href
    const r = ++this.#next
    return this.#ops.start({ k: 'request', c: this.id, r, url: wireUrl, p: payload, o: { priority, timeout, idempotent } }, url.origin, timeout, signal, idempotent, undefined, 'ERR_REQUEST_TIMEOUT')
  }

  stats(): PoolStats {
    return this.#stats
  }

  resize(limits: Limits): void {
    this.limits = { ...limits }
    if (this.#host) this.wire.post({ k: 'resize', c: this.id, v: limits })
  }

  drain(): Promise<void> {
    if (this.#closed) return this.#closed
    this.#draining = true
    return new Promise<void>((resolve) => {
      this.#onIdle = resolve
      this.#checkIdle()
    }).then(() => this.close())
  }

  close(): Promise<void> {
    if (this.#closed) return this.#closed
    this.#closing = true
    clearInterval(this.#ping)
    this.#detachPage()
    this.#lock?.release()
    this.#ops.rejectAll((op) => poolClosed(op.origin, true))
    this.#leases.closeAll()
    try {
      this.wire.post({ k: 'bye', c: this.id })
    } catch {
      // the way to the host is already gone
    }
    this.wire.flush()
    this.wire.close()
    this.#onIdle?.()
    this.#closed = Promise.resolve()
    return this.#closed
  }

  /** The way to the host changed (a worker that could not start -> a leader tab): attach anew. */
  rehome(): void {
    this.#host = null
    this.wire.post(this.#hello())
  }

  /** Handles one message from the host (messages for other tabs are ignored). */
  receive(m: ToClient): void {
    if (m.k === 'batch') {
      if (m.to === this.id) for (const one of m.m) this.receive(one)
      return
    }
    if ('to' in m && m.to !== this.id) return
    if (this.#closing) return
    this.#heard = Date.now()
    this.#silenceReported = false
    switch (m.k) {
      // A welcome answering a hello sent before the page went away: its goodbye follows it.
      case 'welcome': return void (this.#away || this.#welcome(m.host, m.limits, m.stats, m.fresh, m.tabs))
      case 'unknown': return void (this.#away || this.wire.post(this.#hello()))
      case 'pong': return
      case 'host': {
        // A new host (a newly elected leader) announced itself: attach to it.
        if (m.host !== this.#host && !this.#away) this.wire.post(this.#hello())
        return
      }
      case 'stats': {
        this.#stats = m.s
        this.limits = m.limits
        this.tabs = m.tabs
        return
      }
      case 'event': return this.emitter.emit(m.t as keyof PoolEvents, eventFromWire(m.e) as never)
      case 'ack': return this.#leases.acked(m.l, m.s)
      case 'leased': return this.#leases.leased(m.r, m.lease)
      case 'reply': return void this.#ops.answer(m.r, m.v, undefined)
      case 'failed': {
        const error = fromWire(m.e)
        // Not an operation's: a lease that a new host could not grant again.
        if (!this.#ops.answer(m.r, undefined, error)) this.#leases.failed(m.r, error)
        return
      }
      case 'lease': return this.#leases.event(m.l, m.t, eventFromWire(m.e), m.lease)
    }
  }

  /**
   * A host registered this tab. `fresh`: it holds nothing for it (a new host, or one that forgot
   * a silent tab), so every lease is asked for again under its name and every operation under way
   * is posted again (requests that are not idempotent and may have run reject instead).
   */
  #welcome(host: string, limits: Limits, stats: PoolStats, fresh: boolean, tabs: number): void {
    const same = this.#host === host
    this.#host = host
    this.limits = limits
    this.#stats = stats
    this.tabs = tabs
    if (same && !fresh) return
    this.#watch()
    this.#leases.askAgain()
    this.#ops.repost()
  }

  /** Has the host watch this tab's lock, once the tab holds it and a host knows the tab. */
  #watch(): void {
    if (this.#host !== null && this.#lock?.held) this.wire.post({ k: 'watch', c: this.id, lock: this.#lock.name })
  }

  #page(phase: 'away' | 'back'): void {
    if (this.#closing) return
    this.#away = phase === 'away'
    if (phase === 'away') {
      if (this.#host === null) return
      this.wire.post({ k: 'bye', c: this.id })
      this.#host = null
      this.#leases.detach()
    } else if (this.#host === null) this.wire.post(this.#hello())
  }

  #keepAlive(): void {
    if (this.#closing || this.#away) return
    this.wire.post(this.#host ? { k: 'ping', c: this.id } : this.#hello())
    if (!this.#silenceReported && Date.now() - this.#heard > HOST_SILENCE) {
      this.#silenceReported = true
      const error = new PoolError('ERR_CONNECTION_LOST', `The pool's host (another tab or the shared worker) has not answered for ${HOST_SILENCE} ms`)
      this.emitter.emit('error', { origin: '', url: '', error })
    }
  }

  #hello(): ToHost {
    return this.helloOptions ? { k: 'hello', c: this.id, options: this.helloOptions } : { k: 'hello', c: this.id }
  }

  #checkIdle(): void {
    if (this.#draining && this.#onIdle && this.#leases.size === 0 && !this.#ops.acquiring) this.#onIdle()
  }
}
