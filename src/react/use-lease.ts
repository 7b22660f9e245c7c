/**
 * `useLease`: holds one lease for as long as a component is mounted with the same URL and
 * options, and renders its state.
 *
 * Invariants:
 * - The acquire starts one microtask after the effect. React's StrictMode mounts, unmounts and
 *   remounts effects synchronously, so the first mount's acquire never starts: exactly one
 *   connection is opened, never one that is opened only to be released at once.
 * - Every effect run ends with its lease released, or its pending acquire aborted (a queued
 *   acquire leaves the queue), before the next run starts: switching URL releases the old lease
 *   before the new one is asked for.
 * - A render never returns a lease acquired for other arguments: the stored result carries the
 *   key it was acquired for, and a render with another key shows `connecting`.
 * - The effect re-runs only when the VALUES of `url` and `options` change (inline objects and
 *   arrays are fine), and an error is stored once per run: a bad argument cannot loop renders.
 */
import { useEffect, useState } from 'react'
import type { AcquireOptions, Lease, LeaseState, Unsubscribe, WebSocketPool } from 'wspool'
import { getDefaultPool, useProvidedPool } from './context.js'

/**
 * Options of {@link useLease}: those of `pool.acquire`, without `signal` (the hook aborts its
 * own acquire on unmount or when the arguments change).
 */
export interface UseLeaseOptions extends Omit<AcquireOptions, 'signal'> {}

/**
 * What {@link useLease} reports: a lease state, or `'idle'` while `url` is `null` (nothing asked
 * for, nothing held).
 */
export type UseLeaseState = LeaseState | 'idle'

/** What {@link useLease} returns. The same object until something in it changes. */
export interface UseLeaseResult {
  /**
   * The lease, once its connection is open; `null` while connecting, after a failed acquire and
   * while `url` is `null`. The hook releases it: do not call `release()` or `destroy()` yourself
   * unless you mean to end it for every render after.
   * @default null
   */
  lease: Lease | null
  /**
   * `'connecting'` until the lease is held, then the lease's state (`'open'`, `'reconnecting'`,
   * `'closed'` once its connection closed for good); `'closed'` when the acquire failed;
   * `'idle'` while `url` is `null`.
   * @default 'connecting' ('idle' when url is null)
   */
  state: UseLeaseState
  /**
   * Why there is no usable lease: the acquire's rejection (a `PoolError`: `ERR_INVALID_URL`,
   * `ERR_INVALID_ARGUMENT`, `ERR_ACQUIRE_TIMEOUT`, ...), or the last `error` event of a held lease
   * while it reconnects or after it closed. Cleared when the connection reopens.
   * @default null
   */
  error: Error | null
}

/** A result, with the arguments it was acquired for. */
interface Stored {
  key: string | null
  pool: WebSocketPool | undefined
  result: UseLeaseResult
}

const IDLE: UseLeaseResult = { lease: null, state: 'idle', error: null }
const CONNECTING: UseLeaseResult = { lease: null, state: 'connecting', error: null }
const EMPTY: Stored = { key: null, pool: undefined, result: IDLE }

/**
 * Acquires a lease on `url` when the component mounts (in the browser, after render) and
 * releases it when the component unmounts or `url`/`options` change; renders its state.
 *
 * `url` is what `pool.acquire` takes (a `ws:`/`wss:` URL, or a list of replicas), or `null`
 * for "not now": nothing is opened. Invalid arguments and failed acquires come back as `error`
 * with `state: 'closed'`; the hook never throws. Uses the pool of the nearest `PoolProvider`,
 * else the default pool. Opens nothing during a server render.
 *
 * @example
 * const { lease, state, error } = useLease('wss://api.example.com/feed', { shared: true })
 * useEffect(() => lease?.on('message', (data) => setLast(String(data))), [lease])
 */
export function useLease(url: string | URL | readonly (string | URL)[] | null | undefined, options?: UseLeaseOptions): UseLeaseResult {
  const provided = useProvidedPool()
  const key = url == null ? null : keyOf(url, options)
  const [stored, setStored] = useState(EMPTY)

  useEffect(() => {
    if (key === null) return
    let done = false
    let lease: Lease | null = null
    let error: Error | null = null
    const offs: Unsubscribe[] = []
    const abort = new AbortController()
    const show = (state: UseLeaseState) => {
      if (!done) setStored({ key, pool: provided, result: { lease, state, error } })
    }
    const start = () => {
      const pool = provided ?? getDefaultPool()
      const signal = abort.signal
      // Anything but an options object goes to acquire as given, so the message is the pool's.
      const o = options === undefined ? { signal } : options !== null && typeof options === 'object' ? { ...options, signal } : options
      return pool.acquire(url!, o) // `key` is null, and this effect idle, when `url` is
    }
    void Promise.resolve()
      .then(() => (done ? null : start()))
      .then(
        (held) => {
          if (!held) return
          if (done) return held.release()
          lease = held
          offs.push(
            held.on('open', () => {
              error = null
              show(held.state)
            }),
            held.on('reconnecting', () => show(held.state)),
            held.on('close', () => show('closed')),
            held.on('error', (e) => {
              error = e
              show(held.state)
            }),
          )
          show(held.state)
        },
        (e: unknown) => {
          error = e instanceof Error ? e : new Error(String(e))
          show('closed')
        },
      )
    return () => {
      done = true
      for (const off of offs) off()
      abort.abort()
      lease?.release()
      // Forget this run's result, so arguments that come back later never see its lease.
      setStored((s) => (s.key === key && s.pool === provided ? EMPTY : s))
    }
  }, [provided, key])

  if (key === null) return IDLE
  return stored.key === key && stored.pool === provided ? stored.result : CONNECTING
}

/** A string that changes exactly when the value of an argument changes (inline objects are fine). */
function keyOf(url: unknown, options: unknown): string {
  try {
    const opts =
      options !== null && typeof options === 'object'
        ? Object.keys(options)
            .sort()
            .map((k) => `${k}=${part((options as Record<string, unknown>)[k])}`)
            .join('&')
        : part(options)
    return `${part(url)} ${opts}`
  } catch {
    // An argument that cannot even be described is invalid: acquire says why, once.
    return 'invalid'
  }
}

const part = (v: unknown): string => (Array.isArray(v) ? `[${v.map(part).join(',')}]` : `${typeof v}:${String(v)}`)
