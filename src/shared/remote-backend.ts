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
import type { ResolvedOptions } from '../core/options.js'
import type { SendData } from '../core/socket.js'
import { StatsRegistry, type PoolStats } from '../core/stats.js'
import type { PoolUrl } from '../core/url.js'
import type { Backend, LeaseHandle, Limits, Replica } from '../pool/backend.js'
import { Emitter, type PoolEvents } from '../pool/events.js'
import type { Lease } from '../pool/lease.js'
import { onPageLifecycle } from '../runtime/environment.js'
import { eventFromWire, fromWire, type ToClient, type ToHost, type WireAcquire, type WireLease } from './messages.js'
import { Operations, type OperationsOwner } from './operations.js'
import { RemoteLease, type RemoteOwner } from './remote-lease.js'
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

export class RemoteBackend implements Backend<Lease>, RemoteOwner, OperationsOwner {
  readonly emitter = new Emitter<PoolEvents>()
  readonly buffer: { maxMessages: number; maxBytes: number }
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
  readonly #leases = new Map<number, RemoteLease>()
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
    this.buffer = options.buffer
    this.limits = { maxPerHost: options.maxPerHost, maxTotal: options.maxTotal, minIdlePerHost: options.minIdlePerHost }
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

  /** Whether a host knows this tab (OperationsOwner). */
  get attached(): boolean {
    return this.#host !== null
  }

  /** Posts to the host (OperationsOwner). */
  post(message: ToHost): void {
    this.wire.post(message)
  }

  /** An operation settled (OperationsOwner). */
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
    for (const lease of [...this.#leases.values()]) this.#end(lease, { code: 1000, reason: 'pool closed', wasClean: true }, 'closed')
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
      case 'ack': return this.#leases.get(m.l)?.acked(m.s)
      case 'leased': return this.#leased(m.r, m.lease)
      case 'reply': {
        const op = this.#ops.get(m.r)
        if (op) this.#ops.settle(op, m.v, undefined)
        return
      }
      case 'failed': {
        const error = fromWire(m.e)
        const op = this.#ops.get(m.r)
        if (op) return this.#ops.settle(op, undefined, error)
        // A lease that a new host could not grant again ends here.
        const lease = this.#leases.get(m.r)
        if (lease) this.#end(lease, { code: 1006, reason: error.message, wasClean: false }, 'gave-up', error)
        return
      }
      case 'lease': return this.#leaseEvent(m.l, m.t, eventFromWire(m.e), m.lease)
    }
  }

  // RemoteOwner -------------------------------------------------------------------------------

  sendRemote(lease: RemoteLease, seq: number, data: SendData): void {
    this.wire.post({ k: 'send', c: this.id, l: lease.name, s: seq, d: data })
  }

  releaseRemote(lease: RemoteLease): void {
    this.#leases.delete(lease.name)
    if (this.#host) this.wire.post({ k: 'release', c: this.id, l: lease.name })
    this.#checkIdle()
  }

  destroyRemote(lease: RemoteLease, code: number, reason: string): void {
    this.#leases.delete(lease.name)
    if (this.#host) this.wire.post({ k: 'destroy', c: this.id, l: lease.name, code, reason })
    const target = lease.holder?._events
    lease.holder?._closed()
    target?.emit('close', { code, reason, wasClean: true })
    this.#checkIdle()
  }

  dropped(lease: RemoteLease, count: number, bytes: number, reason: 'released' | 'destroyed' | 'closed' | 'gave-up'): void {
    this.emitter.emit('drop', { origin: lease.url.origin, id: lease.id, url: lease.url.redacted, count, bytes, reason })
  }

  // internals ---------------------------------------------------------------------------------

  #leased(r: number, info: WireLease): void {
    const again = this.#leases.get(r)
    if (again) {
      // A new host granted a lease held before the hand-over.
      again.attach(info)
      again.holder?._events?.emit('open', { protocol: info.protocol })
      return
    }
    const op = this.#ops.get(r)
    if (!op || !op.lease) {
      // Settled meanwhile (timed out, aborted): give it back.
      return this.wire.post({ k: 'release', c: this.id, l: r })
    }
    const handle = new RemoteLease(r, op.lease.url, op.lease.wireUrl, op.lease.o, info, this)
    const lease = this.makeLease(handle)
    handle.holder = lease
    this.#leases.set(r, handle)
    this.#ops.settle(op, lease, undefined)
  }

  #leaseEvent(l: number, type: string, event: unknown, info: WireLease): void {
    const lease = this.#leases.get(l)
    if (!lease || !lease.attached) return
    lease.update(info)
    if (type === 'close') return this.#end(lease, event as { code: number; reason: string; wasClean: boolean }, 'closed')
    lease.holder?._events?.emit(type, event)
  }

  /** A lease's connection ended for good. */
  #end(lease: RemoteLease, close: { code: number; reason: string; wasClean: boolean }, reason: 'gave-up' | 'closed', error?: Error): void {
    this.#leases.delete(lease.name)
    const target = lease.holder?._events
    lease.holder?._closed()
    lease.closed(reason)
    if (error) target?.emit('error', error)
    target?.emit('close', close)
    this.#checkIdle()
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
    for (const lease of this.#leases.values()) {
      lease.detach()
      if (lease.state === 'open') {
        lease.state = 'reconnecting'
        lease.holder?._events?.emit('reconnecting', { attempt: 1, delay: 0, code: 1001, reason: 'the pool moved to another tab' })
      }
      // Ahead of every queued acquire: a lease held before the hand-over must not wait behind new ones.
      this.wire.post({ k: 'acquire', c: this.id, r: lease.name, url: lease.wireUrl, o: { ...lease.wireOptions, priority: Number.MAX_VALUE } })
    }
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
      for (const lease of this.#leases.values()) lease.detach()
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
