/**
 * What the chaos run's callers (`callers.ts`) and its fault loop (`faults.ts`) share: the pool,
 * the test servers, the records the checker reads, seeded random sources and one clock.
 */
import type { Lease, WebSocketPool } from '../../src/index.js'
import type { TestServer } from '../server/test-server.js'
import { prng } from '../helpers/prng.js'
import type { CapChange, ClientRecord, LeaseRecord } from './checker.js'

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

let last = 0
/**
 * The run's one clock (ms): the servers stamp their connection logs with it, the run its cap
 * changes and the pool's creations of connections, so the cap check can order them all. Strictly
 * increasing: two readings never tie.
 */
export const clock = (): number => (last = Math.max(performance.now(), last + 1e-6))

/** The shared state of one run. */
export interface World {
  readonly pool: WebSocketPool
  /** two origins: the caps apply per origin (`maxPerHost`) and to both (`maxTotal`) */
  readonly servers: readonly TestServer[]
  /** what the callers saw, for the checker */
  readonly record: ClientRecord
  /** where each lease's messages are logged: which server, and under what tag there (its group's for a shared one) */
  readonly leaseLogs: { tag: string; server: number; log: string }[]
  /** leases being used now, with their server: the fault loop asks one of them for a close */
  readonly live: Map<Lease, LeaseRecord & { server: number }>
  /** per server: it is half-open, what is sent to it now is not recorded */
  readonly deaf: boolean[]
  /** the caps in force over time (`clock`): the initial ones, then around each resize (see `caps.ts`) */
  readonly caps: CapChange[]
  /** the pool's creations of connections: its first `connect` event of each id (`clock`, origin) */
  readonly creations: { at: number; origin: string }[]
  /** the run is over: callers finish what they are doing and stop */
  stop: boolean
  /** counters behind unique lease tags, request numbers and control-message ids */
  readonly next: { tag: number; req: number; control: number }
}
