/**
 * retryDelay and defaultShouldReconnect. The delay is keyed to the time since the trouble began
 * (`elapsed`): d = min(maxDelay, max(initialDelay, (factor - 1) * elapsed)), scaled by
 * 1 - jitter * random(). The schedule tests replay the default policy over many seeded clients
 * and check the storm bounds of issue 10 section 6 on the pure policy.
 */
import { describe, expect, it } from 'vitest'
import { retryDelay, defaultShouldReconnect, type BackoffPolicy, type CloseInfo } from '../../src/core/backoff.js'
import { resolveOptions } from '../../src/core/options.js'
import { prng } from '../helpers/prng.js'

const policy = (p: Partial<BackoffPolicy> = {}): BackoffPolicy => ({
  initialDelay: 500,
  factor: 2,
  maxDelay: 30000,
  jitter: 1,
  ...p,
})
const fixed = (x: number) => () => x
const noJitter = policy({ jitter: 0 })

describe('retryDelay without jitter', () => {
  it('waits initialDelay until (factor - 1) x elapsed exceeds it, then (factor - 1) x elapsed', () => {
    const got = [0, 100, 499, 500, 501, 1000, 4000].map((t) => retryDelay(t, noJitter, fixed(0.7)))
    expect(got).toEqual([500, 500, 500, 500, 501, 1000, 4000])
  })

  it('retried back to back, the delay grows by factor per retry once past initialDelay', () => {
    const p = policy({ initialDelay: 100, factor: 2, jitter: 0 })
    let t = 0
    const delays: number[] = []
    for (let i = 0; i < 6; i++) {
      const d = retryDelay(t, p, fixed(0))
      delays.push(d)
      t += d
    }
    expect(delays).toEqual([100, 100, 200, 400, 800, 1600])
  })

  it('caps at maxDelay', () => {
    expect(retryDelay(29_999, noJitter, fixed(0.3))).toBe(29_999)
    expect(retryDelay(30_001, noJitter, fixed(0.3))).toBe(30000)
    expect(retryDelay(1e12, noJitter, fixed(0.3))).toBe(30000)
  })

  it('does not consult random when jitter is 0 (any random value gives the same delay)', () => {
    for (const r of [0, 0.25, 0.5, 0.999]) expect(retryDelay(2000, noJitter, fixed(r))).toBe(2000)
  })

  it('honours a non-integer factor', () => {
    const p = policy({ initialDelay: 100, factor: 1.25, maxDelay: 10000, jitter: 0 })
    expect(retryDelay(0, p, fixed(0))).toBe(100)
    expect(retryDelay(400, p, fixed(0))).toBe(100)
    expect(retryDelay(800, p, fixed(0))).toBe(200)
    expect(retryDelay(100_000, p, fixed(0))).toBe(10000)
  })

  it('factor 1 keeps a constant delay', () => {
    const p = policy({ initialDelay: 250, factor: 1, maxDelay: 1000, jitter: 0 })
    for (const t of [0, 2, 10_000, 1e9]) expect(retryDelay(t, p, fixed(0.5))).toBe(250)
  })

  it('initialDelay equal to maxDelay stays at maxDelay', () => {
    const p = policy({ initialDelay: 1000, maxDelay: 1000, jitter: 0 })
    expect(retryDelay(0, p, fixed(0))).toBe(1000)
    expect(retryDelay(1e6, p, fixed(0))).toBe(1000)
  })

  it('a negative or huge elapsed neither goes below initialDelay nor to NaN/Infinity', () => {
    expect(retryDelay(-5000, noJitter, fixed(0))).toBe(500)
    for (const t of [Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Infinity]) expect(retryDelay(t, noJitter, fixed(0))).toBe(30000)
    const big = policy({ initialDelay: 2147483647, maxDelay: 2147483647, factor: 10, jitter: 1 })
    expect(retryDelay(1e300, big, fixed(0.5))).toBe(2147483647 / 2)
  })
})

describe('retryDelay with jitter', () => {
  it('full jitter: random 0 gives d, 0.5 gives d / 2, 0.999 nearly 0 but not below', () => {
    const full = policy()
    expect(retryDelay(0, full, fixed(0))).toBe(500)
    expect(retryDelay(4000, full, fixed(0.5))).toBe(2000)
    const d = retryDelay(2, full, fixed(0.999))
    expect(d).toBeGreaterThanOrEqual(0)
    expect(d).toBeCloseTo(0.5, 9)
  })

  it('spreads uniformly and monotonically over [(1 - jitter) d, d] for a sweep of random values', () => {
    const p = policy({ jitter: 0.6 })
    const values: number[] = []
    for (let i = 0; i < 1000; i++) values.push(retryDelay(8000, p, fixed(i / 1000)))
    for (const v of values) {
      expect(v).toBeGreaterThan(0.4 * 8000 - 1e-9)
      expect(v).toBeLessThanOrEqual(8000)
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    expect(mean).toBeGreaterThan(0.7 * 8000 - 50)
    expect(mean).toBeLessThan(0.7 * 8000 + 50)
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1])
  })

  it('uses the random source once per call', () => {
    let calls = 0
    const counting = () => {
      calls++
      return 0.25
    }
    expect(retryDelay(1000, policy(), counting)).toBe(750)
    expect(calls).toBe(1)
  })
})

describe('the default policy replayed over 2,000 seeded clients (issue 10 section 6 bounds, pure)', () => {
  const defaults = resolveOptions({}).reconnect
  if (!defaults) throw new Error('reconnect is on by default')
  const ATTEMPT_MS = 2 // a refused attempt
  /** Attempt times (ms since the drop) of one client until the first at or after `back`. */
  const schedule = (random: () => number, back: number): number[] => {
    const at: number[] = []
    let t = 0
    do {
      t += retryDelay(t, defaults, random) + ATTEMPT_MS
      at.push(t)
    } while (t < back)
    return at
  }
  const clients = (back: number) => Array.from({ length: 2000 }, (_, i) => schedule(prng(20261202 + i), back))
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

  it('is 1500 ms, factor 1.25, 30 s cap, jitter 0.6', () => {
    expect(defaults).toMatchObject({ initialDelay: 1500, factor: 1.25, maxDelay: 30000, jitter: 0.6 })
  })

  it('first retries spread over at least 40% of the first delay', () => {
    const first = clients(0).map((s) => s[0])
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThanOrEqual(0.4 * 1500 * 0.95)
  })

  it('a 5 s outage costs at most one attempt per second per client on average', () => {
    const during = clients(5000).map((s) => s.filter((t) => t < 5000).length)
    expect(mean(during) / 5).toBeLessThanOrEqual(1)
  })

  it('in the last half of a 60 s outage, at most one attempt per 5 s per client on average', () => {
    const late = clients(60_000).map((s) => s.filter((t) => t >= 30_000 && t < 60_000).length)
    expect(mean(late) / 6).toBeLessThanOrEqual(1)
  })

  it('within the first 6 s no client waits longer than initialDelay: back within 1.5 s of a 1 s or 5 s outage', () => {
    for (const back of [1000, 5000]) {
      const late = clients(back).map((s) => s[s.length - 1] - back)
      expect(Math.max(...late)).toBeLessThanOrEqual(1500 + ATTEMPT_MS)
    }
  })
})

describe('defaultShouldReconnect', () => {
  const info = (code: number, attempt = 1): CloseInfo => ({ code, reason: '', wasClean: code !== 1006, attempt })

  it.each([1002, 1003, 1007, 1008, 1009, 1010])('does not reconnect after %i (server rejected us)', (code) => {
    expect(defaultShouldReconnect(info(code))).toBe(false)
    expect(defaultShouldReconnect(info(code, 50))).toBe(false)
  })

  it.each([1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014, 3000, 4000, 4999])('reconnects after %i', (code) => {
    expect(defaultShouldReconnect(info(code))).toBe(true)
  })

  it('ignores reason, wasClean and attempt', () => {
    expect(defaultShouldReconnect({ code: 1008, reason: 'policy', wasClean: true, attempt: 1 })).toBe(false)
    expect(defaultShouldReconnect({ code: 1000, reason: 'bye', wasClean: true, attempt: 1000 })).toBe(true)
  })

  it('is the same function the public entry exports', async () => {
    const pub = await import('../../src/index.js')
    expect(pub.defaultShouldReconnect).toBe(defaultShouldReconnect)
    expect(pub.retryDelay).toBe(retryDelay)
  })
})
