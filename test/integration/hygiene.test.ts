/**
 * Issue 7, bugs 3, 9 and 10: bounded attempts (a `resolveUrl` that never settles), argument
 * checks before anything is opened, and the warm set, policy errors, host records and the
 * "server is back" shortcut. These tests fail on the code at the time they were written, by
 * design, and pass once the pool behaves as SPEC says (sections cited per test).
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { createPool, PoolError } from '../../src/index.js'
import { startTestServer } from '../server/test-server.js'
import {
  closedPort,
  delay,
  eventually,
  newPool,
  nextEvent,
  ofType,
  recordEvents,
  rejectionOf,
  startServer,
  stateOf,
  type Lease,
} from '../helpers/harness.js'
import { rawSockets } from '../helpers/sockets.js'

describe('bug 3: connectTimeout bounds resolveUrl + handshake (SPEC "Attempts")', () => {
  it('a resolveUrl that never settles fails that attempt (error event, stats) and the connection retries', async () => {
    const server = await startServer()
    const url = `${server.url}/echo`
    let calls = 0
    const pool = newPool({
      maxPerHost: 1,
      connectTimeout: 200,
      reconnect: { initialDelay: 20, maxDelay: 20, jitter: 0 },
      resolveUrl: (u) => (++calls === 1 ? new Promise<string>(() => {}) : u),
    })
    const events = recordEvents(pool)
    // Hang guard well above 200 ms + 20 ms, and below a slow failure (keeps the test short).
    const lease = await pool.acquire(url, { timeout: 2000 })
    expect(lease.state).toBe('open')
    expect(calls).toBe(2)
    expect(ofType(events, 'error')).toEqual([expect.objectContaining({ origin: server.url, attempt: 1, error: expect.any(Error) })])
    expect(pool.stats().totals.errors).toBe(1)
    // The slot is not held by the hung attempt: a second acquire after it works too.
    lease.destroy()
    const again = await pool.acquire(url, { timeout: 2000 })
    expect(again.state).toBe('open')
    expect(pool.stats().totals).toMatchObject({ connections: 1, active: 1, pending: 0 })
    again.release()
  })

  it('with a breaker, a hanging resolveUrl counts as a failure and the half-open trial is bounded too: once it answers, the circuit closes', async () => {
    const server = await startServer()
    const url = `${server.url}/echo`
    const HANGS = 2
    let calls = 0
    const pool = newPool({
      maxPerHost: 1,
      connectTimeout: 200,
      breaker: { failures: 1, cooldown: 100 },
      // One attempt per acquire: the second hang is then certainly a half-open trial's.
      reconnect: false,
      resolveUrl: (u) => (++calls <= HANGS ? new Promise<string>(() => {}) : u),
    })
    const events = recordEvents(pool)
    const circuits = new Set<string | undefined>()
    const sampler = setInterval(() => circuits.add(pool.stats().hosts[server.url]?.circuit), 5)
    onTestFinished(() => clearInterval(sampler))
    const codes: string[] = []
    const deadline = performance.now() + 1500 // the fixed pool needs about 200 + 100 + 200 + 100 ms
    let lease: Lease | undefined
    while (lease === undefined && performance.now() < deadline) {
      try {
        lease = await pool.acquire(url, { timeout: 600 })
      } catch (error) {
        codes.push((error as PoolError).code)
        await delay(20)
      }
    }
    expect(lease, `no lease; acquire failures: ${codes.join(', ')}; resolveUrl calls: ${calls}`).toBeDefined()
    expect(lease!.state).toBe('open')
    expect(calls).toBe(HANGS + 1)
    expect(pool.stats().hosts[server.url].circuit).toBe('closed')
    // The hung attempts counted as failures: the circuit opened, then a half-open trial was made.
    expect(circuits).toContain('open')
    expect(circuits).toContain('half-open')
    expect(codes.filter((c) => c !== 'ERR_CIRCUIT_OPEN' && c !== 'ERR_CONNECT_FAILED')).toEqual([])
    expect(ofType(events, 'error').filter((e) => e.attempt !== undefined)).toHaveLength(HANGS)
    expect(pool.stats().totals.errors).toBe(HANGS)
    lease!.release()
  })
})

describe('bug 9: arguments are checked before anything is opened', () => {
  it('a signal-like object without removeEventListener is refused at once (ERR_INVALID_ARGUMENT naming signal); nothing is opened', async () => {
    const server = await startServer()
    const pool = createPool({ breaker: false })
    // Not newPool: on the code at the time, closing a pool holding such a waiter throws.
    onTestFinished(() => Promise.race([pool.close().catch(() => {}), delay(1000)]))
    const signal = { aborted: false, addEventListener() {} } as unknown as AbortSignal
    const acquiring = pool.acquire(`${server.url}/hang`, { signal })
    acquiring.catch(() => {})
    expect(await stateOf(acquiring, 5)).toBe('rejected')
    const err = await rejectionOf(acquiring)
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_INVALID_ARGUMENT')
    expect(err.message).toMatch(/signal/)
    expect(pool.stats().totals).toMatchObject({ created: 0, pending: 0 })
    await delay(20)
    expect(server.lastUpgrade()).toBeUndefined()
  })

  it('a signal whose removeEventListener throws does not break the grant: the acquire resolves with a working lease', async () => {
    const server = await startServer()
    const pool = createPool({ breaker: false, maxPerHost: 1 })
    onTestFinished(() => Promise.race([pool.close().catch(() => {}), delay(1000)]))
    const url = `${server.url}/echo`
    const holder = await pool.acquire(url)
    const controller = new AbortController()
    const signal = controller.signal
    Object.defineProperty(signal, 'removeEventListener', {
      value: () => {
        throw new Error('removeEventListener failed')
      },
    })
    const acquiring = pool.acquire(url, { signal, timeout: 2000 })
    acquiring.catch(() => {})
    await eventually(() => expect(pool.stats().totals.pending).toBe(1))
    // The queued acquire is granted on release (hand-off): the signal's listener is removed then.
    expect(() => holder.release()).not.toThrow()
    const lease = await acquiring
    expect(lease.state).toBe('open')
    expect(pool.stats().totals).toMatchObject({ pending: 0, active: 1, idle: 0 })
    const echoed = nextEvent(lease, 'message')
    lease.send('still works')
    expect(await echoed).toBe('still works')
    lease.release()
    expect(pool.stats().totals).toMatchObject({ pending: 0, active: 0, idle: 1 })
  })

  for (const [label, bad] of [['{}', {}], ['42', 42]] as const) {
    it(`pool.send(url, ${label}) rejects with ERR_INVALID_ARGUMENT before acquiring: no connection is made`, async () => {
      const server = await startServer()
      const pool = newPool({ breaker: false })
      const err = await rejectionOf(pool.send(`${server.url}/echo`, bad as never))
      expect(err).toBeInstanceOf(PoolError)
      expect(err.code).toBe('ERR_INVALID_ARGUMENT')
      expect(pool.stats().totals).toMatchObject({ created: 0, pending: 0, active: 0 })
      await delay(20)
      expect(server.counts().accepted).toBe(0)
      expect(server.lastUpgrade()).toBeUndefined()
    })
  }
})

describe('bug 10: warm connections, policy errors, host records, the "server is back" shortcut', () => {
  it('(a) no warm top-up attempt while the circuit is open; top-ups resume once it closes', async () => {
    const server = await startServer()
    const url = `${server.url}/echo`
    const pool = newPool({
      minIdlePerHost: 1,
      breaker: { failures: 1, cooldown: 2000 },
      reconnect: { initialDelay: 20, maxDelay: 40, jitter: 0 },
    })
    const lease = await pool.acquire(url)
    await eventually(() => expect(pool.stats().totals.idle).toBe(1)) // the warm connection
    const circuit = (): string | undefined => pool.stats().hosts[server.url].circuit
    const warmAttemptsWhileOpen: number[] = []
    pool.on('connect', (e) => {
      if (e.id !== lease.id && circuit() === 'open') warmAttemptsWhileOpen.push(e.id)
    })
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(circuit()).toBe('open'))
    await delay(400) // the leased connection keeps retrying (single-flight); warm top-ups must not
    expect(circuit()).toBe('open')
    expect(warmAttemptsWhileOpen).toEqual([])
    server.setRefuse(false)
    await eventually(() => expect(circuit()).toBe('closed'), 1000) // the lease's next retry succeeds
    await eventually(() => expect(pool.stats().totals).toMatchObject({ active: 1, idle: 1, open: 2 }), 1000)
    expect(warmAttemptsWhileOpen).toEqual([])
    lease.release()
  })

  it('(b) after drain() no new warm connection is opened', async () => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = newPool({
      minIdlePerHost: 1,
      breaker: false,
      reconnect: { initialDelay: 20, maxDelay: 20, jitter: 0 },
      WebSocket: sockets.WebSocket,
    })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo`)
    await eventually(() => expect(pool.stats().totals.idle).toBe(1))
    expect(sockets.constructed()).toBe(2)
    const drained = pool.drain()
    const connectsBefore = ofType(events, 'connect').length
    // The warm (idle) connection drops: a top-up would normally replace it.
    sockets.all[1].close()
    await eventually(() => expect(pool.stats().totals.idle).toBe(0))
    await delay(150)
    expect(ofType(events, 'connect').slice(connectsBefore)).toEqual([])
    expect(sockets.constructed()).toBe(2)
    lease.release()
    await drained
    expect(sockets.live()).toBe(0)
  })

  it('(c) a throwing shouldReconnect means "no" and is reported: an error event with a PoolError whose cause is the thrown value; the lease closes', async () => {
    const server = await startServer()
    const thrown = new Error('shouldReconnect bug')
    const pool = newPool({
      breaker: false,
      reconnect: {
        initialDelay: 20,
        jitter: 0,
        shouldReconnect: () => {
          throw thrown
        },
      },
    })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/close?code=4000&after=1`)
    const closed = nextEvent(lease, 'close', () => true, 2000)
    lease.send('bye')
    await closed
    expect(lease.state).toBe('closed')
    expect(ofType(events, 'reconnecting')).toEqual([])
    const reported = ofType(events, 'error').filter((e) => e.error instanceof PoolError && e.error.cause === thrown)
    expect(reported, JSON.stringify(ofType(events, 'error').map((e) => String(e.error)))).toHaveLength(1)
    expect(reported[0]).toMatchObject({ origin: server.url })
  })

  it('(d) records of origins no longer used are forgotten beyond a bound; totals still count everything', async () => {
    // Listening on every address: ws://127.0.0.N:PORT are distinct origins that all connect.
    const server = await startTestServer({ host: '0.0.0.0' })
    onTestFinished(() => server.close())
    const refused = await closedPort()
    const pool = newPool({ reconnect: false, breaker: false })
    const N = 150
    const work: (() => Promise<void>)[] = []
    for (let i = 0; i < N; i++) {
      const host = `127.0.${1 + Math.floor(i / 200)}.${1 + (i % 200)}`
      work.push(async () => {
        const lease = await pool.acquire(`ws://${host}:${server.port}/echo`)
        if (i % 2 === 0) lease.destroy()
        else {
          lease.release()
          // back to idle: gone once evicted; destroy through a second acquire so it closes now
          ;(await pool.acquire(`ws://${host}:${server.port}/echo`)).destroy()
        }
      })
      work.push(async () => {
        const err = await rejectionOf(pool.acquire(`ws://${host}:${refused}/`))
        expect(err.code).toBe('ERR_CONNECT_FAILED')
      })
    }
    for (let i = 0; i < work.length; i += 20) await Promise.all(work.slice(i, i + 20).map((f) => f()))
    await eventually(() => expect(pool.stats().totals).toMatchObject({ created: 2 * N, closed: 2 * N, connections: 0, pending: 0 }))
    expect(Object.keys(pool.stats().hosts).length).toBeLessThanOrEqual(100)
    // A forgotten origin is usable again, with fresh figures.
    const lease = await pool.acquire(`ws://127.0.1.1:${server.port}/echo`)
    expect(pool.stats().hosts[`ws://127.0.1.1:${server.port}`]).toMatchObject({ connections: 1, active: 1 })
    expect(pool.stats().totals).toMatchObject({ created: 2 * N + 1, active: 1 })
    lease.release()
  })

  it('(e) the "server is back" shortcut spreads the waiting connections\' retries over a short jitter', async () => {
    const server = await startServer()
    const url = `${server.url}/echo`
    const pool = newPool({ maxPerHost: 10, breaker: false, reconnect: { initialDelay: 5000, maxDelay: 5000, jitter: 0 } })
    const leases: Lease[] = []
    for (let i = 0; i < 8; i++) leases.push(await pool.acquire(url))
    const ids = new Set(leases.map((l) => l.id))
    // When each first retry starts: clock time, and which macrotask it ran in.
    let task = 0
    let scheduled = false
    const taskNow = (): number => {
      if (!scheduled) {
        scheduled = true
        setImmediate(() => {
          scheduled = false
          task++
        })
      }
      return task
    }
    const retries = new Map<number, { at: number; task: number }>()
    pool.on('connect', (e) => {
      if (ids.has(e.id) && !retries.has(e.id)) retries.set(e.id, { at: performance.now(), task: taskNow() })
    })
    const reopened = new Set<number>()
    pool.on('open', (e) => {
      if (ids.has(e.id) && e.reconnect) reopened.add(e.id)
    })
    await server.outage(300) // drops all 8: each waits 5 s before its retry
    expect(retries.size).toBe(0)
    const trigger = await pool.acquire(url) // a new connection opens: the origin is back
    await eventually(() => expect(reopened.size).toBe(8), 2500) // well before the 5 s delay
    const times = [...retries.values()].map((r) => r.at)
    const tasks = new Set([...retries.values()].map((r) => r.task))
    expect(tasks.size, 'the retries all started in one synchronous burst').toBeGreaterThan(1)
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(2)
    trigger.release()
    for (const l of leases) l.release()
  })
})
