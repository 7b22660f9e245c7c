/**
 * Lifecycle and the lease state machine (issue 2, item 9; SPEC "Lifecycle", "Drain",
 * "Leases", "Lease", destroy codes).
 */
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { createPool, PoolError } from '../../src/index.js'
import {
  delay,
  eventually,
  newPool,
  nextEvent,
  ofType,
  recordEvents,
  rejectionOf,
  startServer,
  stateOf,
  thrownBy,
} from '../helpers/harness.js'

describe('close()', () => {
  it('closes every socket, rejects queued acquires with ERR_POOL_CLOSED, and later acquires too', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 1 })
    const url = `${server.url}/echo`
    const leased = await pool.acquire(url)
    const idle = await pool.acquire(`ws://localhost:${server.port}/echo`)
    idle.release()
    const queued = [rejectionOf(pool.acquire(url)), rejectionOf(pool.acquire(url))]
    await delay(10)
    expect(pool.stats().totals).toMatchObject({ pending: 2, active: 1, idle: 1 })
    expect(server.counts().open).toBe(2)
    await pool.close()
    for (const q of queued) {
      const err = await q
      expect(err).toBeInstanceOf(PoolError)
      expect(err.code).toBe('ERR_POOL_CLOSED')
    }
    await eventually(() => expect(server.counts().open).toBe(0))
    expect(leased.state).toBe('closed')
    expect(thrownBy(() => leased.send('x')).code).toBe('ERR_LEASE_CLOSED')
    expect((await rejectionOf(pool.acquire(url))).code).toBe('ERR_POOL_CLOSED')
    expect((await rejectionOf(pool.send(url, 'x'))).code).toBe('ERR_POOL_CLOSED')
    expect(pool.stats().totals).toMatchObject({ connections: 0, open: 0, active: 0, idle: 0, pending: 0 })
  })

  it('is idempotent: a second call returns the same promise', async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    const first = pool.close()
    const second = pool.close()
    expect(second).toBe(first)
    await first
    // Once close() resolves no socket is left, not even a closing one.
    expect(pool.stats().totals).toMatchObject({ connections: 0, open: 0 })
    await pool.close()
    expect(lease.state).toBe('closed')
  })

  it('discards messages buffered for reconnecting leases with a drop event (reason closed)', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, reconnect: { initialDelay: 20, jitter: 0 } })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo`)
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(lease.state).toBe('reconnecting'))
    lease.send('one')
    lease.send('two')
    await pool.close()
    expect(ofType(events, 'drop')).toEqual([
      expect.objectContaining({ origin: server.url, id: lease.id, count: 2, bytes: 6, reason: 'closed' }),
    ])
    expect(pool.stats().totals.dropped).toBe(2)
  })

  it('user listeners hear nothing after the closing events', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, reconnect: { initialDelay: 10, jitter: 0 }, idleTimeout: 20 })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo`)
    lease.release()
    await pool.close()
    const count = events.length
    await delay(100)
    expect(events.length).toBe(count)
  })

  it('an acquire waiting for its connection rejects with ERR_POOL_CLOSED', async () => {
    const server = await startServer()
    const pool = newPool()
    const acquiring = pool.acquire(`${server.url}/hang`)
    await delay(20)
    await pool.close()
    expect((await rejectionOf(acquiring)).code).toBe('ERR_POOL_CLOSED')
  })

  it('await using closes the pool (Symbol.asyncDispose)', async () => {
    const server = await startServer()
    let pool: ReturnType<typeof createPool> | undefined
    {
      await using scoped = createPool()
      pool = scoped
      const lease = await scoped.acquire(`${server.url}/echo`)
      lease.release()
      expect(server.counts().open).toBe(1)
    }
    await eventually(() => expect(server.counts().open).toBe(0))
    expect((await rejectionOf(pool.acquire(`${server.url}/echo`))).code).toBe('ERR_POOL_CLOSED')
  })
})

describe('drain()', () => {
  it('stops new acquires, serves already queued ones, waits for leases, then closes', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 1 })
    const url = `${server.url}/echo`
    const holder = await pool.acquire(url)
    const queued = pool.acquire(url)
    await delay(10)
    const drained = pool.drain()
    expect(pool.drain()).toBe(drained) // idempotent
    expect((await rejectionOf(pool.acquire(url))).code).toBe('ERR_POOL_CLOSED')
    expect(await stateOf(drained)).toBe('pending')
    holder.release()
    const lease = await queued // queued before drain: still served
    expect(lease.state).toBe('open')
    expect(await stateOf(drained)).toBe('pending')
    expect(server.counts().open).toBe(1)
    lease.release()
    await drained
    await eventually(() => expect(server.counts().open).toBe(0))
    expect(pool.stats().totals.connections).toBe(0)
  })

  it('an acquire waiting for its connection when drain() is called is still served', async () => {
    const server = await startServer()
    let release: (() => void) | undefined
    const pool = newPool({ resolveUrl: (url) => new Promise<string>((resolve) => (release = () => resolve(url))) })
    const acquiring = pool.acquire(`${server.url}/echo`)
    await eventually(() => expect(release).toBeDefined())
    const drained = pool.drain()
    release!()
    const lease = await acquiring
    expect(lease.state).toBe('open')
    expect(await stateOf(drained)).toBe('pending')
    lease.release()
    await drained
    await eventually(() => expect(server.counts().open).toBe(0))
  })

  it('with nothing leased it closes at once', async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    lease.release()
    await pool.drain()
    await eventually(() => expect(server.counts().open).toBe(0))
  })

  it('close() during a drain ends it now', async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    const drained = pool.drain()
    await pool.close()
    await drained
    expect(lease.state).toBe('closed')
  })
})

describe('lease state machine', () => {
  it('open -> released; after release send/on throw ERR_LEASE_RELEASED; off/release/destroy are no-ops', async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    expect(lease.state).toBe('open')
    expect(typeof lease.id).toBe('number')
    lease.release()
    expect(lease.state).toBe('released')
    for (const act of [() => lease.send('x'), () => lease.on('message', () => {})]) {
      const err = thrownBy(act)
      expect(err).toBeInstanceOf(PoolError)
      expect(err.code).toBe('ERR_LEASE_RELEASED')
      expect(err.origin).toBe(server.url)
    }
    lease.off('message', () => {})
    lease.release()
    lease.destroy()
    expect(lease.state).toBe('released')
    // destroy after release did not close the pooled connection
    await delay(20)
    expect(server.counts().open).toBe(1)
    expect(pool.stats().hosts[server.url]).toMatchObject({ idle: 1, active: 0 })
  })

  it('Symbol.dispose releases', async () => {
    const server = await startServer()
    const pool = newPool()
    let id: number
    {
      using lease = await pool.acquire(`${server.url}/echo`)
      id = lease.id
      expect(pool.stats().hosts[server.url].active).toBe(1)
    }
    expect(pool.stats().hosts[server.url]).toMatchObject({ active: 0, idle: 1 })
    const again = await pool.acquire(`${server.url}/echo`)
    expect(again.id).toBe(id)
    again[Symbol.dispose]()
    expect(again.state).toBe('released')
    again[Symbol.dispose]() // twice: no-op
  })

  it('await using releases a lease too', async () => {
    const server = await startServer()
    const pool = newPool()
    {
      await using lease = await pool.acquire(`${server.url}/echo`)
      expect(lease.state).toBe('open')
      expect(pool.stats().hosts[server.url].active).toBe(1)
    }
    expect(pool.stats().hosts[server.url]).toMatchObject({ active: 0, idle: 1 })
  })

  it('destroy closes the connection for good; it is not reused', async () => {
    const server = await startServer()
    const pool = newPool()
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo`)
    const closed = nextEvent(lease, 'close')
    lease.destroy(4001, 'done')
    await closed
    expect(lease.state).toBe('closed')
    expect(thrownBy(() => lease.send('x')).code).toBe('ERR_LEASE_CLOSED')
    await eventually(() => expect(server.counts().open).toBe(0))
    expect(ofType(events, 'reconnecting')).toHaveLength(0)
    const next = await pool.acquire(`${server.url}/echo`)
    expect(next.id).not.toBe(lease.id)
    lease.release() // no-op on a closed lease
    next.release()
  })

  it.each([1000, 3000, 4000, 4999])('destroy accepts code %i', async (code) => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    lease.destroy(code, 'bye')
    await eventually(() => expect(server.counts().open).toBe(0))
  })

  it.each([0, 999, 1001, 1005, 1006, 1011, 2999, 5000, 1000.5, NaN])(
    'destroy refuses code %s with ERR_INVALID_ARGUMENT',
    async (code) => {
      const server = await startServer()
      const pool = newPool()
      const lease = await pool.acquire(`${server.url}/echo`)
      const err = thrownBy(() => lease.destroy(code))
      expect(err).toBeInstanceOf(PoolError)
      expect(err.code).toBe('ERR_INVALID_ARGUMENT')
      expect(lease.state).toBe('open') // nothing happened
      lease.release()
    },
  )

  it('destroy refuses a close reason over 123 UTF-8 bytes', async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    const err = thrownBy(() => lease.destroy(1000, 'é'.repeat(62)))
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_INVALID_ARGUMENT')
    lease.release()
  })

  it('release() of a lease whose connection is not open closes that connection', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, reconnect: { initialDelay: 30, jitter: 0 } })
    const lease = await pool.acquire(`${server.url}/echo`)
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(lease.state).toBe('reconnecting'))
    lease.release()
    expect(lease.state).toBe('released')
    server.setRefuse(false)
    await delay(150)
    expect(server.counts().accepted).toBe(1)
    expect(pool.stats().hosts[server.url]).toMatchObject({ connections: 0, reconnecting: 0, idle: 0 })
  })

  it('states: open -> reconnecting -> open -> closed', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, reconnect: { initialDelay: 20, jitter: 0, maxAttempts: 2 } })
    const lease = await pool.acquire(`${server.url}/echo`)
    const states: string[] = [lease.state]
    const track = (): void => {
      if (states.at(-1) !== lease.state) states.push(lease.state)
    }
    for (const type of ['open', 'close', 'reconnecting'] as const) lease.on(type, track)
    server.dropAll()
    await eventually(() => expect(states).toEqual(['open', 'reconnecting', 'open']))
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(lease.state).toBe('closed'))
    track()
    expect(states).toEqual(['open', 'reconnecting', 'open', 'reconnecting', 'closed'])
  })

  it('a lease of a closed pool reports closed, and release is a no-op', async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    await pool.close()
    expect(lease.state).toBe('closed')
    lease.release()
    lease.destroy()
  })
})

describe('resources while running', () => {
  it('timers do not accumulate: deadlines are cleared on every path, close() clears the rest', async () => {
    const server = await startServer()
    // Track every timer the process creates from here on (the pool's included, unref'd or not).
    const live = new Set<unknown>()
    const realSet = globalThis.setTimeout
    const realClear = globalThis.clearTimeout
    const setSpy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number, ...args: unknown[]) => {
      const handle = realSet(() => {
        live.delete(handle)
        fn(...(args as []))
      }, ms)
      live.add(handle)
      return handle
    }) as typeof setTimeout)
    const clearSpy = vi.spyOn(globalThis, 'clearTimeout').mockImplementation(((handle: ReturnType<typeof setTimeout>) => {
      live.delete(handle)
      realClear(handle)
    }) as typeof clearTimeout)
    onTestFinished(() => {
      setSpy.mockRestore()
      clearSpy.mockRestore()
    })
    const pool = newPool({ maxPerHost: 1, maxQueue: 5, acquireTimeout: 60_000, idleTimeout: 60_000 })
    const url = `${server.url}/echo`
    for (let i = 0; i < 200; i++) (await pool.acquire(url)).release() // granted at once
    const holder = await pool.acquire(url)
    const queued = Array.from({ length: 5 }, () => pool.acquire(url)) // queued, then granted
    const full = await rejectionOf(pool.acquire(url))
    expect(full.code).toBe('ERR_QUEUE_FULL')
    holder.release()
    for (const q of queued) (await q).release()
    const controller = new AbortController()
    const blocker = await pool.acquire(url)
    const aborted = Array.from({ length: 5 }, () => rejectionOf(pool.acquire(url, { signal: controller.signal })))
    controller.abort()
    await Promise.all(aborted)
    blocker.release()
    await delay(20)
    // One idle connection: at most its idle timer (plus one the test server or ws may hold).
    expect(live.size).toBeLessThanOrEqual(2)
    await pool.close()
    await delay(20)
    expect(live.size).toBe(0)
  })
})
