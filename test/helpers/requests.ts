/**
 * Issue 8 (requests, shared leases, replica lists): the public API the tests are written against,
 * declared here as the SPEC states it ("Requests", "Shared leases and endpoints", "Precise
 * semantics"), and a pool typed with it. The tests were written before the implementation: the
 * one cast lives in `rpcPool`, so once `src` declares these members the cast is a no-op and the
 * types below can go.
 */
import type { AcquireOptions, HostStats, LatencySummary, Lease, PoolEvents, Unsubscribe } from '../../src/index.js'
import type { RpcRequest, TestServer } from '../server/test-server.js'
import { newPool, type Pool, type PoolOptions } from './harness.js'
import { guardedPool } from './sockets.js'

/** Options of one `pool.request`. */
export interface RequestOptions {
  timeout?: number
  signal?: AbortSignal
  idempotent?: boolean
  priority?: number
}

/** `acquire` options with `shared`. */
export type SharedAcquireOptions = AcquireOptions & { shared?: boolean }

/** A URL or a list of replica URLs. */
export type Urls = string | URL | readonly (string | URL)[]

/** Pool `message`: an inbound message that matched no pending request. */
export interface MessageEvent {
  origin: string
  /** The connection's id. */
  id: number
  url: string
  data: unknown
}

/** Pool events, with `message` (and `circuit`, SPEC "Circuit breaker"). */
export type RequestPoolEvents = PoolEvents & {
  message: MessageEvent
  circuit: { origin: string; state: 'closed' | 'open' | 'half-open'; failures: number }
}

/** Host stats with the request and shared-lease fields. */
export type RequestHostStats = HostStats & {
  /** Replies received. */
  requests: number
  /** Requests sent and not yet answered. */
  inFlight: number
  /** Call to reply, ms. */
  requestTime: LatencySummary
  /** Connections carrying shared holders or requests. */
  shared: number
}

export interface RequestApi {
  request(url: Urls, payload: unknown, options?: RequestOptions): Promise<unknown>
  acquire(url: Urls, options?: SharedAcquireOptions): Promise<Lease>
  on<K extends keyof RequestPoolEvents>(type: K, fn: (event: RequestPoolEvents[K]) => void): Unsubscribe
  once<K extends keyof RequestPoolEvents>(type: K, fn: (event: RequestPoolEvents[K]) => void): Unsubscribe
  off<K extends keyof RequestPoolEvents>(type: K, fn: (event: RequestPoolEvents[K]) => void): void
  stats(): { totals: RequestHostStats; hosts: Record<string, RequestHostStats> }
}

/** A pool with the issue-8 API (its own members first, so `stats()` has the new fields). */
export type RPool = RequestApi & Pool

/** A pool (closed when the test finishes) typed with the issue-8 API. */
export function rpcPool(options?: PoolOptions): RPool {
  return newPool(options) as RPool
}

/** Like `rpcPool`, with the teardown's `close()` bounded (see `guardedPool`). */
export function guardedRpcPool(options?: PoolOptions): RPool {
  return guardedPool(options) as RPool
}

/** Collects the pool's `message` events. */
export function messages(pool: RPool): MessageEvent[] {
  const got: MessageEvent[] = []
  pool.on('message', (e) => got.push(e))
  return got
}

/** Collects a lease's `message` events. */
export function inbox(lease: Lease): unknown[] {
  const got: unknown[] = []
  lease.on('message', (data) => got.push(data))
  return got
}

/** The requests the server received whose `data.token` is `token`. */
export function receivedWith(server: TestServer, token: unknown): RpcRequest[] {
  return server.rpc().received.filter((r) => (r.data as { token?: unknown } | undefined)?.token === token)
}

/** `data.token` of each request the server received, in arrival order. */
export function tokens(server: TestServer): unknown[] {
  return server.rpc().received.map((r) => (r.data as { token?: unknown } | undefined)?.token)
}

/** The server's connection number that carried the request with `data.token === token` (its first receipt). */
export function connOf(server: TestServer, token: unknown): number | undefined {
  return receivedWith(server, token)[0]?.conn
}

/** A settle counter: how many times each promise settled, and how. */
export function settleCounter<T>(promises: Promise<T>[]): {
  settled: number[]
  results: ({ ok: true; value: T } | { ok: false; error: any } | undefined)[]
  all: Promise<void>
} {
  const settled = promises.map(() => 0)
  const results: ({ ok: true; value: T } | { ok: false; error: any } | undefined)[] = promises.map(() => undefined)
  const all = Promise.all(
    promises.map((p, i) =>
      p.then(
        (value) => {
          settled[i]++
          results[i] = { ok: true, value }
        },
        (error) => {
          settled[i]++
          results[i] = { ok: false, error }
        },
      ),
    ),
  ).then(() => undefined)
  return { settled, results, all }
}

/** 'settled' once `p` settles, or 'hung' after `ms` (a hang guard, not a timing assertion). */
export function settlesWithin(p: Promise<unknown>, ms: number): Promise<'settled' | 'hung'> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)))
  const settled = p.then(
    () => 'settled' as const,
    () => 'settled' as const,
  )
  return Promise.race([settled, hung]).finally(() => clearTimeout(timer))
}
