/**
 * `usePoolStats`: the pool's stats snapshot (or one origin's), for rendering.
 *
 * `pool.stats()` is already referentially stable (the same object until a figure changes), but
 * message counters move on every message, so reading it on every change would re-render a stats
 * panel per message. The store samples it at most once per `interval` instead, and tells React
 * only when the sampled object differs from the last one: a component reading stats renders
 * again only when something it shows changed, and at most once per interval.
 */
import { useMemo, useSyncExternalStore } from 'react'
import { PoolError, type HostStats, type PoolStats, type WebSocketPool } from 'wspool'
import { getDefaultPool, useProvidedPool } from './context.js'

/** Options of {@link usePoolStats}. */
export interface UsePoolStatsOptions {
  /**
   * Return this origin's {@link HostStats} instead of the pool's {@link PoolStats}. A URL is
   * reduced to its origin (`wss://a.example/feed` -> `wss://a.example`); `undefined` until the
   * pool has used the origin (and after it forgot it).
   * @default undefined (the whole pool)
   */
  origin?: string
  /**
   * ms between two samples of the stats: the component renders at most once per interval, and
   * only when a figure changed. An integer in [1, 2147483647]; anything else throws a
   * `PoolError` `ERR_INVALID_ARGUMENT` while rendering (an error boundary catches it).
   * @default 1000
   */
  interval?: number
}

/** The default of {@link UsePoolStatsOptions.interval}, ms. @default 1000 */
export const DEFAULT_STATS_INTERVAL = 1000

type Snapshot = PoolStats | HostStats | undefined

const summary = { count: 0, p50: null, p95: null, p99: null, max: null }
const zeros: HostStats = {
  connections: 0, open: 0, connecting: 0, reconnecting: 0, active: 0, shared: 0, idle: 0, pending: 0,
  inFlight: 0, max: null, created: 0, closed: 0, reconnects: 0, errors: 0, timeouts: 0, rejected: 0,
  dropped: 0, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, requests: 0,
  acquireWait: summary, connectTime: summary, requestTime: summary,
}
/**
 * What server renders and hydrating renders show: a pool that has done nothing (no pool exists
 * on the server, and hydration must match the server's HTML).
 */
const SERVER_STATS: PoolStats = { totals: zeros, hosts: {} }

/**
 * The pool's stats, sampled at most once per `interval` ms, on `useSyncExternalStore`: the
 * same object, and no re-render, until a figure changes. With `origin`, that origin's stats.
 * Uses the pool of the nearest `PoolProvider`, else the default pool. During a server render
 * (and the hydrating render) it returns the stats of an unused pool and creates nothing.
 *
 * @example
 * const { totals } = usePoolStats()
 * const feed = usePoolStats({ origin: 'wss://api.example.com', interval: 250 })
 */
export function usePoolStats(options?: { origin?: undefined; interval?: number }): PoolStats
export function usePoolStats(options: { origin: string; interval?: number }): HostStats | undefined
export function usePoolStats(options?: UsePoolStatsOptions): PoolStats | HostStats | undefined
export function usePoolStats({ origin, interval = DEFAULT_STATS_INTERVAL }: UsePoolStatsOptions = {}): Snapshot {
  if (!Number.isInteger(interval) || interval < 1 || interval > 2147483647) {
    throw new PoolError('ERR_INVALID_ARGUMENT', `Expected \`interval\` to be an integer in [1, 2147483647] ms, got ${String(interval)}`)
  }
  const provided = useProvidedPool()
  const store = useMemo(() => statsStore(provided, origin, interval), [provided, origin, interval])
  return useSyncExternalStore(store.subscribe, store.get, origin === undefined ? serverStats : serverHost)
}

const serverStats = (): Snapshot => SERVER_STATS
const serverHost = (): Snapshot => undefined

interface StatsStore {
  subscribe(notify: () => void): () => void
  get(): Snapshot
}

function statsStore(provided: WebSocketPool | undefined, origin: string | undefined, interval: number): StatsStore {
  let key: string | undefined
  let sampled = false
  let last: Snapshot
  const read = (): Snapshot => {
    const stats = (provided ?? getDefaultPool()).stats()
    if (origin === undefined) return stats
    key ??= originOf(origin)
    return stats.hosts[key]
  }
  const sample = (): boolean => {
    const next = read()
    const changed = !sampled || next !== last
    sampled = true
    last = next
    return changed
  }
  return {
    subscribe(notify) {
      // React re-reads `get` right after subscribing: a change since render shows at once.
      sample()
      const timer = setInterval(() => {
        if (sample()) notify()
      }, interval)
      return () => clearInterval(timer)
    },
    get() {
      if (!sampled) sample()
      return last
    },
  }
}

function originOf(origin: string): string {
  try {
    const o = new URL(origin).origin
    return o === 'null' ? origin : o
  } catch {
    return origin
  }
}
