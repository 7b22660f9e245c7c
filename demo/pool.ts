/**
 * The demo's one pool, with options tuned to be watched (the defaults suit production fleets).
 */
import { createPool } from 'wspool'

export type Pool = ReturnType<typeof createPool>
export type Lease = Awaited<ReturnType<Pool['acquire']>>

export const MAX_PER_HOST = 4

export function createDemoPool(): Pool {
  return createPool({
    maxPerHost: MAX_PER_HOST,
    acquireTimeout: 60_000,
    // Tuned to be watched: backoff 250 ms doubling to 8 s, jitter 0.5 keeps each wait in [d/2, d]
    // (the default full jitter is right for fleets, harder to read on a page).
    reconnect: { initialDelay: 250, factor: 2, maxDelay: 8000, jitter: 0.5, minUptime: 5000 },
    // "Half-open" on a card: the echo of 'ping' stops, and the pool notices within 5 s.
    heartbeat: { interval: 3000, timeout: 2000, message: 'ping', isPong: (data: unknown) => data === 'ping' },
    // 3 failed attempts in a row open an origin's circuit: a stopped replica is left within a
    // second or two (its list leases move, requests skip it), an "Outage 5 s" shows the circuit
    // opening, and 3 s later one trial may close it again.
    breaker: { failures: 3, cooldown: 3000 },
    // Request/reply (the requests panel): a storm's replies come within a second.
    requestTimeout: 15_000,
  })
}
