/**
 * Idle handling, recycling and resizing (issue 2, item 7; SPEC idleTimeout, minIdlePerHost,
 * "Warm connections", maxLifetime, maxUses, "Resizing at run time").
 */
import { describe, expect, it } from 'vitest'
import { delay, eventually, newPool, ofType, recordEvents, startServer, stateOf, trackSockets, type Lease } from '../helpers/harness.js'

describe('idleTimeout', () => {
  it('closes an idle connection after idleTimeout (evict reason idle)', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, idleTimeout: 80 })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo`)
    await delay(150) // leased: never idle-evicted
    expect(server.counts().open).toBe(1)
    lease.release()
    expect(server.counts().open).toBe(1)
    await eventually(() => expect(server.counts().open).toBe(0))
    const evicted = ofType(events, 'evict')
    expect(evicted).toHaveLength(1)
    expect(evicted[0]).toMatchObject({ origin: server.url, id: lease.id, reason: 'idle' })
    await eventually(() => expect(pool.stats().hosts[server.url]).toMatchObject({ connections: 0, idle: 0, open: 0, closed: 1 }))
  })

  it('reuse resets the idle clock', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, idleTimeout: 150 })
    let lease = await pool.acquire(`${server.url}/echo`)
    const id = lease.id
    for (let i = 0; i < 4; i++) {
      lease.release()
      await delay(80)
      lease = await pool.acquire(`${server.url}/echo`)
      expect(lease.id).toBe(id)
    }
    expect(server.counts().accepted).toBe(1)
    lease.release()
  })

  it('keeps minIdlePerHost idle connections open beyond idleTimeout', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, idleTimeout: 50, minIdlePerHost: 1 })
    const a = await pool.acquire(`${server.url}/echo`)
    const b = await pool.acquire(`${server.url}/echo`)
    a.release()
    b.release()
    await eventually(() => expect(server.counts().open).toBe(1))
    await delay(250)
    expect(server.counts().open).toBe(1)
    expect(pool.stats().hosts[server.url]).toMatchObject({ idle: 1, open: 1, connections: 1 })
  })
})

describe('minIdlePerHost', () => {
  it('opens nothing before an origin has been used', async () => {
    const server = await startServer()
    newPool({ breaker: false, minIdlePerHost: 2 })
    await delay(100)
    expect(server.counts().accepted).toBe(0)
  })

  it('keeps warm idle connections on top of leased ones, within the cap', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 3, minIdlePerHost: 1 })
    const url = `${server.url}/warm`
    const first = await pool.acquire(url)
    await eventually(() => expect(server.counts().open).toBe(2)) // 1 leased + 1 warm
    await eventually(() => expect(pool.stats().hosts[server.url]).toMatchObject({ active: 1, idle: 1 }))
    const second = await pool.acquire(url) // takes the warm one
    await eventually(() => expect(server.counts().open).toBe(3)) // topped up again
    const third = await pool.acquire(url)
    await delay(100)
    expect(server.counts().open).toBe(3) // the cap wins over warmth
    expect(server.counts().peak).toBe(3)
    for (const l of [first, second, third]) l.release()
  })

  it('tops the origin back up after an idle connection drops, to the most recently used URL', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, minIdlePerHost: 1, reconnect: { initialDelay: 20, jitter: 0 } })
    const events = recordEvents(pool)
    const old = await pool.acquire(`${server.url}/older`)
    old.release()
    const lease = await pool.acquire(`${server.url}/recent?v=1`)
    lease.release()
    await eventually(() => expect(pool.stats().hosts[server.url].idle).toBeGreaterThanOrEqual(1))
    const before = server.counts().accepted
    server.dropAll()
    await eventually(() => expect(server.counts().open).toBeGreaterThanOrEqual(1))
    expect(server.counts().accepted).toBeGreaterThan(before)
    expect(server.lastUpgrade()?.path).toBe('/recent')
    expect(server.lastUpgrade()?.query).toEqual({ v: '1' })
    await delay(100)
    expect(server.counts().open).toBe(1)
    expect(pool.stats().hosts[server.url]).toMatchObject({ idle: 1, connections: 1 })
    // The drop of an idle connection is not a reconnect of a lease.
    expect(ofType(events, 'reconnecting')).toHaveLength(0)
  })

  it('tops up with backoff while the origin refuses', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, minIdlePerHost: 1, reconnect: { initialDelay: 20, factor: 2, maxDelay: 80, jitter: 0 } })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo`)
    lease.release()
    server.setRefuse(true)
    server.dropAll()
    await delay(400)
    // With delays 20, 40, 80, 80, ... at most ~8 attempts fit in 400 ms; a busy loop makes hundreds.
    const failures = ofType(events, 'error').length
    expect(failures).toBeGreaterThanOrEqual(2)
    expect(failures).toBeLessThanOrEqual(10)
    server.setRefuse(false)
    await eventually(() => expect(server.counts().open).toBe(1))
  })
})

describe('an idle connection that drops while a waiter for its URL is queued', () => {
  // Set-up: /a's connection goes idle while the head of the queue wants /b and the origin cannot
  // make room (its other connections are already closing), so a waiter for /a queues behind it.
  // The /b waiter then aborts, and the server drops every socket.
  async function scenario() {
    const server = await startServer()
    const pool = newPool({ maxPerHost: 3, breaker: false, reconnect: { initialDelay: 50, jitter: 0 } })
    const a = await pool.acquire(`${server.url}/a`)
    const x = await pool.acquire(`${server.url}/x`)
    const y = await pool.acquire(`${server.url}/y`)
    const controller = new AbortController()
    const headForB = pool.acquire(`${server.url}/b`, { signal: controller.signal }).catch(() => 'aborted')
    x.destroy()
    y.destroy()
    const waiterForA = pool.acquire(`${server.url}/a`)
    a.release()
    controller.abort()
    expect(await headForB).toBe('aborted')
    return { server, pool, a, waiterForA }
  }

  it('the waiter for /a is served from the idle /a connection once it is at the head', async () => {
    const { waiterForA, a } = await scenario()
    const lease = await waiterForA
    expect(lease.id).toBe(a.id)
    expect(lease.state).toBe('open')
    lease.release()
  })

  it('a connection is never leased twice, and never both idle and leased', async () => {
    const { server, pool, waiterForA } = await scenario()
    server.dropAll()
    const first = await waiterForA
    expect(first.state).toBe('open')
    const host = () => pool.stats().hosts[server.url]
    const idleWhileLeased = host().active + host().idle - host().connections
    const second = await pool.acquire(`${server.url}/a`, { timeout: 2000 })
    expect(second.id, 'the same connection was leased twice').not.toBe(first.id) // first still holds it
    expect(idleWhileLeased, 'a leased connection is also counted idle').toBeLessThanOrEqual(0)
    expect(host()).toMatchObject({ active: 2, idle: 0 })
    first.release()
    second.release()
  })
})

describe('recycling', () => {
  it('maxLifetime: a connection older than maxLifetime is closed when released (evict lifetime)', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxLifetime: 60 })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo`)
    await delay(120)
    expect(lease.state).toBe('open') // leased connections are not cut
    lease.release()
    await eventually(() => expect(server.counts().open).toBe(0))
    expect(ofType(events, 'evict')).toEqual([expect.objectContaining({ id: lease.id, reason: 'lifetime' })])
    const next = await pool.acquire(`${server.url}/echo`)
    expect(next.id).not.toBe(lease.id)
    next.release()
  })

  it('maxLifetime: a young connection is reused', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxLifetime: 60_000 })
    const a = await pool.acquire(`${server.url}/echo`)
    a.release()
    const b = await pool.acquire(`${server.url}/echo`)
    expect(b.id).toBe(a.id)
    b.release()
  })

  it('maxUses: after maxUses leases the connection is recycled (evict uses)', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxUses: 2 })
    const events = recordEvents(pool)
    const first = await pool.acquire(`${server.url}/echo`)
    first.release()
    const second = await pool.acquire(`${server.url}/echo`)
    expect(second.id).toBe(first.id)
    second.release()
    await eventually(() => expect(server.counts().open).toBe(0))
    expect(ofType(events, 'evict')).toEqual([expect.objectContaining({ id: first.id, reason: 'uses' })])
    const third = await pool.acquire(`${server.url}/echo`)
    expect(third.id).not.toBe(first.id)
    expect(server.counts().accepted).toBe(2)
    third.release()
  })

  it('maxUses 1: every lease gets a fresh connection', async () => {
    const server = await startServer()
    const sockets = trackSockets()
    const pool = newPool({ breaker: false, maxUses: 1, maxPerHost: 1, WebSocket: sockets.WebSocket })
    const ids = new Set<number>()
    for (let i = 0; i < 3; i++) {
      const lease = await pool.acquire(`${server.url}/echo`)
      ids.add(lease.id)
      lease.release()
    }
    expect(ids.size).toBe(3)
    await eventually(() => expect(server.counts().open).toBe(0))
    expect(sockets.peak()).toBe(1) // closing sockets count toward the cap
  })
})

describe('resize', () => {
  it('growing serves queued acquires at once', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 1 })
    const url = `${server.url}/echo`
    const holder = await pool.acquire(url)
    const queued = [pool.acquire(url), pool.acquire(url)]
    expect(await stateOf(queued[0], 30)).toBe('pending')
    pool.resize({ maxPerHost: 3 })
    const leases = await Promise.all(queued)
    expect(server.counts().peak).toBe(3)
    expect(pool.stats().hosts[server.url].max).toBe(3)
    for (const l of [holder, ...leases]) l.release()
  })

  it('growing maxTotal serves queued acquires of any origin', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxTotal: 1 })
    const holder = await pool.acquire(`${server.url}/echo`)
    const other = pool.acquire(`ws://localhost:${server.port}/echo`)
    expect(await stateOf(other, 30)).toBe('pending')
    pool.resize({ maxTotal: 2 })
    const lease = await other
    expect(pool.stats().totals.max).toBe(2)
    holder.release()
    lease.release()
  })

  it('shrinking closes idle connections first (evict resize) and leaves leased ones alone', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 3 })
    const events = recordEvents(pool)
    const url = `${server.url}/echo`
    const leases: Lease[] = await Promise.all([pool.acquire(url), pool.acquire(url), pool.acquire(url)])
    leases[1].release()
    leases[2].release()
    pool.resize({ maxPerHost: 1 })
    await eventually(() => expect(server.counts().open).toBe(1))
    const evicted = ofType(events, 'evict')
    expect(evicted).toHaveLength(2)
    expect(evicted.every((e) => e.reason === 'resize')).toBe(true)
    expect(leases[0].state).toBe('open')
    expect(pool.stats().hosts[server.url]).toMatchObject({ max: 1, active: 1, idle: 0 })
    leases[0].release()
    await delay(50)
    expect(server.counts().open).toBe(1) // at the cap, not over it: kept
  })

  it('after shrinking, leased connections over the cap close on release', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 3 })
    const url = `${server.url}/echo`
    const leases = await Promise.all([pool.acquire(url), pool.acquire(url), pool.acquire(url)])
    pool.resize({ maxPerHost: 1 })
    await delay(50)
    expect(server.counts().open).toBe(3) // leased ones finish their work
    expect(leases.every((l) => l.state === 'open')).toBe(true)
    leases[0].release()
    await eventually(() => expect(server.counts().open).toBe(2))
    leases[1].release()
    await eventually(() => expect(server.counts().open).toBe(1))
    leases[2].release()
    await delay(50)
    expect(server.counts().open).toBe(1)
    // New acquires respect the new cap.
    const a = await pool.acquire(url)
    const b = pool.acquire(url)
    expect(await stateOf(b, 30)).toBe('pending')
    a.release()
    ;(await b).release()
  })

  it('shrinking maxTotal closes the least recently used idle connections of any origin', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxTotal: 3 })
    const events = recordEvents(pool)
    const a = await pool.acquire(`${server.url}/a`)
    const b = await pool.acquire(`ws://localhost:${server.port}/b`)
    const c = await pool.acquire(`${server.url}/c`)
    a.release()
    await delay(5)
    b.release()
    await delay(5)
    c.release()
    pool.resize({ maxTotal: 1 })
    await eventually(() => expect(server.counts().open).toBe(1))
    expect(server.counts().byPath).toMatchObject({ '/a': 0, '/b': 0, '/c': 1 })
    const evicted = ofType(events, 'evict')
    expect(evicted.map((e) => e.id)).toEqual([a.id, b.id])
    expect(evicted.every((e) => e.reason === 'resize')).toBe(true)
    expect(pool.stats().totals.max).toBe(1)
  })

  it('minIdlePerHost can be raised at run time', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 4 })
    const lease = await pool.acquire(`${server.url}/echo`)
    lease.release()
    pool.resize({ minIdlePerHost: 2 })
    await eventually(() => expect(server.counts().open).toBe(2))
    await eventually(() => expect(pool.stats().hosts[server.url].idle).toBe(2))
  })
})
