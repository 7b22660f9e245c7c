/**
 * `createSharedPool`: a pool whose connections every tab of an app shares (SPEC "Cross-tab
 * pools"). It returns an ordinary `WebSocketPool` (same API, types, checks and errors) whose
 * backend carries each operation to the one place that holds the connections: a SharedWorker
 * when the app gives one (`worker`) and the browser has them, else a leader tab elected with Web
 * Locks, else (Node, old browsers) nowhere: it is then a plain `createPool`.
 */
import { limitsOf, resolveOptions, type PoolOptions } from '../core/options.js'
import { fail } from '../core/validate.js'
import { WebSocketPool } from '../pool/pool.js'
import { canElect, LeaderElection } from './leader.js'
import type { ToClient } from './messages.js'
import { RemoteBackend, type HostWire } from './remote-backend.js'
import { WorkerWire, type WorkerSource } from './worker.js'

/** Options of `createSharedPool`: those of `createPool`, plus where the shared connections live. */
export interface SharedPoolOptions extends PoolOptions {
  /**
   * Tabs share a pool when they are of the same origin and use the same `name`.
   * @default 'wspool'
   */
  name?: string
  /**
   * The SharedWorker that holds the connections: its script's URL (a module script that calls
   * `serveSharedPool()`), or a function that starts it (for bundlers' worker syntax:
   * `() => new SharedWorker(new URL('./pool-worker.ts', import.meta.url), { type: 'module' })`).
   * Without it, or where browsers have no SharedWorker, a leader tab holds them.
   * @default none (a leader tab)
   */
  worker?: WorkerSource
}

/** Options that are functions stay in their context: a worker cannot receive them. */
const FUNCTION_OPTIONS = ['resolveUrl', 'codec', 'WebSocket'] as const

/**
 * Creates a pool shared by every tab of this origin that uses the same `name`: the caps count
 * across tabs, and the connections survive the tab that opened them (when the leader tab closes,
 * another takes over and the leases in the other tabs reconnect). Where neither SharedWorker nor
 * Web Locks exist (Node, old browsers), it is a plain `createPool(options)`.
 * @throws PoolError `ERR_INVALID_OPTION` naming the option, the value and what was expected
 */
export function createSharedPool(options: SharedPoolOptions = {}): WebSocketPool {
  if (options === null || typeof options !== 'object') fail('options', options, 'an object')
  const { name = 'wspool', worker, ...rest } = options
  if (typeof name !== 'string' || name === '') fail('name', name, 'a non-empty string')
  if (worker !== undefined && typeof worker !== 'string' && typeof worker !== 'function' && !(worker instanceof URL)) {
    fail('worker', worker, 'a URL (string or URL) or a function that returns a SharedWorker')
  }
  const useWorker = worker !== undefined && typeof (globalThis as { SharedWorker?: unknown }).SharedWorker === 'function'
  if (!useWorker && !canElect()) return new WebSocketPool(rest)
  const channel = `wspool:${name}`
  let backend: RemoteBackend | undefined
  let wire: HostWire | undefined
  const pool = new WebSocketPool(rest, (resolved, makeLease) => {
    const receive = (m: ToClient): void => backend?.receive(m)
    if (useWorker) {
      const tabOptions = cloneable(rest)
      const fallback = canElect() ? () => new LeaderElection(channel, rest, limitsOf(resolved), receive) : undefined
      const switchable = new SwitchableWire(new WorkerWire(worker, name, receive, (error) => {
        backend?.emitter.emit('error', { origin: '', url: '', error })
        // The worker cannot start: a leader tab holds the connections instead, where one can be elected.
        if (fallback && backend) switchable.replace(fallback(), backend)
      }))
      wire = switchable
      return (backend = new RemoteBackend(resolved, makeLease, wire, tabOptions, channel))
    }
    wire = new LeaderElection(channel, rest, limitsOf(resolved), receive)
    return (backend = new RemoteBackend(resolved, makeLease, wire, undefined, channel))
  })
  const b = backend!
  const w = wire!
  states.set(pool, () => {
    const current = w instanceof SwitchableWire ? w.current : w
    const leader = current instanceof LeaderElection
    return { transport: leader ? 'leader' : 'worker', leading: leader && current.leading, tabs: b.tabs }
  })
  return pool
}

/** What a tab can see of how its shared pool is arranged (see {@link sharedPoolState}). */
export interface SharedPoolState {
  /** Where the connections live: in a SharedWorker, or in a leader tab. */
  readonly transport: 'worker' | 'leader'
  /** Whether this tab is the leader tab, which holds the connections (always false with a worker). */
  readonly leading: boolean
  /** How many tabs share the pool, as its host last reported (0 until this tab is attached). */
  readonly tabs: number
}

const states = new WeakMap<WebSocketPool, () => SharedPoolState>()

/**
 * How a pool from `createSharedPool` is shared right now: where its connections live, whether
 * this tab leads, how many tabs share it. A snapshot, to read again when needed (for display).
 * @returns null for a pool that is not shared across tabs: one from `createPool`, or from
 * `createSharedPool` where it is a plain pool (no SharedWorker nor Web Locks)
 */
export function sharedPoolState(pool: WebSocketPool): SharedPoolState | null {
  return states.get(pool)?.() ?? null
}

/** A tab's way to the host that can change once (a worker that failed to start -> a leader tab). */
class SwitchableWire implements HostWire {
  constructor(public current: HostWire) {}
  post(m: Parameters<HostWire['post']>[0]): void {
    this.current.post(m)
  }
  close(): void {
    this.current.close()
  }
  replace(next: HostWire, backend: RemoteBackend): void {
    this.current.close()
    this.current = next
    backend.rehome()
  }
}

/**
 * The options a tab sends to a worker: everything but functions, which cannot be cloned (and
 * must be given to `serveSharedPool` in the worker script instead).
 * @throws PoolError `ERR_INVALID_OPTION` for an option that is (or holds) a function
 */
function cloneable(o: PoolOptions): Record<string, unknown> {
  resolveOptions(o) // invalid options fail here, naming the option, before anything crosses
  for (const key of FUNCTION_OPTIONS) {
    if (o[key] !== undefined) fail(key, o[key], 'given to serveSharedPool() in the worker script: with `worker`, options that are functions cannot reach the pool')
  }
  const nested: [string, string][] = [['reconnect', 'shouldReconnect'], ['heartbeat', 'isPong']]
  for (const [group, key] of nested) {
    const g = o[group as keyof PoolOptions] as Record<string, unknown> | undefined
    if (g && typeof g === 'object' && g[key] !== undefined) fail(`${group}.${key}`, g[key], 'given to serveSharedPool() in the worker script: with `worker`, options that are functions cannot reach the pool')
  }
  return { ...o } as Record<string, unknown>
}
