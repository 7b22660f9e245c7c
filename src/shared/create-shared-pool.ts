/**
 * `createSharedPool`: a pool whose connections every tab of an app shares (SPEC "Cross-tab
 * pools"). It returns an ordinary `WebSocketPool` (same API, types, checks and errors) whose
 * backend carries each operation to the one place that holds the connections: a SharedWorker
 * when the app gives one (`worker`) and the browser has them, else a leader tab elected with Web
 * Locks, else (Node, old browsers) nowhere: it is then a plain `createPool`.
 */
import { resolveOptions, type PoolOptions, type ResolvedOptions } from '../core/options.js'
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
  return new WebSocketPool(rest, (resolved, makeLease) => {
    let backend: RemoteBackend | undefined
    const receive = (m: ToClient): void => backend?.receive(m)
    if (useWorker) {
      const tabOptions = cloneable(rest)
      const fallback = canElect() ? () => new LeaderElection(channel, rest, limitsOf(resolved), receive) : undefined
      const wire = new SwitchableWire(new WorkerWire(worker, name, receive, (error) => {
        backend?.emitter.emit('error', { origin: '', url: '', error })
        // The worker cannot start: a leader tab holds the connections instead, where one can be elected.
        if (fallback && backend) wire.replace(fallback(), backend)
      }))
      return (backend = new RemoteBackend(resolved, makeLease, wire, tabOptions))
    }
    return (backend = new RemoteBackend(resolved, makeLease, new LeaderElection(channel, rest, limitsOf(resolved), receive)))
  })
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

function limitsOf(r: ResolvedOptions) {
  return { maxPerHost: r.maxPerHost, maxTotal: r.maxTotal, minIdlePerHost: r.minIdlePerHost }
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
