/**
 * The seam between the public API (`WebSocketPool`, `Lease`) and what carries it: the in-process
 * {@link LocalPool} today; a pool shared across tabs can implement the same contract. The API
 * checks what callers pass and hands the backend validated values; the backend hands back
 * handles, which leases drive, and tells leases what happens through {@link Holder}.
 */
import type { SendData } from '../core/socket.js'
import type { PoolStats } from '../core/stats.js'
import type { PoolUrl } from '../core/url.js'
import type { Emitter, PoolEvents, Target } from './events.js'

/** The caps that `resize` may change. */
export interface Limits {
  maxPerHost: number
  maxTotal: number
  minIdlePerHost: number
}

/** One URL of a replica list, checked, with its reuse key (URL and subprotocols). */
export interface Replica {
  readonly url: PoolUrl
  readonly key: string
}

/** What a backend tells a lease. */
export interface Holder {
  /** Where the lease's events go (its emitter), or null while nobody listens. */
  readonly _events: Target | null
  /** The connection closed for good under this lease: its state is `'closed'` from now on. */
  _closed(): void
}

/** The connection behind a lease, as the lease drives it. Every call names the lease, which must be the holder. */
export interface LeaseHandle {
  readonly id: number
  readonly url: PoolUrl
  readonly protocol: string
  readonly bufferedAmount: number
  readonly state: 'connecting' | 'open' | 'reconnecting' | 'closed'
  /**
   * Sends now when the socket is open and writable (true); else holds `data` for the next open
   * (false), or, with `hold` false, leaves it unsent (false).
   */
  send(holder: Holder, data: SendData, hold: boolean): boolean
  release(holder: Holder): void
  destroy(holder: Holder, code: number, reason: string): void
}

/** A pool implementation behind the public API. */
export interface Backend<L> {
  readonly emitter: Emitter<PoolEvents>
  /** Whether new acquires are refused (draining or closed). */
  readonly stopped: boolean
  /**
   * A lease now (an idle connection was free), or the promise of one. Arguments are validated:
   * `key` is the reuse key (URL and subprotocols), `timeout` in ms (or Infinity), `signal` not aborted.
   */
  acquire(url: PoolUrl, key: string, protocols: readonly string[], priority: number, timeout: number, signal: AbortSignal | undefined, shared: boolean, replicas?: readonly Replica[]): L | Promise<L>
  /**
   * Sends `payload` as a request (multiplexed on shared connections); resolves with its reply's
   * payload. With `replicas` (two or more), `url`/`key` are ignored and the backend picks one.
   */
  request(url: PoolUrl, key: string, protocols: readonly string[], priority: number, timeout: number, signal: AbortSignal | undefined, payload: unknown, idempotent: boolean, replicas?: readonly Replica[]): Promise<unknown>
  stats(): PoolStats
  readonly limits: Readonly<Limits>
  resize(limits: Limits): void
  drain(): Promise<void>
  close(): Promise<void>
}
