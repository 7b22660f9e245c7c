/**
 * Typed events: the pool's event map, and the emitter behind `pool.on` and `lease.on`.
 *
 * Listener storage and subscription are mitt's; dispatch is ours so that one throwing listener
 * never starves the others (its error goes to the runtime's error reporting) and the common
 * single-listener case does not allocate per event (hot path: every received message).
 */
import mitt, { type Emitter as Mitt, type Handler } from 'mitt'
import { reportListenerError } from '../runtime/transport.js'

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
  /** A connection attempt failed or a socket reported an error. */
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
}

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void

/** mitt storage + safe dispatch + `on` returning an unsubscribe function + `once`. */
export class Emitter<E extends object> {
  #mitt: Mitt<Record<keyof E, unknown>> = mitt()
  #onceWrappers = new Map<Function, Handler<any>>()

  on<K extends keyof E>(type: K, fn: (event: E[K]) => void): Unsubscribe {
    this.#mitt.on(type, fn as Handler)
    return () => this.off(type, fn)
  }

  once<K extends keyof E>(type: K, fn: (event: E[K]) => void): Unsubscribe {
    const wrapper = (event: E[K]) => {
      this.off(type, fn)
      fn(event)
    }
    this.#onceWrappers.set(fn, wrapper)
    this.#mitt.on(type, wrapper as Handler)
    return () => this.off(type, fn)
  }

  off<K extends keyof E>(type: K, fn: (event: E[K]) => void): void {
    const wrapper = this.#onceWrappers.get(fn)
    if (wrapper) {
      this.#onceWrappers.delete(fn)
      this.#mitt.off(type, wrapper)
    }
    this.#mitt.off(type, fn as Handler)
  }

  /** Whether anyone listens to `type` (lets hot paths skip building payloads). */
  has(type: keyof E): boolean {
    const list = this.#mitt.all.get(type)
    return list !== undefined && list.length > 0
  }

  emit<K extends keyof E>(type: K, event: E[K]): void {
    const list = this.#mitt.all.get(type) as Handler<E[K]>[] | undefined
    if (list === undefined || list.length === 0) return
    if (list.length === 1) {
      call(list[0], event)
      return
    }
    for (const fn of list.slice()) call(fn, event)
  }

  /** Removes every listener. */
  clear(): void {
    this.#mitt.all.clear()
    this.#onceWrappers.clear()
  }
}

function call<T>(fn: Handler<T>, event: T): void {
  try {
    fn(event)
  } catch (error) {
    reportListenerError(error)
  }
}
