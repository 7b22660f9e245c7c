/**
 * An injected `WebSocket` constructor (a `ws` subclass) is user code too: one that throws, or
 * that closes the pool or releases the lease being reconnected from inside the constructor
 * (STYLE principle 14; SPEC "Attempts", "Counting toward caps", "Lifecycle"). The pool stays
 * consistent: see `watchedPool().rest()`, and a socket it made is counted until it closed.
 */
import { describe, expect, it } from 'vitest'
import { delay, eventually, nextEvent, rejectionOf, startServer, type Lease } from '../helpers/harness.js'
import { finalCloses, reportsOf, watchedPool } from '../helpers/callbacks.js'

const FAST = { initialDelay: 20, maxDelay: 20, jitter: 0 }

describe('an injected WebSocket constructor', () => {
  it('(a) that throws on a reconnect: a failed attempt, reported; the connection retries and reopens', async () => {
    const server = await startServer()
    const thrown = new Error('constructor bug')
    const w = watchedPool(server, { reconnect: FAST })
    w.sockets.before = (n) => {
      if (n === 2) throw thrown
    }
    const lease = await w.pool.acquire(`${server.url}/echo`)
    const reopened = nextEvent(lease, 'open', () => true, 2000)
    server.dropAll()
    await reopened
    expect(reportsOf(w.events, thrown)).toEqual([expect.objectContaining({ origin: server.url, id: lease.id, attempt: expect.any(Number) })])
    lease.release()
    await w.rest()
  })

  it('(a) that throws, reconnect: false: the acquire rejects ERR_CONNECT_FAILED with it as cause', async () => {
    const server = await startServer()
    const thrown = new Error('constructor bug')
    const w = watchedPool(server, { reconnect: false })
    w.sockets.before = () => {
      throw thrown
    }
    const err = await rejectionOf(w.pool.acquire(`${server.url}/echo`))
    expect(err.code).toBe('ERR_CONNECT_FAILED')
    expect(err.cause).toBe(thrown)
    expect(reportsOf(w.events, thrown)).toHaveLength(1)
    await w.rest()
  })

  it('(a) that throws for warm connections with reconnect: false (minIdlePerHost: 1): no storm of attempts, the pool stays usable', async () => {
    const server = await startServer()
    const w = watchedPool(server, { minIdlePerHost: 1, reconnect: false })
    let thrown = 0
    w.sockets.before = (n) => {
      if (n >= 2) {
        thrown++
        throw new Error('constructor bug')
      }
    }
    const outcome = await Promise.race([
      w.pool.acquire(`${server.url}/echo`).then(
        (l) => (l.release(), 'leased'),
        (e: Error) => `${e.name}: ${e.message.slice(0, 80)}`,
      ),
      delay(2000).then(() => 'still pending after 2 s'),
    ])
    expect(outcome).toBe('leased')
    await delay(50)
    expect(thrown, 'constructor calls for warm connections: one per top-up, not a loop').toBeLessThanOrEqual(2)
    await w.rest()
  })

  it('(b) that calls pool.close() inside the constructor (first attempt): the acquire rejects, the socket it made is closed before close() resolves', async () => {
    const server = await startServer()
    let closing: Promise<void> | undefined
    const w = watchedPool(server)
    w.sockets.after = () => void (closing ??= w.pool.close())
    const err = await rejectionOf(w.pool.acquire(`${server.url}/echo`))
    expect(err.code).toBe('ERR_POOL_CLOSED')
    expect(w.sockets.constructed()).toBe(1)
    await w.rest(closing)
  })

  for (const action of ['close', 'release'] as const) {
    it(`(b) that calls ${action === 'close' ? 'pool.close()' : 'lease.release()'} inside the constructor (reconnect): the socket it made counts until it closed`, async () => {
      const server = await startServer()
      let closing: Promise<void> | undefined
      let lease: Lease | undefined
      const w = watchedPool(server, { maxPerHost: 1, reconnect: FAST }, 1)
      w.sockets.after = (_, n) => {
        if (n !== 2) return
        if (action === 'close') closing ??= w.pool.close()
        else lease!.release()
      }
      lease = await w.pool.acquire(`${server.url}/echo`)
      const id = lease.id
      // release: a queued acquire takes the freed room; it must wait until that socket closed.
      const queued = action === 'release' ? w.pool.acquire(`${server.url}/echo`) : undefined
      server.dropAll()
      await eventually(() => expect(finalCloses(w.events).get(id)).toBe(1), 2000)
      if (queued) {
        const next = await queued
        expect(next.state).toBe('open')
        next.release()
      }
      expect(w.sockets.peak(), 'client sockets live at once (maxPerHost 1)').toBe(1)
      await w.rest(closing)
    })
  }
})
