/**
 * Replica lists (issue 8; SPEC "Shared leases and endpoints", "Precise semantics / Shared leases
 * and endpoints"): `acquire([urlA, urlB, ...])` and `request([...])` pick the origin with the most
 * free capacity (the cap minus live connections; ties: fewer pending acquires, then list order),
 * skip origins whose circuit is open, fail over at once to the next candidate when an attempt
 * fails, and go round again with the reconnect backoff once every candidate failed, until the
 * deadline. A list lease that drops reconnects to its own origin; once that origin's circuit
 * opens it reconnects to the next replica, keeping its id, buffer and listeners.
 *
 * Written before the implementation: these fail until `acquire` accepts a list.
 */
import { describe, expect, it } from 'vitest'
import { closedPort, eventually, nextEvent, ofType, recordEvents, rejectionOf, startServer } from '../helpers/harness.js'
import { inbox, rpcPool, settlesWithin } from '../helpers/requests.js'
import { watchGauges } from '../helpers/sockets.js'

/** A ws origin where nothing listens. */
const deadOrigin = async (): Promise<string> => `ws://127.0.0.1:${await closedPort()}`

describe('choosing a replica', () => {
  it('the most free capacity first (cap minus live connections), then fewer pending acquires, then list order', async () => {
    const a = await startServer()
    const b = await startServer()
    const pool = rpcPool({ maxPerHost: 2 })
    const list = [`${a.url}/echo`, `${b.url}/echo`]
    const l1 = await pool.acquire(list) // free 2 and 2: list order
    const l2 = await pool.acquire(list) // 1 and 2
    const l3 = await pool.acquire(list) // 1 and 1: list order
    const l4 = await pool.acquire([...list].reverse()) // 0 and 1
    expect([l1, l2, l3, l4].map((l) => l.origin)).toEqual([a.url, b.url, a.url, b.url])
    // Both full: the one with fewer pending acquires.
    const onA = pool.acquire(`${a.url}/echo`)
    await eventually(() => expect(pool.stats().hosts[a.url].pending).toBe(1))
    const listed = pool.acquire(list)
    await eventually(() => expect(pool.stats().hosts[b.url].pending).toBe(1))
    expect(pool.stats().hosts[a.url].pending).toBe(1)
    l2.release()
    expect(await settlesWithin(listed, 2000)).toBe('settled')
    expect((await listed).origin).toBe(b.url)
    l1.release()
    expect((await onA).origin).toBe(a.url)
  })

  it('idle connections are live: they count against their origin\'s free capacity', async () => {
    const a = await startServer()
    const b = await startServer()
    const pool = rpcPool({ maxPerHost: 2 })
    ;(await pool.acquire(`${a.url}/echo`)).release() // a: one live (idle) connection
    const lease = await pool.acquire([`${a.url}/echo`, `${b.url}/echo`])
    expect(lease.origin).toBe(b.url)
    lease.release()
  })

  it('request() with a list chooses the same way', async () => {
    const a = await startServer()
    const b = await startServer()
    const pool = rpcPool({ maxPerHost: 2 })
    const list = [`${a.url}/rpc`, `${b.url}/rpc`]
    for (const token of [1, 2, 3]) expect(await pool.request(list, { token })).toEqual({ token })
    // 0 and 0 live: a; then 1 and 0: b; then 1 and 1: a again (its connection reused)
    expect(a.rpc().received.map((r) => (r.data as { token: number }).token)).toEqual([1, 3])
    expect(b.rpc().received.map((r) => (r.data as { token: number }).token)).toEqual([2])
    expect([a.counts().accepted, b.counts().accepted]).toEqual([1, 1])
  })

  it('skips origins whose circuit is open, even with more free capacity; all open: ERR_CIRCUIT_OPEN at once', async () => {
    const a = await startServer()
    const b = await startServer()
    const pool = rpcPool({ reconnect: false, breaker: { failures: 1, cooldown: 60_000 } })
    const held = await pool.acquire(`${b.url}/held`) // b has less free capacity than a
    a.setRefuse(true)
    expect((await rejectionOf(pool.acquire(`${a.url}/echo`))).code).toBe('ERR_CONNECT_FAILED')
    expect(pool.stats().hosts[a.url].circuit).toBe('open')
    a.setRefuse(false)
    a.reset()
    const lease = await pool.acquire([`${a.url}/echo`, `${b.url}/echo`])
    expect(lease.origin).toBe(b.url)
    expect(await pool.request([`${a.url}/rpc`, `${b.url}/rpc`], 'r')).toBe('r')
    expect(b.rpc().received).toHaveLength(1)
    expect(a.lastUpgrade()).toBeUndefined() // never tried
    // b's circuit opens too: nothing to choose.
    b.setRefuse(true)
    expect((await rejectionOf(pool.acquire(`${b.url}/fails`))).code).toBe('ERR_CONNECT_FAILED')
    const started = performance.now()
    for (const attempt of [pool.acquire([`${a.url}/x`, `${b.url}/x`]), pool.request([`${a.url}/y`, `${b.url}/y`], 'y')]) {
      const err = await rejectionOf(attempt)
      expect(err.code).toBe('ERR_CIRCUIT_OPEN')
    }
    expect(performance.now() - started).toBeLessThan(1000) // at once (hang guard)
    lease.release()
    held.release()
  })
})

describe('failover', () => {
  it.each(['a refused port', 'a stopped server'] as const)('moves on at once to the next candidate when the attempt fails (%s)', async (kind) => {
    const b = await startServer()
    let dead: string
    if (kind === 'a refused port') dead = await deadOrigin()
    else {
      const a = await startServer()
      await a.close()
      dead = a.url
    }
    // A 5 s backoff: only failover (no backoff between candidates) can be this quick.
    const pool = rpcPool({ breaker: false, reconnect: { initialDelay: 5000, maxDelay: 5000, jitter: 0 } })
    const events = recordEvents(pool)
    const started = performance.now()
    const lease = await pool.acquire([`${dead}/echo`, `${b.url}/echo`])
    expect(lease.origin).toBe(b.url)
    expect(lease.state).toBe('open')
    // dead has more free capacity (0 live against 1): tried first again, then b.
    expect(await pool.request([`${dead}/rpc`, `${b.url}/rpc`], 'via b')).toBe('via b')
    expect(performance.now() - started).toBeLessThan(4000) // hang guard
    expect(ofType(events, 'connect').map((e) => e.origin)).toEqual([dead, b.url, dead, b.url])
    expect(ofType(events, 'error').map((e) => e.origin)).toEqual([dead, dead])
    lease.release()
  })

  it('once every candidate failed, goes round again with the reconnect backoff until the deadline', async () => {
    const [d1, d2] = [await deadOrigin(), await deadOrigin()]
    const pool = rpcPool({ breaker: false, reconnect: { initialDelay: 300, maxDelay: 300, jitter: 0 } })
    const at: { origin: string; t: number }[] = []
    pool.on('connect', (e) => at.push({ origin: e.origin, t: performance.now() }))
    const err = await rejectionOf(pool.acquire([`${d1}/echo`, `${d2}/echo`], { timeout: 800 }))
    expect(err.code).toBe('ERR_ACQUIRE_TIMEOUT')
    expect(err.cause).toBeDefined()
    const origins = at.map((x) => x.origin)
    expect(origins.slice(0, 4)).toEqual([d1, d2, d1, d2])
    expect(origins.length).toBeLessThanOrEqual(8) // rounds every 300 ms, not a busy loop
    expect(at[1].t - at[0].t, 'failover: no backoff within a round').toBeLessThan(250)
    expect(at[2].t - at[1].t, 'the backoff between rounds').toBeGreaterThanOrEqual(280)
    const lost = await rejectionOf(pool.request([`${d1}/rpc`, `${d2}/rpc`], 'x', { timeout: 300 }))
    expect(lost.code).toBe('ERR_REQUEST_TIMEOUT')
  })

  it('both down, the first comes back (outage): the waiting acquire and request get it', async () => {
    const a = await startServer()
    const b = await startServer()
    await b.close()
    const pool = rpcPool({ breaker: false, reconnect: { initialDelay: 50, maxDelay: 100, jitter: 0 } })
    const back = a.outage(400)
    const started = performance.now()
    const acquiring = pool.acquire([`${a.url}/echo`, `${b.url}/echo`], { timeout: 3000 })
    const requesting = pool.request([`${a.url}/rpc`, `${b.url}/rpc`], 'back', { timeout: 3000 })
    const lease = await acquiring
    expect(await requesting).toBe('back')
    await back
    expect(performance.now() - started).toBeGreaterThanOrEqual(350) // it did wait for a
    expect(lease.origin).toBe(a.url)
    const echoed = nextEvent(lease, 'message')
    lease.send('hi')
    expect(await echoed).toBe('hi')
    lease.release()
  })
})

describe('a lease acquired from a list', () => {
  it('that drops reconnects to its own origin while its circuit is closed', async () => {
    const a = await startServer()
    const b = await startServer()
    const pool = rpcPool({ breaker: { failures: 3, cooldown: 60_000 }, reconnect: { initialDelay: 20, maxDelay: 20, jitter: 0 } })
    const lease = await pool.acquire([`${a.url}/echo`, `${b.url}/echo`])
    const reopened = nextEvent(lease, 'open')
    a.dropAll()
    await reopened
    expect(lease.origin).toBe(a.url)
    expect([a.counts().accepted, b.counts().accepted]).toEqual([2, 0])
    lease.release()
  })

  it.each(['refusing', 'stopped'] as const)(
    'moves to the next replica once its origin\'s circuit opens (%s), keeping its id, listeners and buffered messages',
    async (how) => {
      const a = await startServer()
      const b = await startServer()
      const pool = rpcPool({ breaker: { failures: 1, cooldown: 60_000 }, reconnect: { initialDelay: 20, maxDelay: 20, jitter: 0 } })
      const events = recordEvents(pool)
      const violations = watchGauges(pool)
      const lease = await pool.acquire([`${a.url}/log?tag=t`, `${b.url}/log?tag=t`])
      expect(lease.origin).toBe(a.url)
      const id = lease.id
      const got = inbox(lease)
      const reopened: unknown[] = []
      lease.on('open', (e) => reopened.push(e))
      lease.send('before')
      await eventually(() => expect(got).toEqual(['before']))
      let buffered = false
      lease.on('reconnecting', () => {
        if (buffered) return
        buffered = true
        lease.send('m1')
        lease.send('m2')
      })
      if (how === 'refusing') {
        a.setRefuse(true)
        a.dropAll()
      } else await a.close()
      await eventually(() => expect(lease.origin).toBe(b.url))
      await eventually(() => expect(b.log('t')).toEqual(['m1', 'm2']))
      expect(a.log('t')).toEqual(['before'])
      expect(lease.id).toBe(id)
      expect(lease.url).toBe(`${b.url}/log?tag=t`)
      expect(lease.state).toBe('open')
      await eventually(() => expect(got).toEqual(['before', 'm1', 'm2'])) // the same listener, fed by b
      expect(reopened).toHaveLength(1)
      expect(ofType(events, 'open').at(-1)).toMatchObject({ id, origin: b.url, url: `${b.url}/log?tag=***` })
      expect(pool.stats().hosts[a.url]).toMatchObject({ circuit: 'open', connections: 0 })
      expect(pool.stats().hosts[b.url]).toMatchObject({ connections: 1, active: 1 })
      lease.send('after')
      await eventually(() => expect(b.log('t')).toEqual(['m1', 'm2', 'after']))
      lease.release()
      expect(violations.slice(0, 5)).toEqual([])
    },
  )

  it('moves even when the next replica is at its cap with idle connections: one of them closes for it', async () => {
    const a = await startServer()
    const b = await startServer()
    // b is at its cap with two idle connections (another URL): one closes for the lease.
    const pool = rpcPool({ maxPerHost: 2, breaker: { failures: 1, cooldown: 60_000 }, reconnect: { initialDelay: 20, maxDelay: 20, jitter: 0 } })
    const lease = await pool.acquire([`${a.url}/echo`, `${b.url}/echo`])
    expect(lease.origin).toBe(a.url)
    const idle = [await pool.acquire(`${b.url}/other`), await pool.acquire(`${b.url}/other`)]
    for (const l of idle) l.release()
    expect(pool.stats().hosts[b.url]).toMatchObject({ connections: 2, idle: 2 })
    const violations = watchGauges(pool)
    const evicted: unknown[] = []
    pool.on('evict', (e) => evicted.push(e))
    let peakAtB = 0
    for (const type of ['connect', 'open', 'close', 'evict', 'reconnecting'] as const) {
      pool.on(type, () => void (peakAtB = Math.max(peakAtB, pool.stats().hosts[b.url]!.connections)))
    }
    a.setRefuse(true)
    a.dropAll()
    await eventually(() => expect(lease.origin).toBe(b.url))
    await eventually(() => expect(lease.state).toBe('open'))
    expect(evicted).toMatchObject([{ origin: b.url, reason: 'capacity' }])
    expect(pool.stats().hosts[b.url]).toMatchObject({ connections: 2, idle: 1, active: 1 })
    expect(peakAtB).toBe(2) // the idle one closed before the lease arrived: never over the cap
    const got = inbox(lease)
    lease.send('still here')
    await eventually(() => expect(got).toEqual(['still here']))
    lease.release()
    expect(violations.slice(0, 5)).toEqual([])
  })
})
