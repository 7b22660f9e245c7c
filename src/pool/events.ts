/**
 * Typed events: the pool's event map, the emitter behind `pool.on` and `lease.on`, and the
 * notifier that holds events back until the pool's state is consistent.
 *
 * Listener storage and subscription are mitt's; dispatch is ours so that one throwing listener
 * never starves the others (its error is reported, never rethrown) and the common
 * single-listener case does not allocate per event (hot path: every received message).
 */
import mitt, { type Emitter as Mitt, type Handler } from 'mitt'
import { reportError } from '../runtime/environment.js'

/** Fields every pool event carries about its connection. */
export interface ConnectionRef {
  /** Pool key (WHATWG origin). */
  origin: string
  /** Pooled connection id, stable across reconnects and leases. */
  id: number
  /** Redacted URL: no userinfo, query values `***`. */
  url: string
}

/** Why a connection was closed by the pool on purpose. */
export type EvictReason = 'idle' | 'lifetime' | 'uses' | 'capacity' | 'resize' | 'heartbeat'
/** Why buffered messages were discarded. */
export type DropReason = 'gave-up' | 'released' | 'destroyed' | 'closed'

/** The pool's events and their payloads. */
export interface PoolEvents {
  /**
   * An origin's circuit changed state (see the `breaker` option): `failures` is the count of
   * consecutive failed connection attempts at the change, 0 when it closes.
   */
  circuit: { origin: string; state: 'closed' | 'open' | 'half-open'; failures: number }
  /** A connection attempt starts (first connect or retry). */
  connect: ConnectionRef & { attempt: number }
  /** A socket opened. `reconnect` is true when it reopened after a drop. */
  open: ConnectionRef & { protocol: string; reconnect: boolean; connectTime: number }
  /**
   * A socket that was open closed (`willReconnect` tells whether the connection retries), or a
   * connection ended for good. Every connection ends with exactly one `close` whose
   * `willReconnect` is false, including one that never opened.
   */
  close: ConnectionRef & { code: number; reason: string; wasClean: boolean; willReconnect: boolean }
  /** A dropped connection waits `delay` ms before retry `attempt`. */
  reconnecting: ConnectionRef & { attempt: number; delay: number; code: number; reason: string }
  /** A connection attempt failed, a socket reported an error, or a callback of the pool's options threw. */
  error: { origin: string; id?: number; url: string; error: Error; attempt?: number }
  /** A lease was handed out after `wait` ms. */
  acquire: ConnectionRef & { wait: number }
  /** A lease was released. */
  release: ConnectionRef
  /** An acquire was queued; `pending` is the queue length after it. */
  enqueue: { origin: string; url: string; pending: number; priority: number }
  /** An acquire gave up after `wait` ms (`ERR_ACQUIRE_TIMEOUT`). */
  timeout: { origin: string; url: string; wait: number }
  /** The pool closed a connection on purpose. */
  evict: ConnectionRef & { reason: EvictReason }
  /** Buffered messages were discarded: `count` messages, `bytes` payload bytes. */
  drop: ConnectionRef & { count: number; bytes: number; reason: DropReason }
  /**
   * A message on a connection that no exclusive lease holds (a shared or an idle one) that is not
   * the reply to a pending request: a late or unknown reply, or a message the server pushed.
   * Shared holders' `message` listeners receive it too.
   */
  message: ConnectionRef & { data: unknown }
}

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void

/** A `once` registration: the wrapper mitt stores, pointing at the caller's function. */
type Once = Handler<any> & { fn: Function }

/** mitt storage + safe dispatch + `on` returning an unsubscribe function + `once`. */
export class Emitter<E extends object> {
  #mitt: Mitt<Record<keyof E, unknown>> = mitt()

  on<K extends keyof E>(type: K, fn: (event: E[K]) => void): Unsubscribe {
    this.#mitt.on(type, fn as Handler)
    return () => this.#mitt.off(type, fn as Handler)
  }

  /** Each call is its own registration, for its own event type: `fn` runs once per call. */
  once<K extends keyof E>(type: K, fn: (event: E[K]) => void): Unsubscribe {
    const wrapper = ((event: E[K]) => {
      this.#mitt.off(type, wrapper)
      fn(event)
    }) as Once
    wrapper.fn = fn
    this.#mitt.on(type, wrapper)
    return () => this.#mitt.off(type, wrapper)
  }

  /** Removes one registration of `fn` for `type`, made with `on` or `once`. */
  off<K extends keyof E>(type: K, fn: (event: E[K]) => void): void {
    const list = this.#mitt.all.get(type) as Handler[] | undefined
    const h = list?.find((h) => h === fn || (h as Once).fn === fn)
    if (h) this.#mitt.off(type, h)
  }

  /** Whether anyone listens to `type` (lets hot paths skip building payloads). */
  has(type: keyof E): boolean {
    const list = this.#mitt.all.get(type)
    return list !== undefined && list.length > 0
  }

  /** Calls every listener of `type` with `event`, over a copy of the list; errors are reported. */
  emit<K extends keyof E>(type: K, event: E[K]): void {
    const list = this.#mitt.all.get(type) as Handler<E[K]>[] | undefined
    if (list === undefined || list.length === 0) return
    if (list.length === 1) return call(list[0], event)
    for (const fn of list.slice()) call(fn, event)
  }

  /** Removes every listener. */
  clear(): void {
    this.#mitt.all.clear()
  }
}

function call<T>(fn: Handler<T>, event: T): void {
  try {
    fn(event)
  } catch (error) {
    reportError(error)
  }
}

/** Anything with an `emit`: a pool's or a lease's emitter. */
export interface Target {
  emit(type: any, event: any): void
}

/**
 * Change state, then notify (as TanStack Query's notifyManager does). Every entry point into the
 * pool (a public method, a socket event, a timer) runs inside `run`; events emitted meanwhile are
 * queued and delivered in order once the outermost `run` returns, when the state is consistent.
 * A listener that calls back into the pool starts a nested `run`, whose events join the queue
 * behind the ones being delivered. Outside any `run` (a message arriving) events go out at once.
 */
export class Notifier {
  #queue: unknown[] = []
  #depth = 0
  #flushing = false

  run<T>(fn: () => T): T {
    this.enter()
    try {
      return fn()
    } finally {
      this.exit()
    }
  }

  /** Opens a batch (hot paths pair it with `exit()` in a `finally` instead of allocating a closure for `run`). */
  enter(): void {
    this.#depth++
  }

  exit(): void {
    if (--this.#depth === 0 && !this.#flushing && this.#queue.length > 0) this.#flush()
  }

  emit(target: Target, type: string, event: unknown): void {
    if (this.#depth === 0 && !this.#flushing) target.emit(type, event)
    else this.#queue.push(target, type, event)
  }

  #flush(): void {
    this.#flushing = true
    const q = this.#queue
    try {
      for (let i = 0; i < q.length; i += 3) (q[i] as Target).emit(q[i + 1], q[i + 2])
    } finally {
      q.length = 0
      this.#flushing = false
    }
  }
}
