/**
 * Shared pieces of the property-based tests (`test/integration/fuzz-*.test.ts`, fast-check).
 *
 * Runs are reproducible: a fixed seed by default, so CI sees the same inputs every time.
 * `FUZZ_SEED=<n>` picks another seed and `FUZZ_RUNS=<n>` sets the run count of every property
 * (a longer local run: `FUZZ_RUNS=500 FUZZ_SEED=7 npx vitest run --project integration fuzz`).
 * On failure fast-check prints the seed, the path and the shrunk counterexample.
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import { PoolError } from '../../src/index.js'
import type { Pool } from './harness.js'

const envInt = (name: string): number | undefined => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return undefined
  const n = Number(raw)
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got ${raw}`)
  return n
}

/** fast-check parameters for a property with `runs` runs by default. */
export function fuzzParams(runs: number): fc.Parameters<unknown> {
  return { seed: envInt('FUZZ_SEED') ?? 20261202, numRuns: envInt('FUZZ_RUNS') ?? runs }
}

/** Every code the README documents. */
export const CODES = [
  'ERR_INVALID_OPTION', 'ERR_INVALID_URL', 'ERR_ACQUIRE_TIMEOUT', 'ERR_QUEUE_FULL', 'ERR_POOL_CLOSED',
  'ERR_CONNECT_FAILED', 'ERR_LEASE_RELEASED', 'ERR_LEASE_CLOSED', 'ERR_BUFFER_FULL', 'ERR_REQUEST_TIMEOUT',
  'ERR_CIRCUIT_OPEN', 'ERR_CONNECTION_LOST', 'ERR_INVALID_ARGUMENT',
] as const
export type Code = (typeof CODES)[number]

/** How a call ended: a value, a thrown or rejected error, or still pending. */
export type Outcome = { kind: 'ok'; value: unknown } | { kind: 'error'; error: unknown } | { kind: 'pending' }

/**
 * Runs `call` and tracks its outcome, synchronous throws included. `outcome()` reads it at any
 * time; `settled` resolves once it is known.
 */
export function track(call: () => unknown): { outcome: () => Outcome; settled: Promise<void> } {
  let outcome: Outcome = { kind: 'pending' }
  let settled: Promise<void>
  try {
    const r = call()
    if (r instanceof Promise) {
      settled = r.then(
        (value) => void (outcome = { kind: 'ok', value }),
        (error) => void (outcome = { kind: 'error', error }),
      )
    } else {
      outcome = { kind: 'ok', value: r }
      settled = Promise.resolve()
    }
  } catch (error) {
    outcome = { kind: 'error', error }
    settled = Promise.resolve()
  }
  return { outcome: () => outcome, settled }
}

/**
 * Expects `error` to be a `PoolError` with one of `codes`, or to be `abortReason` (an aborted
 * signal's reason, passed when the call had one). `what` names the call in the failure message.
 */
export function expectDocumented(what: string, error: unknown, codes: readonly Code[], abortReasons: readonly unknown[] = []): void {
  if (abortReasons.some((r) => r === error)) return
  if (!(error instanceof PoolError)) {
    throw new Error(`${what} failed with ${describe(error)}, not a PoolError`, { cause: error })
  }
  if (!codes.includes(error.code as Code)) {
    throw new Error(`${what} failed with ${error.code} (${error.message}), expected one of ${codes.join(', ')}`, { cause: error })
  }
}

const describe = (e: unknown): string => (e instanceof Error ? `${e.constructor.name}: ${e.message}` : `a thrown ${typeof e} (${safeString(e)})`)

function safeString(v: unknown): string {
  try {
    return String(v)
  } catch {
    return '?'
  }
}

/** Resolves after `ms`, or once every promise settled, whichever comes first. */
export async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([Promise.all(promises), new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}

/** After `close()`: no connection, acquire, lease or request is left in the stats. */
export function expectEmpty(pool: Pool): void {
  const { totals } = pool.stats()
  expect({
    connections: totals.connections, pending: totals.pending, active: totals.active, idle: totals.idle,
    inFlight: totals.inFlight, open: totals.open, connecting: totals.connecting, reconnecting: totals.reconnecting,
  }).toEqual({ connections: 0, pending: 0, active: 0, idle: 0, inFlight: 0, open: 0, connecting: 0, reconnecting: 0 })
}

/** Numbers a numeric option may be given: valid, borderline and invalid ones. */
export const anyNumber = (): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer({ min: -3, max: 12 }),
    fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, 1.5, 2147483647, 2147483648, 1e300, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE),
    fc.double(),
  )

/** Values of a wrong type, or odd ones: null, strings, objects (null prototype too), arrays, symbols, bigints, functions that throw. */
export const oddValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(null, undefined, true, false, '', '5', 'Infinity', [], {}, Object.create(null), Symbol('s'), 5n, new Date(0), new Map(), () => {
      throw new Error('thrown by a fuzzed function')
    }),
    fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withDate: true, maxDepth: 2 }),
  )
