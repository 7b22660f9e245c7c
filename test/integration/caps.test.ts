/**
 * Caps and queue order (issue 2, item 2; SPEC "Keys and reuse", "Counting toward caps").
 * The server's own counts prove that no more than the cap is ever open.
 */
import { describe, expect, it } from 'vitest'
import { delay, eventually, newPool, recordEvents, ofType, startServer, stateOf, trackSockets, type Lease } from '../helpers/harness.js'

describe('maxPerHost', () => {
  it('20 concurrent acquires never open more than 3 sockets; all resolve, FIFO, as leases are released', async () => {
    const server = await startServer()
    const pool = newPool({ maxPerHost: 3 })
    const url = `${server.url}/echo`

    const order: number[] = []
    const leases: Lease[] = []
    const pending = Array.from({ length: 20 }, (_, i) =>
      pool.acquire(url).then((lease) => {
        order.push(i)
        leases.push(lease)
        return lease
      }),
    )
    await eventually(() => expect(order).toHaveLength(3))
    await delay(50)
    expect(order).toHaveLength(3)
    expect(server.counts().peak).toBe(3)
    expect(pool.stats().hosts[server.url]).toMatchObject({ active: 3, pending: 17, connections: 3, max: 3 })

    // Release one at a time; each release lets exactly the next waiter in.
    let released = 0
    while (released < 20) {
      const lease = leases[released]
      lease.release()
      released++
      const expected = Math.min(20, released + 3)
      await eventually(() => expect(order).toHaveLength(expected))
      expect(server.counts().peak).toBeLessThanOrEqual(3)
    }
    await Promise.all(pending)
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i))
    const counts = server.counts()
    expect(counts.peak).toBe(3)
    // Same URL: released connections are reused, never replaced.
    expect(counts.accepted).toBe(3)
    expect(pool.stats().hosts[server.url]).toMatchObject({ pending: 0, active: 0, idle: 3 })
  })

  it('different paths of one origin share the cap, closing sockets included', async () => {
    const server = await startServer()
    const sockets = trackSockets()
    const pool = newPool({ maxPerHost: 2, WebSocket: sockets.WebSocket })
    const urls = ['/a', '/b', '/c', '/a', '/b', '/c', '/a', '/b'].map((p) => `${server.url}${p}`)
    // Each holder keeps its lease briefly, then releases: the pool must close idle sockets
    // of other paths (fully) before opening new ones.
    await Promise.all(
      urls.map(async (url) => {
        const lease = await pool.acquire(url)
        expect(sockets.live()).toBeLessThanOrEqual(2)
        await delay(10)
        lease.release()
      }),
    )
    expect(sockets.peak()).toBe(2)
    expect(server.counts().accepted).toBeGreaterThanOrEqual(3)
  })

  it('maxPerHost 1: a socket to another URL opens only after the idle one has fully closed', async () => {
    const server = await startServer()
    const sockets = trackSockets()
    const pool = newPool({ maxPerHost: 1, WebSocket: sockets.WebSocket })
    for (const path of ['/a', '/b', '/c', '/a', '/b']) {
      const lease = await pool.acquire(`${server.url}${path}`)
      lease.release()
    }
    expect(sockets.peak()).toBe(1)
    expect(server.counts().accepted).toBe(5)
  })

  it('a connecting socket counts toward the cap from its first attempt', async () => {
    const server = await startServer()
    const pool = newPool({ maxPerHost: 1, connectTimeout: 5000 })
    const hanging = pool.acquire(`${server.url}/hang`, { timeout: 5000 })
    hanging.catch(() => {})
    await eventually(() => expect(pool.stats().hosts[server.url].connecting).toBe(1))
    const err = await pool.acquire(`${server.url}/echo`, { timeout: 150 }).then(
      () => undefined,
      (e: { code?: string }) => e,
    )
    expect(err?.code).toBe('ERR_ACQUIRE_TIMEOUT')
    expect(server.counts().accepted).toBe(0) // no second socket was opened beside the hanging one
    expect(pool.stats().hosts[server.url].connections).toBe(1)
  })

  it('the cap is per origin: another origin is not blocked', async () => {
    const server = await startServer()
    const pool = newPool({ maxPerHost: 1 })
    const a = await pool.acquire(`${server.url}/echo`)
    // localhost and 127.0.0.1 are different origins on the same server.
    const b = await pool.acquire(`ws://localhost:${server.port}/echo`)
    expect(a.origin).toBe(server.url)
    expect(b.origin).toBe(`ws://localhost:${server.port}`)
    expect(server.counts().open).toBe(2)
    const third = pool.acquire(`${server.url}/echo`)
    expect(await stateOf(third, 50)).toBe('pending')
    a.release()
    ;(await third).release()
    b.release()
  })
})

describe('queue order', () => {
  it('serves higher priority first, FIFO within a priority', async () => {
    const server = await startServer()
    const pool = newPool({ maxPerHost: 1 })
    const url = `${server.url}/echo`
    const holder = await pool.acquire(url)

    const plan: [string, number][] = [
      ['p0-a', 0],
      ['p1-a', 1],
      ['p0-b', 0],
      ['p5', 5],
      ['p1-b', 1],
      ['neg', -1],
      ['p0-c', 0],
      ['frac', 0.5],
    ]
    const served: string[] = []
    const done = plan.map(([label, priority]) =>
      pool.acquire(url, { priority }).then(async (lease) => {
        served.push(label)
        await delay(1)
        lease.release()
      }),
    )
    await delay(20)
    expect(pool.stats().hosts[server.url].pending).toBe(plan.length)
    holder.release()
    await Promise.all(done)
    expect(served).toEqual(['p5', 'p1-a', 'p1-b', 'frac', 'p0-a', 'p0-b', 'p0-c', 'neg'])
    expect(server.counts().accepted).toBe(1)
  })

  it('priority defaults to 0', async () => {
    const server = await startServer()
    const pool = newPool({ maxPerHost: 1 })
    const url = `${server.url}/echo`
    const holder = await pool.acquire(url)
    const served: string[] = []
    const take = (label: string, opts?: { priority: number }) =>
      pool.acquire(url, opts).then((lease) => {
        served.push(label)
        lease.release()
      })
    const all = [take('low', { priority: -1 }), take('default'), take('zero', { priority: 0 }), take('high', { priority: 1 })]
    await delay(20)
    holder.release()
    await Promise.all(all)
    expect(served).toEqual(['high', 'default', 'zero', 'low'])
  })

  it('enqueue events fire for queued acquires only', async () => {
    const server = await startServer()
    const pool = newPool({ maxPerHost: 1 })
    const events = recordEvents(pool)
    const url = `${server.url}/echo`
    const holder = await pool.acquire(url)
    expect(ofType(events, 'enqueue')).toHaveLength(0)
    const queued = pool.acquire(url)
    await eventually(() => expect(ofType(events, 'enqueue')).toHaveLength(1))
    expect(ofType(events, 'enqueue')[0]).toMatchObject({ origin: server.url })
    holder.release()
    ;(await queued).release()
  })
})

describe('maxTotal', () => {
  it('caps live connections across origins (20 acquires over 2 origins, maxTotal 3)', async () => {
    const server = await startServer()
    const sockets = trackSockets()
    const pool = newPool({ maxPerHost: 6, maxTotal: 3, WebSocket: sockets.WebSocket })
    const origins = [server.url, `ws://localhost:${server.port}`]
    let maxOpen = 0
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const lease = await pool.acquire(`${origins[i % 2]}/echo`)
        maxOpen = Math.max(maxOpen, sockets.live())
        await delay(5)
        lease.release()
        return lease.origin
      }),
    )
    expect(results.filter((o) => o === origins[1])).toHaveLength(10)
    expect(maxOpen).toBeLessThanOrEqual(3)
    expect(sockets.peak()).toBe(3)
    expect(pool.stats().totals.max).toBe(3)
    expect(pool.stats().totals.connections).toBeLessThanOrEqual(3)
  })

  it('at maxTotal the least recently used idle connection of any origin is closed to make room', async () => {
    const server = await startServer()
    const sockets = trackSockets()
    const pool = newPool({ maxTotal: 2, WebSocket: sockets.WebSocket })
    const events = recordEvents(pool)
    const first = await pool.acquire(`${server.url}/first`)
    const second = await pool.acquire(`${server.url}/second`)
    first.release() // least recently used
    await delay(5)
    second.release()
    const other = await pool.acquire(`ws://localhost:${server.port}/third`)
    await eventually(() => expect(server.counts().byPath['/first']).toBe(0))
    expect(server.counts().byPath['/second']).toBe(1)
    expect(sockets.peak()).toBe(2)
    const evicted = ofType(events, 'evict')
    expect(evicted).toHaveLength(1)
    expect(evicted[0]).toMatchObject({ origin: server.url, id: first.id, reason: 'capacity' })
    expect(evicted[0].url).toContain('/first')
    other.release()
  })

  it('a waiter for another origin is served when any lease is released', async () => {
    const server = await startServer()
    const sockets = trackSockets()
    const pool = newPool({ maxTotal: 1, WebSocket: sockets.WebSocket })
    const a = await pool.acquire(`${server.url}/echo`)
    const b = pool.acquire(`ws://localhost:${server.port}/echo`)
    expect(await stateOf(b, 50)).toBe('pending')
    expect(pool.stats().totals.pending).toBe(1)
    a.release()
    const lease = await b
    expect(lease.origin).toBe(`ws://localhost:${server.port}`)
    expect(sockets.peak()).toBe(1)
    lease.release()
  })
})
