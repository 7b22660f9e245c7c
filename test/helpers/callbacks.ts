/**
 * Helpers for the user-callback tests (`test/integration/callbacks*.test.ts`): user code the pool
 * calls (option callbacks, an injected constructor, listeners, a signal) that releases, destroys,
 * closes the pool or throws, and the invariants that must hold whatever it did (STYLE principle
 * 14, SPEC "Precise semantics": Events, Attempts, Leases, Dropped messages, Lifecycle).
 */
import { expect, onTestFinished } from 'vitest'
import WS from 'ws'
import type { TestServer } from '../server/test-server.js'
import { delay, eventually, recordEvents, type Pool, type PoolOptions, type Recorded } from './harness.js'
import { guardedPool, watchGauges } from './sockets.js'

/**
 * A `ws` subclass for the `WebSocket` option with hooks for user code in its constructor, that
 * counts client sockets from construction to their `close` event, and that records an `error`
 * event emitted with no listener attached (plain `ws` would throw it: an uncaught exception).
 */
export interface ProbeSockets {
  readonly WebSocket: NonNullable<PoolOptions['WebSocket']>
  readonly all: WS[]
  constructed(): number
  live(): number
  peak(): number
  /** Live sockets at each construction (before counting the new one). */
  readonly liveAtConstruct: number[]
  /** `error` events emitted on a socket nobody listened to (each would crash a Node process). */
  readonly unhandledErrors: string[]
  /** Runs before `super()` (n: 1-based construction number): throw here and no socket exists. */
  before?: (n: number) => void
  /** Runs after `super()`: the socket exists and is connecting. */
  after?: (socket: WS, n: number) => void
}

export function probeSockets(): ProbeSockets {
  let live = 0
  let peak = 0
  let calls = 0
  const probe: ProbeSockets = {
    WebSocket: undefined as never,
    all: [],
    constructed: () => probe.all.length,
    live: () => live,
    peak: () => peak,
    liveAtConstruct: [],
    unhandledErrors: [],
  }
  class Probe extends WS {
    constructor(url: string | URL, protocols?: string | string[], options?: WS.ClientOptions) {
      const n = ++calls
      probe.before?.(n)
      super(url, protocols, options)
      probe.liveAtConstruct.push(live)
      probe.all.push(this)
      live++
      peak = Math.max(peak, live)
      this.once('close', () => void live--)
      probe.after?.(this, n)
    }

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'error' && this.listenerCount('error') === 0) {
        probe.unhandledErrors.push(String((args[0] as Error | undefined)?.message ?? args[0]))
        return false
      }
      return super.emit(event, ...args)
    }
  }
  ;(probe as { WebSocket: unknown }).WebSocket = Probe
  return probe
}

/** Per connection id (from `connect` events): how many `close` events with `willReconnect: false`. */
export function finalCloses(events: Recorded[]): Map<number, number> {
  const ids = new Map<number, number>()
  for (const e of events) if (e.type === 'connect') ids.set(e.payload.id, 0)
  for (const e of events) if (e.type === 'close' && !e.payload.willReconnect) ids.set(e.payload.id, (ids.get(e.payload.id) ?? 0) + 1)
  return ids
}

export interface Watched {
  pool: Pool
  sockets: ProbeSockets
  events: Recorded[]
  /** Gauge violations seen from inside pool listeners (expect none). */
  violations: string[]
  /** Errors thrown by listeners, as the pool reported them (`reportError`). */
  reported: unknown[]
  /** Unhandled promise rejections seen during the test. */
  unhandled: unknown[]
  /**
   * Closes the pool (or awaits `closing`, a close() user code started) and checks the rest
   * state: no client socket live when close() resolved, none constructed and no event after it,
   * gauges at zero with `closed === created`, one final `close` per connection, no gauge
   * violation, no unhandled socket error or rejection, the server sees nothing open.
   */
  rest(closing?: Promise<void>): Promise<void>
}

/**
 * A pool with the probe sockets, event records, gauge watcher, a `reportError` that records,
 * and an `unhandledRejection` recorder; all removed when the test finishes.
 */
export function watchedPool(server: TestServer, options: PoolOptions = {}, cap = Infinity): Watched {
  const sockets = probeSockets()
  const pool = guardedPool({ breaker: false, ...options, WebSocket: sockets.WebSocket })
  const events = recordEvents(pool)
  const violations = watchGauges(pool, cap)
  const reported: unknown[] = []
  const g = globalThis as { reportError?: (e: unknown) => void }
  const had = Object.prototype.hasOwnProperty.call(g, 'reportError')
  const previous = g.reportError
  g.reportError = (e) => void reported.push(e)
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  onTestFinished(() => {
    process.off('unhandledRejection', onUnhandled)
    if (had) g.reportError = previous
    else delete g.reportError
  })
  const rest = async (closing?: Promise<void>): Promise<void> => {
    let liveAtClose = -1
    await Promise.race([(closing ?? pool.close()).then(() => (liveAtClose = sockets.live())), delay(2000)])
    expect(liveAtClose, 'client sockets live when close() resolved (-1: close() did not resolve within 2 s)').toBe(0)
    const constructed = sockets.constructed()
    const seen = events.length
    const created = pool.stats().totals.created
    await delay(60)
    expect(sockets.constructed(), 'sockets constructed after close() resolved').toBe(constructed)
    expect(sockets.live()).toBe(0)
    expect(events.slice(seen).map((e) => e.type), 'pool events after close() resolved').toEqual([])
    const t = pool.stats().totals
    expect(t.created, 'connections created after close() resolved').toBe(created)
    expect({ connections: t.connections, open: t.open, connecting: t.connecting, reconnecting: t.reconnecting, active: t.active, idle: t.idle, pending: t.pending, closed: t.closed }).toEqual({
      connections: 0, open: 0, connecting: 0, reconnecting: 0, active: 0, idle: 0, pending: 0, closed: t.created,
    })
    for (const [id, n] of finalCloses(events)) expect({ id, finalCloses: n }).toEqual({ id, finalCloses: 1 })
    expect(violations.slice(0, 5)).toEqual([])
    expect(sockets.unhandledErrors, 'error events on sockets nobody listens to').toEqual([])
    expect(unhandled.map(String), 'unhandled rejections').toEqual([])
    await eventually(() => expect(server.counts().open).toBe(0), 1000)
  }
  return { pool, sockets, events, violations, reported, unhandled, rest }
}

/** The `error` events that report `thrown`: the value itself, or a PoolError carrying it as `cause`. */
export function reportsOf(events: Recorded[], thrown: unknown): Recorded['payload'][] {
  return events.filter((e) => e.type === 'error' && (e.payload.error === thrown || e.payload.error?.cause === thrown)).map((e) => e.payload)
}
