/**
 * What the chaos run's callers (`callers.ts`) and its fault loop (`faults.ts`) share: the pool,
 * the test server, the client-side record the checker reads, and seeded random sources.
 */
import type { Lease, WebSocketPool } from '../../src/index.js'
import type { TestServer } from '../server/test-server.js'
import { prng } from '../helpers/prng.js'
import type { ClientRecord, LeaseRecord } from './checker.js'

/** A seeded random source: each caller and the fault loop has its own, so each one's choices follow from the seed. */
export interface Rng {
  rand: () => number
  /** an integer in [lo, hi] */
  between: (lo: number, hi: number) => number
  pick: <T>(xs: readonly T[]) => T
}

/** The random source seeded with `n`. */
export function rng(n: number): Rng {
  const rand = prng(n)
  return { rand, between: (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)), pick: (xs) => xs[Math.floor(rand() * xs.length)] }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The shared state of one run. */
export interface World {
  readonly pool: WebSocketPool
  readonly server: TestServer
  /** what the callers saw, for the checker */
  readonly record: ClientRecord
  /** where each lease's messages are logged on the server (its group's tag for a shared one) */
  readonly leaseLogs: { tag: string; log: string }[]
  /** leases being used now: the fault loop asks one of them for a close */
  readonly live: Map<Lease, LeaseRecord>
  /** the server is half-open: what is sent now is not recorded */
  deaf: boolean
  /** the run is over: callers finish what they are doing and stop */
  stop: boolean
  /** counters behind unique lease tags, request numbers and control-message ids */
  readonly next: { tag: number; req: number; control: number }
}
