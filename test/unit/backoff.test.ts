/**
 * backoffDelay and defaultShouldReconnect (SPEC "reconnect": attempt n waits
 * d = min(maxDelay, initialDelay * factor^(n-1)) scaled by 1 - jitter * random()).
 */
import { describe, expect, it } from 'vitest'
import { backoffDelay, defaultShouldReconnect, type BackoffPolicy, type CloseInfo } from '../../src/core/backoff.js'

const policy = (p: Partial<BackoffPolicy> = {}): BackoffPolicy => ({
  initialDelay: 500,
  factor: 2,
  maxDelay: 30000,
  jitter: 1,
  ...p,
})
const fixed = (x: number) => () => x
const noJitter = policy({ jitter: 0 })

describe('backoffDelay without jitter', () => {
  it('grows by factor from initialDelay: 500, 1000, 2000, 4000, ...', () => {
    const got = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, noJitter, fixed(0.7)))
    expect(got).toEqual([500, 1000, 2000, 4000, 8000, 16000])
  })

  it('caps at maxDelay exactly once the product exceeds it', () => {
    expect(backoffDelay(7, noJitter, fixed(0.3))).toBe(30000) // 32000 capped
    expect(backoffDelay(8, noJitter, fixed(0.3))).toBe(30000)
    expect(backoffDelay(50, noJitter, fixed(0.3))).toBe(30000)
  })

  it('does not consult random when jitter is 0 (any random value gives the same delay)', () => {
    for (const r of [0, 0.25, 0.5, 0.999]) expect(backoffDelay(3, noJitter, fixed(r))).toBe(2000)
  })

  it('honours a non-integer factor', () => {
    const p = policy({ initialDelay: 100, factor: 1.5, maxDelay: 10000, jitter: 0 })
    expect(backoffDelay(1, p, fixed(0))).toBe(100)
    expect(backoffDelay(2, p, fixed(0))).toBe(150)
    expect(backoffDelay(3, p, fixed(0))).toBe(225)
    expect(backoffDelay(4, p, fixed(0))).toBeCloseTo(337.5, 10)
  })

  it('factor 1 keeps a constant delay', () => {
    const p = policy({ initialDelay: 250, factor: 1, maxDelay: 1000, jitter: 0 })
    for (const n of [1, 2, 10, 1000]) expect(backoffDelay(n, p, fixed(0.5))).toBe(250)
  })

  it('initialDelay equal to maxDelay stays at maxDelay', () => {
    const p = policy({ initialDelay: 1000, maxDelay: 1000, jitter: 0 })
    expect(backoffDelay(1, p, fixed(0))).toBe(1000)
    expect(backoffDelay(5, p, fixed(0))).toBe(1000)
  })

  it('huge attempts neither overflow to NaN/Infinity nor exceed maxDelay', () => {
    for (const n of [1024, 1025, 5000, 1e6, Number.MAX_SAFE_INTEGER]) {
      const d = backoffDelay(n, noJitter, fixed(0))
      expect(Number.isNaN(d)).toBe(false)
      expect(d).toBe(30000)
    }
    const big = policy({ initialDelay: 2147483647, maxDelay: 2147483647, factor: 10, jitter: 1 })
    expect(backoffDelay(400, big, fixed(0.5))).toBe(2147483647 / 2)
    const slow = policy({ initialDelay: 10, factor: 1, maxDelay: 20, jitter: 0 })
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, slow, fixed(0))).toBe(10)
  })
})

describe('backoffDelay with full jitter (default jitter: 1)', () => {
  const full = policy()

  it('random 0 gives the full delay d', () => {
    expect(backoffDelay(1, full, fixed(0))).toBe(500)
    expect(backoffDelay(3, full, fixed(0))).toBe(2000)
    expect(backoffDelay(20, full, fixed(0))).toBe(30000)
  })

  it('random 0.5 gives d / 2', () => {
    expect(backoffDelay(1, full, fixed(0.5))).toBe(250)
    expect(backoffDelay(4, full, fixed(0.5))).toBe(2000)
    expect(backoffDelay(20, full, fixed(0.5))).toBe(15000)
  })

  it('random 0.999 gives a delay close to 0, still >= 0', () => {
    const d = backoffDelay(3, full, fixed(0.999))
    expect(d).toBeGreaterThanOrEqual(0)
    expect(d).toBeCloseTo(2, 9)
  })

  it('spreads uniformly over [0, d] for a sweep of random values', () => {
    const values: number[] = []
    for (let i = 0; i < 1000; i++) values.push(backoffDelay(5, full, fixed(i / 1000)))
    for (const v of values) {
      expect(v).toBeGreaterThan(0)
      expect(v).toBeLessThanOrEqual(8000)
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    expect(mean).toBeGreaterThan(3900)
    expect(mean).toBeLessThan(4100)
    // Monotone decreasing in random: 1 - random is the scale.
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1])
  })

  it('uses the random source once per call', () => {
    let calls = 0
    const counting = () => {
      calls++
      return 0.25
    }
    expect(backoffDelay(2, full, counting)).toBe(750)
    expect(calls).toBe(1)
  })
})

describe('backoffDelay with partial jitter', () => {
  it('jitter 0.5 keeps the delay in [d/2, d]', () => {
    const p = policy({ jitter: 0.5 })
    expect(backoffDelay(3, p, fixed(0))).toBe(2000)
    expect(backoffDelay(3, p, fixed(0.5))).toBe(1500)
    expect(backoffDelay(3, p, fixed(0.999))).toBeCloseTo(1001, 9)
  })

  it('jitter 0.2 with random 0.5 scales by 0.9', () => {
    const p = policy({ jitter: 0.2, initialDelay: 1000, maxDelay: 60000 })
    expect(backoffDelay(1, p, fixed(0.5))).toBeCloseTo(900, 9)
    expect(backoffDelay(10, p, fixed(0.5))).toBeCloseTo(54000, 9)
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
    expect(pub.backoffDelay).toBe(backoffDelay)
  })
})
