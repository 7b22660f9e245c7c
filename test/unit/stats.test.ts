/**
 * Latency windows, per-host records feeding totals, and the cached snapshot (SPEC "Stats",
 * "Stats fields": max null when unlimited, null percentiles when count is 0, JSON-serialisable).
 */
import { describe, expect, it } from 'vitest'
import { LatencyWindow, StatsRegistry, type CountField, type HostStats } from '../../src/core/stats.js'

/** Nearest-rank percentile: the value at rank ceil(p/100 * N) of the sorted samples. */
const nearestRank = (samples: number[], p: number): number => {
  const s = samples.slice().sort((a, b) => a - b)
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1]
}

describe('LatencyWindow', () => {
  it('empty: count 0 and null percentiles and max', () => {
    expect(new LatencyWindow().summary()).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null })
  })

  it('one sample: every percentile is that sample', () => {
    const w = new LatencyWindow()
    w.record(42)
    expect(w.summary()).toEqual({ count: 1, p50: 42, p95: 42, p99: 42, max: 42 })
  })

  it('1..100: nearest-rank p50 = 50, p95 = 95, p99 = 99, max = 100', () => {
    const w = new LatencyWindow()
    // Record in a scrambled order: percentiles must not depend on arrival order.
    for (let i = 0; i < 100; i++) w.record(((i * 37) % 100) + 1)
    expect(w.summary()).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 })
  })

  it('small sets use nearest rank, not interpolation', () => {
    const w = new LatencyWindow()
    for (const v of [10, 20, 30, 40]) w.record(v)
    // N=4: p50 -> rank 2 (20), p95 -> rank 4 (40), p99 -> rank 4 (40).
    expect(w.summary()).toMatchObject({ p50: 20, p95: 40, p99: 40 })
    const w3 = new LatencyWindow()
    for (const v of [3, 1, 2]) w3.record(v)
    // N=3: p50 -> rank ceil(1.5)=2 -> 2.
    expect(w3.summary()).toMatchObject({ p50: 2, p95: 3, p99: 3, max: 3 })
  })

  it('sorts numerically, not lexicographically', () => {
    const w = new LatencyWindow()
    for (const v of [9, 100, 25, 1000, 3]) w.record(v)
    expect(w.summary()).toMatchObject({ p50: 25, p99: 1000, max: 1000 })
  })

  it('matches nearest rank on random data', () => {
    let seed = 12345
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const samples = Array.from({ length: 777 }, () => Math.round(rand() * 5000))
    const w = new LatencyWindow()
    for (const s of samples) w.record(s)
    const sum = w.summary()
    expect(sum.p50).toBe(nearestRank(samples, 50))
    expect(sum.p95).toBe(nearestRank(samples, 95))
    expect(sum.p99).toBe(nearestRank(samples, 99))
    expect(sum.max).toBe(Math.max(...samples))
  })

  it('keeps only the latest 1024 samples for percentiles, but count and max over all time', () => {
    const w = new LatencyWindow()
    w.record(1_000_000) // the all-time max, soon outside the window
    for (let i = 0; i < 1023; i++) w.record(5000)
    expect(w.summary()).toMatchObject({ count: 1024, p99: 5000, max: 1_000_000 })
    // 1024 fresh samples of 1 push every older sample out of the window.
    for (let i = 0; i < 1024; i++) w.record(1)
    expect(w.summary()).toEqual({ count: 2048, p50: 1, p95: 1, p99: 1, max: 1_000_000 })
  })

  it('the window slides one sample at a time (oldest replaced first)', () => {
    const w = new LatencyWindow()
    for (let i = 1; i <= 1024; i++) w.record(i) // window: 1..1024
    w.record(0) // replaces 1 -> window 0,2..1024
    // p50 rank 512 of [0,2,3,...,1024] = 512
    expect(w.summary().p50).toBe(512)
    for (let i = 0; i < 511; i++) w.record(0) // replaces 2..512 -> window: 512 zeros, 513..1024
    expect(w.summary().p50).toBe(0)
    w.record(0) // replaces 513 -> 513 zeros: rank 512 is still 0, rank 513 too
    expect(w.summary()).toMatchObject({ count: 1024 + 513, p50: 0, p95: nearestRank([...new Array(513).fill(0), ...Array.from({ length: 511 }, (_, i) => 514 + i)], 95) })
  })

  it('rounds summaries to microseconds (3 decimals)', () => {
    const w = new LatencyWindow()
    w.record(1.23456789)
    expect(w.summary()).toEqual({ count: 1, p50: 1.235, p95: 1.235, p99: 1.235, max: 1.235 })
  })

  it('summary does not disturb later recording', () => {
    const w = new LatencyWindow()
    w.record(5)
    w.summary()
    w.record(1)
    expect(w.summary()).toMatchObject({ count: 2, p50: 1, max: 5 })
  })
})

describe('StatsRecord and totals', () => {
  it('host counters feed the totals; gauges go up and down', () => {
    const reg = new StatsRegistry()
    const a = reg.host('wss://a.example')
    const b = reg.host('wss://b.example')
    a.add('created')
    a.add('created')
    b.add('created', 3)
    a.add('open', 2)
    a.add('open', -1)
    b.add('errors', 4)
    const s = reg.snapshot(6, Infinity)
    expect(s.hosts['wss://a.example']).toMatchObject({ created: 2, open: 1, errors: 0 })
    expect(s.hosts['wss://b.example']).toMatchObject({ created: 3, open: 0, errors: 4 })
    expect(s.totals).toMatchObject({ created: 5, open: 1, errors: 4 })
  })

  it('every counted field starts at 0', () => {
    const reg = new StatsRegistry()
    reg.host('wss://a.example')
    const s = reg.snapshot(6, 100)
    const fields: CountField[] = [
      'connections', 'open', 'connecting', 'reconnecting', 'active', 'shared', 'idle', 'pending', 'inFlight',
      'created', 'closed', 'reconnects', 'errors', 'timeouts', 'rejected', 'dropped',
      'messagesIn', 'messagesOut', 'bytesIn', 'bytesOut', 'requests',
    ]
    const base = [...fields, 'max', 'acquireWait', 'connectTime', 'requestTime']
    for (const f of fields) expect(s.totals[f]).toBe(0)
    for (const f of fields) expect(s.hosts['wss://a.example'][f]).toBe(0)
    expect(Object.keys(s.totals).filter((k) => k !== 'circuit').sort()).toEqual(base.sort())
    // SPEC "Circuit breaker": the state is in stats (per origin).
    expect(Object.keys(s.hosts['wss://a.example']).sort()).toEqual([...base, 'circuit'].sort())
    expect(s.hosts['wss://a.example'].circuit).toBe('closed')
  })

  it('setCircuit() shows the state per origin and refreshes the snapshot', () => {
    const reg = new StatsRegistry()
    const a = reg.host('wss://a.example')
    const s1 = reg.snapshot(6, Infinity)
    a.setCircuit('open')
    const s2 = reg.snapshot(6, Infinity)
    expect(s2).not.toBe(s1)
    expect(s2.hosts['wss://a.example'].circuit).toBe('open')
    a.setCircuit('half-open')
    expect(reg.snapshot(6, Infinity).hosts['wss://a.example'].circuit).toBe('half-open')
    expect(s1.hosts['wss://a.example'].circuit).toBe('closed')
  })

  it('message() counts messages and bytes per direction, here and in totals', () => {
    const reg = new StatsRegistry()
    const a = reg.host('wss://a.example')
    const b = reg.host('wss://b.example')
    a.message(true, 10)
    a.message(true, 5)
    a.message(false, 7)
    b.message(false, 100)
    const s = reg.snapshot(6, Infinity)
    expect(s.hosts['wss://a.example']).toMatchObject({ messagesIn: 2, bytesIn: 15, messagesOut: 1, bytesOut: 7 })
    expect(s.hosts['wss://b.example']).toMatchObject({ messagesIn: 0, bytesIn: 0, messagesOut: 1, bytesOut: 100 })
    expect(s.totals).toMatchObject({ messagesIn: 2, bytesIn: 15, messagesOut: 2, bytesOut: 107 })
  })

  it('latency() records in the host and in the totals', () => {
    const reg = new StatsRegistry()
    const a = reg.host('wss://a.example')
    const b = reg.host('wss://b.example')
    a.latency('acquireWait', 10)
    b.latency('acquireWait', 30)
    a.latency('connectTime', 4)
    const s = reg.snapshot(6, Infinity)
    expect(s.hosts['wss://a.example'].acquireWait).toEqual({ count: 1, p50: 10, p95: 10, p99: 10, max: 10 })
    expect(s.hosts['wss://b.example'].connectTime).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null })
    expect(s.totals.acquireWait).toEqual({ count: 2, p50: 10, p95: 30, p99: 30, max: 30 })
    expect(s.totals.connectTime).toMatchObject({ count: 1, max: 4 })
  })

  it('host() returns the same record for the same origin', () => {
    const reg = new StatsRegistry()
    expect(reg.host('wss://a.example')).toBe(reg.host('wss://a.example'))
    expect(reg.host('wss://a.example')).not.toBe(reg.host('wss://b.example'))
  })
})

describe('StatsRegistry snapshot', () => {
  it('with no host: zero totals, empty hosts', () => {
    const s = new StatsRegistry().snapshot(6, Infinity)
    expect(s.hosts).toEqual({})
    expect(s.totals).toMatchObject({ connections: 0, max: null })
  })

  it('is the same object until something changes', () => {
    const reg = new StatsRegistry()
    const a = reg.host('wss://a.example')
    const s1 = reg.snapshot(6, Infinity)
    expect(reg.snapshot(6, Infinity)).toBe(s1)
    expect(reg.snapshot(6, Infinity)).toBe(s1)

    a.add('active')
    const s2 = reg.snapshot(6, Infinity)
    expect(s2).not.toBe(s1)
    expect(s2.hosts['wss://a.example'].active).toBe(1)
    expect(s1.hosts['wss://a.example'].active).toBe(0) // old snapshots are not mutated
    expect(reg.snapshot(6, Infinity)).toBe(s2)

    a.message(true, 3)
    const s3 = reg.snapshot(6, Infinity)
    expect(s3).not.toBe(s2)
    expect(reg.snapshot(6, Infinity)).toBe(s3)

    a.latency('connectTime', 1)
    const s4 = reg.snapshot(6, Infinity)
    expect(s4).not.toBe(s3)
    expect(s4.totals.connectTime.count).toBe(1)

    reg.host('wss://new.example')
    const s5 = reg.snapshot(6, Infinity)
    expect(s5).not.toBe(s4)
    expect(Object.keys(s5.hosts)).toEqual(['wss://a.example', 'wss://new.example'])

    reg.host('wss://new.example') // existing host: no change
    expect(reg.snapshot(6, Infinity)).toBe(s5)
  })

  it('invalidate() forces a rebuild (e.g. caps changed)', () => {
    const reg = new StatsRegistry()
    reg.host('wss://a.example')
    const s1 = reg.snapshot(6, Infinity)
    reg.invalidate()
    const s2 = reg.snapshot(3, 10)
    expect(s2).not.toBe(s1)
    expect(s2.hosts['wss://a.example'].max).toBe(3)
    expect(s2.totals.max).toBe(10)
  })

  it('max is the cap per host and in totals, null when Infinity', () => {
    const reg = new StatsRegistry()
    reg.host('wss://a.example')
    const s = reg.snapshot(4, Infinity)
    expect(s.hosts['wss://a.example'].max).toBe(4)
    expect(s.totals.max).toBeNull()
    reg.invalidate()
    const t = reg.snapshot(Infinity, 12)
    expect(t.hosts['wss://a.example'].max).toBeNull()
    expect(t.totals.max).toBe(12)
  })

  it('is plain and JSON-serialisable: a round trip gives an equal object', () => {
    const reg = new StatsRegistry()
    const a = reg.host('wss://a.example')
    a.add('created')
    a.message(false, 12)
    a.latency('acquireWait', 2.5)
    const s = reg.snapshot(6, Infinity)
    const json = JSON.stringify(s)
    expect(JSON.parse(json)).toEqual(s)
    expect(json).not.toMatch(/Infinity|NaN|undefined/)
    expect(Object.getPrototypeOf(s)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(s.totals)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(s.hosts['wss://a.example'].acquireWait)).toBe(Object.prototype)
    const host: HostStats = JSON.parse(json).hosts['wss://a.example']
    expect(host.max).toBe(6)
    expect(host.acquireWait).toEqual({ count: 1, p50: 2.5, p95: 2.5, p99: 2.5, max: 2.5 })
    expect(JSON.parse(json).totals.max).toBeNull()
  })

  it('a snapshot does not share mutable state with the records', () => {
    const reg = new StatsRegistry()
    const a = reg.host('wss://a.example')
    a.add('open')
    const s = reg.snapshot(6, Infinity)
    a.add('open', 5)
    expect(s.hosts['wss://a.example'].open).toBe(1)
    expect(s.totals.open).toBe(1)
    expect(a.values.open).toBe(6)
  })
})
