import { describe, expect, it } from 'vitest'
import { check, type CapsRecord, type ClientRecord, type ServerRecord, type TotalsRecord } from '../chaos/checker.js'

// A clean record: two leases on connections 1 and 2; lease b lost #2 to a drop event.
const client = (): ClientRecord => ({
  ops: [
    { kind: 'acquire', settled: { outcome: 'value' } },
    { kind: 'acquire', settled: { outcome: 'value' } },
    { kind: 'acquire', settled: { outcome: 'error', code: 'ERR_ACQUIRE_TIMEOUT' } },
    { kind: 'acquire', settled: { outcome: 'abort' } },
    { kind: 'request', settled: { outcome: 'value' } },
  ],
  leases: [
    { tag: 'a', connId: 1, accepted: [0, 1, 2] },
    { tag: 'b', connId: 2, accepted: [0, 1, 2] },
  ],
  drops: [{ id: 2, count: 1 }],
  closes: [
    { id: 1, willReconnect: false },
    { id: 2, willReconnect: false },
  ],
})
const server = (): ServerRecord => ({
  logs: { a: ['a#0', 'a#1', '{"id":"x"}', 'a#2'], b: ['b#0', 'b#1'] },
})
const totals = (): TotalsRecord => ({
  created: 2, closed: 2, dropped: 1, timeouts: 1, rejected: 0, requests: 1,
  connections: 0, open: 0, connecting: 0, reconnecting: 0, active: 0, idle: 0, pending: 0, inFlight: 0,
})

describe('chaos checker', () => {
  it('passes a clean record and counts it', () => {
    const r = check(client(), server(), totals())
    expect(r.violations).toEqual([])
    expect(r).toMatchObject({ ops: 5, hung: 0, accepted: 6, received: 5, dropped: 1, lostAtDeath: 0, lostHalfOpen: 0, deaths: 2, duplicates: 0, reordered: 0 })
  })

  it('catches a lost message (neither received nor dropped, no death)', () => {
    const c = client()
    c.closes = [] // no socket ever died
    const s = server()
    s.logs.a = ['a#0', 'a#2']
    const r = check(c, s)
    expect(r.violations).toEqual([expect.stringMatching(/^lost: 1 accepted message\(s\) on connection 1/)])
  })

  it('counts a message missing after a socket death as lost at death, not a violation', () => {
    const s = server()
    s.logs.a = ['a#0', 'a#2']
    const r = check(client(), s)
    expect(r.violations).toEqual([])
    expect(r.lostAtDeath).toBe(1)
  })

  it('counts a missing message sent while the server was half-open apart', () => {
    const c = client()
    c.closes = []
    c.leases[0].blind = [1]
    const s = server()
    s.logs.a = ['a#0', 'a#2']
    const r = check(c, s)
    expect(r.violations).toEqual([])
    expect(r).toMatchObject({ lostHalfOpen: 1, lostAtDeath: 0 })
  })

  it('weighs a dropped control message (unnumbered, accepted by send) against the drops', () => {
    const c = client()
    c.drops.push({ id: 1, count: 1 })
    expect(check(c, server()).violations).toEqual([
      'over-reported: connection 1 reported 1 dropped, but only 0 accepted message(s) did not arrive',
    ])
    c.leases[0].controls = ['{"id":"chaos-0"}']
    expect(check(c, server()).violations).toEqual([])
    c.leases[0].controls = ['{"id":"x"}'] // it arrived (it is in the log): the drop is over-reported again
    expect(check(c, server()).violations).toHaveLength(1)
  })

  it('catches a duplicated message', () => {
    const s = server()
    s.logs.a = ['a#0', 'a#1', 'a#1', 'a#2']
    const r = check(client(), s)
    expect(r.duplicates).toBe(1)
    expect(r.violations).toEqual(['duplicate: a#1 received twice'])
  })

  it('catches a reordered message', () => {
    const s = server()
    s.logs.a = ['a#0', 'a#2', 'a#1']
    const r = check(client(), s)
    expect(r.reordered).toBe(1)
    expect(r.violations).toEqual(['reordered: a#1 received after #2'])
  })

  it('catches a hung acquire', () => {
    const c = client()
    c.ops.push({ kind: 'acquire' })
    const r = check(c, server())
    expect(r.hung).toBe(1)
    expect(r.violations).toEqual(['hung: acquire #5 never settled'])
  })

  it('catches an undocumented rejection, a phantom and an over-reported drop', () => {
    const c = client()
    c.ops.push({ kind: 'request', settled: { outcome: 'error' } })
    c.drops.push({ id: 1, count: 1 })
    const s = server()
    s.logs.b.push('b#7')
    const r = check(c, s)
    expect(r.violations).toEqual([
      'undocumented: request #5 rejected with a non-PoolError',
      'phantom: b#7 received but never accepted by send',
      'over-reported: connection 1 reported 1 dropped, but only 0 accepted message(s) did not arrive',
    ])
  })

  it('reconciles stats() totals with the client\'s own counts', () => {
    const t = totals()
    t.dropped = 2
    t.open = 1
    t.created = 3
    expect(check(client(), server(), t).violations).toEqual([
      'stats: totals.dropped is 2, the client counted 1',
      'stats: totals.created is 3, the client counted 2',
      'stats: totals.open is 1, the client counted 0',
    ])
  })
})

// Cap histories: origins A and B, times in ms on the run's one clock. `log(t, ...)` builds one
// server's log from `+conn` (opened) and `-conn` (ended) entries, one ms apart from t.
const A = 'ws://127.0.0.1:1'
const B = 'ws://127.0.0.1:2'
const log = (t: number, ...entries: number[]) => entries.map((e, i) => ({ at: t + i, type: e > 0 ? ('open' as const) : ('end' as const), conn: Math.abs(e) }))
const made = (origin: string, ...ats: number[]) => ats.map((at) => ({ at, origin }))

describe('chaos checker: caps over time', () => {
  // maxPerHost 4, maxTotal 6: four connections to A created and open, then shrunk to 2 / 3.
  const shrunk = (): CapsRecord => ({
    caps: [{ at: 0, perHost: 4, total: 6 }, { at: 100, perHost: 2, total: 3 }],
    creations: made(A, 1, 2, 3, 4),
    servers: { [A]: log(10, 1, 2, 3, 4), [B]: [] },
  })

  it('lets leased connections finish above a shrunk cap, and reopen meanwhile', () => {
    const caps = shrunk()
    // A reconnect (3 ends, reopens as 5) while 3 are open, above the new cap 2: no creation since the shrink.
    caps.servers[A].push(...log(200, -3, 5))
    // They finish; under the new cap the pool creates one connection to B and one to A.
    caps.servers[A].push(...log(300, -1, -2, -4))
    caps.creations.push(...made(B, 400), ...made(A, 410))
    caps.servers[B] = log(405, 6)
    caps.servers[A].push(...log(415, 7))
    const r = check(client(), { ...server(), caps })
    expect(r.violations).toEqual([])
    expect(r.caps).toMatchObject({ opens: 7, aboveShrunk: 1, peakPerHost: 4, peakTotal: 4, maxPerHost: 4, maxTotal: 6 })
  })

  it('catches a connection created and opened beyond the cap in force, per origin', () => {
    const caps = shrunk()
    caps.servers[A].push(...log(300, -1)) // 3 left open, the cap is 2: the pool may not create one
    caps.creations.push(...made(A, 310))
    caps.servers[A].push(...log(320, 5))
    expect(check(client(), { ...server(), caps }).violations).toEqual([
      `maxPerHost: connection 5 to ${A} opened at 320.0 ms while 3 were open there; the cap was 2 when the pool last created a connection to it`,
      `maxTotal: connection 5 to ${A} opened at 320.0 ms while 3 were open on all servers; the cap was 3 when the pool last created a connection`,
    ])
  })

  it('catches one beyond maxTotal across origins, each origin within maxPerHost', () => {
    const caps: CapsRecord = {
      caps: [{ at: 0, perHost: 2, total: 3 }],
      creations: made(A, 1, 2).concat(made(B, 3, 20)),
      servers: { [A]: log(10, 1, 2), [B]: log(12, 3).concat(log(30, 4)) },
    }
    expect(check(client(), { ...server(), caps }).violations).toEqual([
      `maxTotal: connection 4 to ${B} opened at 30.0 ms while 3 were open on all servers; the cap was 3 when the pool last created a connection`,
    ])
    caps.servers[A].push(...log(25, -1)) // one of A's ended first: within both caps
    expect(check(client(), { ...server(), caps }).violations).toEqual([])
  })

  it('checks against the cap when the pool last created a connection, not the largest ever', () => {
    // Grown to 4 and shrunk back to 2 with nothing created meanwhile: a third is still too many.
    const caps: CapsRecord = {
      caps: [{ at: 0, perHost: 2, total: 10 }, { at: 50, perHost: 4, total: 10 }, { at: 60, perHost: 2, total: 10 }],
      creations: made(A, 1, 2, 70),
      servers: { [A]: log(10, 1, 2).concat(log(80, 3)) },
    }
    expect(check(client(), { ...server(), caps }).violations).toEqual([
      `maxPerHost: connection 3 to ${A} opened at 80.0 ms while 2 were open there; the cap was 2 when the pool last created a connection to it`,
    ])
  })
})
