/**
 * Issue 7, bug 8: FIFO within a priority across the URLs of one origin. New rule: a connection
 * that becomes free for URL K goes to the oldest highest-priority waiter queued for K, even when
 * the head of the origin's queue waits for another URL J; a new acquire for K never overtakes a
 * queued waiter for K of the same or higher priority; the J waiter is served as soon as room
 * frees. These tests fail on the code at the time they were written, by design.
 *
 * Scenario: the cap is full and enough connections are closing that the pool does not evict the
 * freed K connection for J (closing connections count toward the cap until their socket closed).
 * Their closing handshakes are kept unanswered (the client stops reading those sockets) so that
 * they stay closing for the pool's 1 s close grace: the order below is then deterministic.
 */
import { describe, expect, it } from 'vitest'
import { eventually, newPool, startServer, stateOf, type Lease } from '../helpers/harness.js'
import { rawSockets, stallReads } from '../helpers/sockets.js'

/** Resolution order of named acquires. */
function track(served: string[], name: string, p: Promise<Lease>): Promise<Lease> {
  const tracked = p.then((lease) => {
    served.push(name)
    return lease
  })
  tracked.catch(() => {}) // a failing test closes the pool with these pending: not an unhandled rejection
  return tracked
}

describe('bug 8: FIFO for one URL across the URLs of an origin', () => {
  it('a freed K connection goes to the queued K waiter behind a J head; a new K acquire does not overtake it; J is served when room frees', async () => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = newPool({ maxPerHost: 3, breaker: false, WebSocket: sockets.WebSocket })
    const K = `${server.url}/k`
    const J = `${server.url}/j`
    const k1 = await pool.acquire(K)
    const x1 = await pool.acquire(`${server.url}/x`)
    const x2 = await pool.acquire(`${server.url}/x`)
    const served: string[] = []
    const j = track(served, 'J', pool.acquire(J, { timeout: 5000 }))
    const kWaiter = track(served, 'kWaiter', pool.acquire(K, { timeout: 5000 }))
    expect(pool.stats().totals).toMatchObject({ pending: 2, active: 3 })

    // In one go: two connections start closing (and stay closing), K1 is released, a new K acquire comes.
    stallReads(sockets.all[1])
    stallReads(sockets.all[2])
    x1.destroy()
    x2.destroy()
    k1.release()
    const kNew = track(served, 'kNew', pool.acquire(K, { timeout: 5000 }))

    expect(await stateOf(kWaiter, 50), 'the queued K waiter gets the freed K connection').toBe('fulfilled')
    const kw = await kWaiter
    expect(kw.id).toBe(k1.id)
    expect(await stateOf(kNew), 'the new K acquire waits behind the queued one').toBe('pending')
    kw.release()
    const kn = await kNew
    expect(kn.id).toBe(k1.id) // handed over, never idle
    expect(served).toEqual(['kWaiter', 'kNew'])
    // Room frees once the closing connections are gone (close grace): J gets it.
    const jl = await j
    expect(jl.url).toBe(J)
    expect(served).toEqual(['kWaiter', 'kNew', 'J'])
    kn.release()
    jl.release()
  })

  it('the freed K connection goes to the oldest highest-priority K waiter, and a new K acquire of the same priority queues behind', async () => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = newPool({ maxPerHost: 4, breaker: false, WebSocket: sockets.WebSocket })
    const K = `${server.url}/k`
    const k1 = await pool.acquire(K)
    const xs = [await pool.acquire(`${server.url}/x`), await pool.acquire(`${server.url}/x`), await pool.acquire(`${server.url}/x`)]
    const served: string[] = []
    const j = track(served, 'J', pool.acquire(`${server.url}/j`, { priority: 5, timeout: 5000 }))
    const kA = track(served, 'kA', pool.acquire(K, { priority: 0, timeout: 5000 }))
    const kB = track(served, 'kB', pool.acquire(K, { priority: 1, timeout: 5000 }))
    expect(pool.stats().totals).toMatchObject({ pending: 3, active: 4 })

    for (const s of sockets.all.slice(1, 4)) stallReads(s)
    for (const x of xs) x.destroy()
    k1.release()
    const kNew = track(served, 'kNew', pool.acquire(K, { priority: 0, timeout: 5000 }))

    expect(await stateOf(kB, 50), 'the highest-priority K waiter gets the freed K connection').toBe('fulfilled')
    const b = await kB
    expect(b.id).toBe(k1.id)
    expect(await stateOf(kA)).toBe('pending')
    expect(await stateOf(kNew)).toBe('pending')
    b.release()
    const a = await kA
    expect(a.id).toBe(k1.id)
    expect(await stateOf(kNew), 'the new K acquire (priority 0) queues behind the older one').toBe('pending')
    a.release()
    const n = await kNew
    expect(n.id).toBe(k1.id)
    expect(served).toEqual(['kB', 'kA', 'kNew'])
    await j
    expect(served).toEqual(['kB', 'kA', 'kNew', 'J'])
    await eventually(() => expect(pool.stats().totals.pending).toBe(0))
  })
})
