/**
 * User code in the pool's options, called in the middle of a connection's life: `resolveUrl` and
 * `reconnect.shouldReconnect` that close the pool, release or destroy the lease concerned, or
 * throw (STYLE principle 14; SPEC "Attempts", "Leases", "Events", "Lifecycle"). Whatever the
 * callback does, the pool stays consistent: see `watchedPool().rest()` for the invariants checked
 * after every test. The injected `WebSocket` constructor: `callbacks-websocket.test.ts`;
 * `heartbeat.isPong`, listeners and signals: `callbacks-listeners.test.ts`.
 */
import { describe, expect, it } from 'vitest'
import { PoolError } from '../../src/index.js'
import { delay, eventually, nextEvent, ofType, rejectionOf, startServer, type Lease } from '../helpers/harness.js'
import { finalCloses, reportsOf, watchedPool } from '../helpers/callbacks.js'

const FAST = { initialDelay: 20, maxDelay: 20, jitter: 0 }

describe('resolveUrl', () => {
  it('(a) calls pool.close() on the first attempt: the acquire rejects ERR_POOL_CLOSED, no socket is ever constructed', async () => {
    const server = await startServer()
    let closing: Promise<void> | undefined
    const w = watchedPool(server, {
      resolveUrl: (u) => {
        closing ??= w.pool.close()
        return u
      },
    })
    const err = await rejectionOf(w.pool.acquire(`${server.url}/echo`))
    expect(err.code).toBe('ERR_POOL_CLOSED')
    expect(closing).toBeDefined()
    expect(w.sockets.constructed()).toBe(0)
    await w.rest(closing)
    expect(server.counts().accepted).toBe(0)
  })

  it('(a) calls pool.close() on a reconnect attempt: the lease closes, no socket for that attempt', async () => {
    const server = await startServer()
    let closing: Promise<void> | undefined
    let calls = 0
    const w = watchedPool(server, {
      reconnect: FAST,
      resolveUrl: (u) => {
        if (++calls === 2) closing ??= w.pool.close()
        return u
      },
    })
    const lease = await w.pool.acquire(`${server.url}/echo`)
    const closed = nextEvent(lease, 'close', () => true, 2000)
    server.dropAll()
    await closed
    expect(lease.state).toBe('closed')
    expect(w.sockets.constructed()).toBe(1)
    await w.rest(closing)
  })

  it('(a) calls pool.close() while a warm connection opens (inside the grant that tops up): nothing is created after close()', async () => {
    const server = await startServer()
    let createdAtClose = -1
    let closing: Promise<void> | undefined
    let calls = 0
    const w = watchedPool(server, {
      minIdlePerHost: 2,
      resolveUrl: (u) => {
        if (++calls === 2 && !closing) {
          closing = w.pool.close()
          createdAtClose = w.pool.stats().totals.created
        }
        return u
      },
    })
    const outcome = await w.pool.acquire(`${server.url}/echo`).then(
      (l) => l.state,
      (e: PoolError) => e.code,
    )
    expect(['closed', 'ERR_POOL_CLOSED']).toContain(outcome)
    expect(closing).toBeDefined()
    expect(w.pool.stats().totals.created, 'connections created after close() was called').toBe(createdAtClose)
    const connected = new Set(ofType(w.events, 'connect').map((e) => e.id))
    expect(ofType(w.events, 'close').filter((e) => !connected.has(e.id)), 'close events of connections that never started').toEqual([])
    await w.rest(closing)
  })

  for (const action of ['release', 'destroy'] as const) {
    it(`(b) calls lease.${action}() on the lease being reconnected: that connection ends, the queued acquire gets a fresh one`, async () => {
      const server = await startServer()
      let lease: Lease | undefined
      let calls = 0
      const w = watchedPool(server, {
        maxPerHost: 1,
        reconnect: FAST,
        resolveUrl: (u) => {
          if (++calls === 2) lease![action]()
          return u
        },
      }, 1)
      lease = await w.pool.acquire(`${server.url}/echo`)
      const first = lease.id
      const closes: unknown[] = []
      lease.on('close', (e) => void closes.push(e))
      const queued = w.pool.acquire(`${server.url}/echo`)
      await eventually(() => expect(w.pool.stats().totals.pending).toBe(1))
      server.dropAll()
      const next = await queued
      expect(next.id).not.toBe(first)
      expect(next.state).toBe('open')
      expect(lease.state).toBe(action === 'release' ? 'released' : 'closed')
      expect(closes).toHaveLength(action === 'release' ? 0 : 1)
      expect(finalCloses(w.events).get(first)).toBe(1)
      expect(w.sockets.constructed(), 'the released connection made no attempt of its own').toBe(2)
      expect(w.sockets.peak()).toBe(1)
      const echoed = nextEvent(next, 'message')
      next.send('works')
      expect(await echoed).toBe('works')
      next.release()
      await w.rest()
    })
  }

  it('(c) throws (synchronously) on a reconnect: a failed attempt, reported; the connection retries and reopens', async () => {
    const server = await startServer()
    const thrown = new Error('resolveUrl bug')
    let calls = 0
    const w = watchedPool(server, {
      reconnect: FAST,
      resolveUrl: (u) => {
        if (++calls === 2) throw thrown
        return u
      },
    })
    const lease = await w.pool.acquire(`${server.url}/echo`)
    const reopened = nextEvent(lease, 'open', () => true, 2000)
    server.dropAll()
    await reopened
    expect(calls).toBe(3)
    expect(reportsOf(w.events, thrown)).toEqual([expect.objectContaining({ origin: server.url, id: lease.id, attempt: expect.any(Number) })])
    expect(w.pool.stats().totals.errors).toBe(1)
    lease.release()
    await w.rest()
  })

  it('(c) throws with reconnect: false: the acquire rejects ERR_CONNECT_FAILED with it as cause, nothing left', async () => {
    const server = await startServer()
    const thrown = new Error('resolveUrl bug')
    const w = watchedPool(server, {
      reconnect: false,
      resolveUrl: () => {
        throw thrown
      },
    })
    const err = await rejectionOf(w.pool.acquire(`${server.url}/echo`))
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_CONNECT_FAILED')
    expect(err.cause).toBe(thrown)
    expect(reportsOf(w.events, thrown)).toHaveLength(1)
    expect(w.pool.stats().totals).toMatchObject({ created: 1, closed: 1, connections: 0, pending: 0 })
    await w.rest()
  })

  it('(c) throws for warm connections with reconnect: false (minIdlePerHost: 1): no storm of attempts, the pool stays usable', async () => {
    const server = await startServer()
    const thrown = new Error('resolveUrl bug')
    let calls = 0
    const w = watchedPool(server, {
      minIdlePerHost: 1,
      reconnect: false,
      resolveUrl: (u) => {
        if (++calls >= 2) throw thrown
        return u
      },
    })
    const outcome = await Promise.race([
      w.pool.acquire(`${server.url}/echo`).then(
        (l) => (l.release(), 'leased'),
        (e: Error) => `${e.name}: ${e.message.slice(0, 80)}`,
      ),
      delay(2000).then(() => 'still pending after 2 s'),
    ])
    expect(outcome).toBe('leased')
    await delay(50)
    expect(calls, 'resolveUrl calls: one per warm attempt, not a loop').toBeLessThanOrEqual(3)
    await w.rest()
  })

  it('(d) returns a promise that rejects after the pool closed: nothing happens, no unhandled rejection', async () => {
    const server = await startServer()
    let reject: ((e: unknown) => void) | undefined
    const w = watchedPool(server, { resolveUrl: () => new Promise<string>((_, r) => (reject = r)) })
    const acquiring = rejectionOf(w.pool.acquire(`${server.url}/echo`))
    await eventually(() => expect(reject).toBeDefined())
    await w.rest()
    reject!(new Error('token service down, late'))
    await delay(20)
    expect((await acquiring).code).toBe('ERR_POOL_CLOSED')
    expect(w.unhandled).toEqual([])
    expect(w.sockets.constructed()).toBe(0)
    expect(w.pool.stats().totals).toMatchObject({ created: 1, closed: 1, errors: 0, connections: 0 })
    expect(ofType(w.events, 'error')).toEqual([])
  })
})

describe('reconnect.shouldReconnect', () => {
  for (const action of ['release', 'close', 'destroy'] as const) {
    for (const when of ['drop', 'failed reconnect attempt'] as const) {
      it(`calls ${action === 'close' ? 'pool.close()' : `lease.${action}()`} (${when}): no further attempt, one final close, nothing left`, async () => {
        const server = await startServer()
        let lease: Lease | undefined
        let closing: Promise<void> | undefined
        let asked = 0
        const w = watchedPool(server, {
          maxPerHost: 1,
          reconnect: {
            ...FAST,
            shouldReconnect: () => {
              if (++asked === (when === 'drop' ? 1 : 2)) {
                if (action === 'close') closing ??= w.pool.close()
                else lease![action]()
              }
              return true
            },
          },
        }, 1)
        lease = await w.pool.acquire(`${server.url}/echo`)
        const id = lease.id
        const leaseCloses: unknown[] = []
        lease.on('close', (e) => void leaseCloses.push(e))
        const queued = action === 'close' ? undefined : w.pool.acquire(`${server.url}/echo`)
        if (when !== 'drop') server.setRefuse(true)
        server.dropAll()
        await eventually(() => expect(finalCloses(w.events).get(id)).toBe(1), 2000)
        server.setRefuse(false)
        expect(lease.state).toBe(action === 'release' ? 'released' : 'closed')
        expect(leaseCloses).toHaveLength(action === 'release' ? 0 : 1)
        expect(ofType(w.events, 'reconnecting').filter((e) => e.id === id)).toHaveLength(when === 'drop' ? 0 : 1)
        if (queued) {
          const next = await queued
          expect(next.id).not.toBe(id)
          expect(next.state).toBe('open')
          next.release()
        }
        await delay(60) // three backoff delays: a retry after the final close would have shown
        expect(ofType(w.events, 'connect').filter((e) => e.id === id)).toHaveLength(when === 'drop' ? 1 : 2)
        expect(w.sockets.peak()).toBe(1)
        await w.rest(closing)
      })
    }
  }

  it('throws on a failed first attempt: the acquire rejects ERR_CONNECT_FAILED; an error event carries a PoolError with the thrown value as cause', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const thrown = new Error('shouldReconnect bug')
    const w = watchedPool(server, {
      reconnect: {
        ...FAST,
        shouldReconnect: () => {
          throw thrown
        },
      },
    })
    const err = await rejectionOf(w.pool.acquire(`${server.url}/echo`, { timeout: 2000 }))
    expect(err.code).toBe('ERR_CONNECT_FAILED')
    const reported = ofType(w.events, 'error').filter((e) => e.error instanceof PoolError && e.error.cause === thrown)
    expect(reported).toEqual([expect.objectContaining({ origin: server.url })])
    expect(w.sockets.constructed()).toBe(1)
    await w.rest()
  })
})
