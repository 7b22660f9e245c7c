/**
 * The in-process backend: origins (created on first use, forgotten once vacant beyond a bound),
 * the caps across them, waiters and their deadlines, timers, events, stats, and the two ways to
 * stop. Every entry point runs as one batch of changes (see {@link Notifier}): user code (event
 * listeners) runs only once the state is consistent.
 */
import { jsonCodec } from '../core/codec.js'
import { poolClosed } from '../core/refusals.js'
import { limitsOf, type ResolvedOptions } from '../core/options.js'
import type { PoolUrl } from '../core/url.js'
import type { WebSocketConstructor } from '../core/socket.js'
import { StatsRegistry, type PoolStats } from '../core/stats.js'
import { Timers, type ClockSource } from '../runtime/clock.js'
import { onOnline, onPageCache, onVisible } from '../runtime/environment.js'
import { isNodeWs, resolveWebSocket } from '../runtime/transport.js'
import { Admission } from './admission.js'
import type { Backend, Holder, LeaseHandle, Limits, Replica } from './backend.js'
import { Deadlines } from './deadlines.js'
import { Emitter, Notifier, type PoolEvents } from './events.js'
import type { HostEnv } from './host-env.js'
import { HostPool } from './host-pool.js'
import type { Slot } from './slot.js'
import { Replicas } from './replicas.js'
import { Request, Requests } from './request.js'
import { Waiter } from './waiter.js'

/** A promise's resolve and reject, taken by one shared executor (no closure per queued acquire). */
const captured = { resolve: (_: any) => {}, reject: (_: unknown) => {} }
function capture(resolve: (value: any) => void, reject: (error: unknown) => void): void {
  captured.resolve = resolve
  captured.reject = reject
}

/** Vacant origins whose records (and stats) are kept for reuse; beyond this the oldest are forgotten. */
const VACANT_KEPT = 100

export class LocalPool<L extends Holder> implements Backend<L>, HostEnv {
  readonly timers: Timers
  readonly deadlines: Deadlines
  readonly notifier = new Notifier()
  readonly emitter = new Emitter<PoolEvents>()
  readonly registry = new StatsRegistry()
  readonly admission: Admission
  readonly limits: Limits
  readonly ctor: WebSocketConstructor
  readonly nodeWs: boolean
  closing = false
  draining = false
  readonly requests: Requests<Slot>
  readonly replicas = new Replicas(this)
  readonly #hosts = new Map<string, HostPool>()
  /** Vacant origins, least recently vacated first. */
  readonly #vacant = new Set<string>()
  #nextId = 0
  #detachOnline: (() => void) | undefined
  #detachVisible: (() => void) | undefined
  #detachPage: (() => void) | undefined
  /** The page is in the back/forward cache (ConnectionEnv). */
  frozen = false
  #onDrained: (() => void) | undefined
  #onEmpty: (() => void) | undefined
  #drained: Promise<void> | undefined
  #closed: Promise<void> | undefined

  constructor(
    readonly options: ResolvedOptions,
    readonly makeLease: (handle: LeaseHandle) => L,
    clock?: ClockSource,
  ) {
    this.timers = new Timers(clock, (fn) => this.run(fn))
    this.deadlines = new Deadlines(this.timers)
    this.ctor = resolveWebSocket(options.WebSocket)
    this.nodeWs = isNodeWs(this.ctor)
    this.limits = limitsOf(options)
    this.admission = new Admission(this.limits)
    this.requests = new Requests(options.codec ?? jsonCodec, this)
  }

  get stopped(): boolean {
    return this.closing || this.draining
  }

  acquire(url: PoolUrl, key: string, protocols: readonly string[], priority: number, timeout: number, signal: AbortSignal | undefined, shared: boolean, replicas?: readonly Replica[]): L | Promise<L> {
    this.enter()
    try {
      if (this.stopped) throw poolClosed(url.origin, this.closing)
      if (replicas) ({ url, key } = this.replicas.best(replicas))
      const host = this.host(url.origin)
      const lease = shared ? undefined : host.take(key, replicas ?? null)
      if (lease !== undefined) return lease as L
      const promise = new Promise<L>(capture)
      const w = new Waiter<Slot>(url, key, protocols, priority, this.timers.now(), timeout, signal, captured.resolve, captured.reject)
      w.shared = shared
      if (replicas) w.replicas = replicas
      host.acquire(w)
      return promise
    } finally {
      this.exit()
    }
  }

  request(url: PoolUrl, key: string, protocols: readonly string[], priority: number, timeout: number, signal: AbortSignal | undefined, payload: unknown, idempotent: boolean, replicas?: readonly Replica[]): Promise<unknown> {
    this.enter()
    try {
      if (this.stopped) throw poolClosed(url.origin, this.closing)
      if (replicas) ({ url, key } = this.replicas.best(replicas))
      const [id, data] = this.requests.frame(payload, url)
      const host = this.host(url.origin)
      const promise = new Promise<unknown>(capture)
      const r = new Request<Slot>(url, key, protocols, priority, this.timers.now(), timeout, signal, captured.resolve, captured.reject, id, data, idempotent)
      if (replicas) r.replicas = replicas
      this.requests.set(id, r)
      host.acquire(r)
      return promise
    } finally {
      this.exit()
    }
  }

  stats(): PoolStats {
    return this.registry.snapshot(this.limits.maxPerHost, this.limits.maxTotal)
  }

  resize(next: Limits): void {
    this.run(() => {
      const tracking = this.limits.maxTotal !== Infinity
      Object.assign(this.limits, next)
      if (tracking !== (next.maxTotal !== Infinity)) this.admission.retrack(this.#idleSlots())
      this.registry.invalidate()
      if (this.closing) return
      this.admission.shrink()
      for (const h of this.#hosts.values()) h.applyLimits()
    })
  }

  drain(): Promise<void> {
    if (this.#closed) return this.#closed
    this.#drained ??= new Promise<void>((resolve) => {
      this.draining = true
      this.#onDrained = resolve
      this.settled()
    }).then(() => this.close())
    return this.#drained
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#onEmpty = resolve
      this.run(() => {
        this.closing = true
        const drained = this.#onDrained
        this.#onDrained = undefined
        drained?.()
        for (const h of this.#hosts.values()) h.closeAll()
        this.settled()
      })
    })
    return this.#closed
  }

  // HostEnv -----------------------------------------------------------------------------------

  run<T>(fn: () => T): T {
    return this.notifier.run(fn)
  }

  enter(): void {
    this.notifier.enter()
  }

  exit(): void {
    this.notifier.exit()
  }

  emit<K extends keyof PoolEvents>(type: K, event: PoolEvents[K]): void {
    this.notifier.emit(this.emitter, type, event)
  }

  listens(type: keyof PoolEvents): boolean {
    return this.emitter.has(type)
  }

  nextId(): number {
    this.#detachOnline ??= onOnline(() => this.run(() => {
      for (const h of this.#hosts.values()) h.retrySoon(1000)
    }))
    this.#detachVisible ??= onVisible(() => this.run(() => {
      for (const h of this.#hosts.values()) h.wake()
    }))
    this.#detachPage ??= onPageCache((hidden) => this.run(() => {
      this.frozen = hidden
      for (const h of this.#hosts.values()) hidden ? h.suspend() : h.retrySoon(0)
    }))
    return ++this.#nextId
  }

  lease(s: Slot): L {
    return this.makeLease(s)
  }

  settled(): void {
    const t = this.registry.totals.values
    if (this.closing) {
      if (t.connections === 0) this.#emptied()
    } else if (this.draining && this.#onDrained && t.pending === 0 && t.active === 0) {
      const done = this.#onDrained
      this.#onDrained = undefined
      done()
    }
  }

  vacant(origin: string): void {
    const vacant = this.#vacant
    if (vacant.has(origin)) return
    vacant.add(origin)
    if (vacant.size <= VACANT_KEPT) return
    const oldest = vacant.values().next().value!
    vacant.delete(oldest)
    this.admission.forget(this.#hosts.get(oldest)!)
    this.#hosts.delete(oldest)
    this.registry.drop(oldest)
  }

  // Origins (for replica routing) ---------------------------------------------------------------

  find(origin: string): HostPool | undefined {
    return this.#hosts.get(origin)
  }

  host(origin: string): HostPool {
    let h = this.#hosts.get(origin)
    if (h === undefined) {
      h = new HostPool(origin, this, this.registry.host(origin))
      this.#hosts.set(origin, h)
    } else if (this.#vacant.size > 0) this.#vacant.delete(origin)
    return h
  }

  // internals ---------------------------------------------------------------------------------

  *#idleSlots(): Iterable<Slot> {
    for (const h of this.#hosts.values()) yield* h.idleSlots()
  }

  #emptied(): void {
    const done = this.#onEmpty
    if (done === undefined) return
    this.#onEmpty = undefined
    this.timers.clear(true)
    this.#detachOnline?.()
    this.#detachVisible?.()
    this.#detachPage?.()
    this.#detachOnline = this.#detachVisible = this.#detachPage = undefined
    done()
  }
}
