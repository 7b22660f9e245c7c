/**
 * One pending acquire: what it asks for, its promise, its deadline and abort signal, and where it
 * waits. Waiters belong to the pool, not to an origin: the origin that queues one only holds its
 * place (`host`), so a waiter can move on to another origin.
 */
import type { PoolUrl } from '../core/url.js'
import type { WaitNode } from '../core/wait-queue.js'
import type { Replica } from './backend.js'
import type { Deadlines, Expiring } from './deadlines.js'

/** Where a waiter waits: told when its deadline passes or its signal aborts. */
export interface WaiterHost {
  /** The deadline passed: reject with `ERR_ACQUIRE_TIMEOUT`. */
  expire(w: Waiter<any>): void
  /** Reject with `reason` (abort, pool closed) and let go of whatever was held for it. */
  abandon(w: Waiter<any>, reason: unknown): void
}

/** What a waiter needs from the pool to arm itself. */
export interface WaiterEnv {
  readonly deadlines: Deadlines
  run(fn: () => void): void
}

export class Waiter<S = unknown> implements Expiring, WaitNode<Waiter<S>> {
  /** Where it waits (set by the origin that takes it). */
  host: WaiterHost | null = null
  /** It is its own node in the origin's queue (`prev`/`next`: null when not queued), plus a node in its key's queue. */
  prev: WaitNode<unknown> | null = null
  next: WaitNode<unknown> | null = null
  keyNode: WaitNode<Waiter<S>> | null = null
  /** The connection being opened for it. */
  slot: S | null = null
  /** It wants a shared connection (a shared lease, or a request), not an exclusive one. */
  shared = false
  /** The replicas of a list acquire or request (two or more), and the origins tried in this round. */
  replicas: readonly Replica[] | null = null
  tried: Set<string> | null = null
  /** Rounds through every replica so far (each round after the first waits a backoff delay). */
  round = 0
  settled = false
  at = 0
  dPrev: Expiring | null = null
  dNext: Expiring | null = null
  dList: object | null = null
  #onAbort: (() => void) | undefined
  #armed = false

  constructor(
    /** The URL it waits for (a list waiter's moves with it from replica to replica). */
    public url: PoolUrl,
    public key: string,
    readonly protocols: readonly string[],
    readonly priority: number,
    readonly start: number,
    readonly timeout: number,
    readonly signal: AbortSignal | undefined,
    readonly resolve: (value: any) => void,
    readonly reject: (error: unknown) => void,
  ) {}

  get value(): this {
    return this
  }

  expire(): void {
    this.host?.expire(this)
  }

  /** Starts the deadline and the abort listener (the signal was checked: not aborted yet). Once: a waiter moving between replicas keeps them. */
  arm(env: WaiterEnv): void {
    if (this.#armed) return
    this.#armed = true
    if (this.timeout !== Infinity) env.deadlines.add(this, this.timeout, this.start)
    const signal = this.signal
    if (signal === undefined) return
    this.#onAbort = () => env.run(() => this.host?.abandon(this, signal.reason))
    try {
      signal.addEventListener('abort', this.#onAbort, { once: true })
    } catch (error) {
      this.host?.abandon(this, error)
    }
  }

  /** Marks it settled and stops its deadline and abort listener. Returns false if it already was. */
  settle(env: WaiterEnv): boolean {
    if (this.settled) return false
    this.settled = true
    env.deadlines.remove(this)
    const onAbort = this.#onAbort
    if (onAbort !== undefined) {
      this.#onAbort = undefined
      try {
        this.signal!.removeEventListener('abort', onAbort)
      } catch {
        // A signal-like object that cannot remove a listener: the listener checks `settled`.
      }
    }
    return true
  }
}
