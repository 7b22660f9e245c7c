/**
 * Helpers for the issue-7 regression tests: a `ws` subclass for the pool's public `WebSocket`
 * option that keeps a handle on every raw client socket (so a test can make one CLOSING from the
 * client side, or stall its closing handshake), and a watcher that checks the pool's gauges from
 * inside every pool event listener.
 */
import { onTestFinished } from 'vitest'
import WS from 'ws'
import { createPool } from '../../src/index.js'
import { delay, POOL_EVENTS, type Pool, type PoolOptions } from './harness.js'

/**
 * Like `newPool`, but the teardown's `close()` is bounded (1 s): a pool whose live count went
 * wrong may never resolve `close()`, and that must fail the test, not hang its teardown.
 */
export function guardedPool(options?: PoolOptions): Pool {
  const pool = createPool(options)
  onTestFinished(async () => {
    await Promise.race([pool.close().catch(() => {}), delay(1000)])
  })
  return pool
}

export interface RawSockets {
  /** Pass as `createPool({ WebSocket })`. */
  readonly WebSocket: NonNullable<PoolOptions['WebSocket']>
  /** Every socket the pool constructed, in construction order. */
  readonly all: WS[]
  /** Sockets constructed so far. */
  constructed(): number
  /** Sockets constructed and not yet closed (their `close` event not yet emitted). */
  live(): number
  /** The most sockets live at once. */
  peak(): number
  /** Sockets whose readyState is OPEN. */
  open(): WS[]
}

export function rawSockets(): RawSockets {
  const all: WS[] = []
  let live = 0
  let peak = 0
  class Handle extends WS {
    constructor(url: string | URL, protocols?: string | string[], options?: WS.ClientOptions) {
      super(url, protocols, options)
      all.push(this)
      live++
      peak = Math.max(peak, live)
      this.once('close', () => void live--)
    }
  }
  return {
    WebSocket: Handle as unknown as NonNullable<PoolOptions['WebSocket']>,
    all,
    constructed: () => all.length,
    live: () => live,
    peak: () => peak,
    open: () => all.filter((s) => s.readyState === WS.OPEN),
  }
}

/**
 * Stops reading from a raw client socket: the server's answer to a closing handshake (its close
 * frame and FIN) is never seen, so after `close()` the socket stays CLOSING until something
 * terminates it (the pool's close grace). Writing still works.
 */
export function stallReads(socket: WS): void {
  ;(socket as unknown as { _socket: { pause(): void } })._socket.pause()
}

const GAUGES = ['connections', 'open', 'connecting', 'reconnecting', 'active', 'idle', 'pending'] as const

/**
 * Checks `pool.stats()` inside every pool event listener: no gauge negative, `open <= connections`
 * and `connections <= maxConnections` (totals and each host). Returns the violations seen, as
 * readable strings; expect it to stay empty.
 */
export function watchGauges(pool: Pool, maxConnections = Infinity): string[] {
  const violations: string[] = []
  const check = (type: string): void => {
    const s = pool.stats()
    const records: [string, Record<string, unknown>][] = [['totals', s.totals as never], ...Object.entries(s.hosts as Record<string, never>)]
    for (const [where, h] of records) {
      for (const g of GAUGES) {
        const v = h[g] as number
        if (v < 0) violations.push(`in a '${type}' listener: ${where}.${g} = ${v}`)
      }
      const open = h.open as number
      const connections = h.connections as number
      if (open > connections) violations.push(`in a '${type}' listener: ${where}.open ${open} > connections ${connections}`)
      if (connections > maxConnections) violations.push(`in a '${type}' listener: ${where}.connections ${connections} > ${maxConnections}`)
    }
  }
  for (const type of POOL_EVENTS) (pool.on as (t: string, f: () => void) => unknown)(type, () => check(type))
  return violations
}
