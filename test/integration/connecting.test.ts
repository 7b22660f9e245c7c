/**
 * Connecting (issue 2, item 5; SPEC connectTimeout and "Connecting during an acquire"):
 * failed attempts retry with backoff until the acquire's deadline; the policy giving up first
 * means ERR_CONNECT_FAILED, the deadline first means ERR_ACQUIRE_TIMEOUT; either carries the
 * last failure as `cause`. A refusing origin never makes acquire hang.
 */
import { describe, expect, it } from 'vitest'
import { PoolError } from '../../src/index.js'
import { closedPort, delay, eventually, newPool, ofType, recordEvents, rejectionOf, startServer } from '../helpers/harness.js'

describe('connectTimeout', () => {
  it('aborts an attempt whose upgrade never answers (/hang)', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, connectTimeout: 150, acquireTimeout: 10_000, reconnect: false })
    const events = recordEvents(pool)
    const started = performance.now()
    const err = await rejectionOf(pool.acquire(`${server.url}/hang`))
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_CONNECT_FAILED')
    expect(err.origin).toBe(server.url)
    expect(err.cause).toBeDefined()
    // Hang guard only: it did not wait for the 10 s acquire deadline.
    expect(performance.now() - started).toBeLessThan(5000)
    const errors = ofType(events, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ origin: server.url })
    expect(errors[0].error).toBeDefined()
    expect(pool.stats().hosts[server.url]).toMatchObject({ connections: 0, connecting: 0, pending: 0, errors: 1 })
  })

  it('while an attempt hangs it counts as connecting and pending', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, connectTimeout: 5000, reconnect: false })
    const acquiring = pool.acquire(`${server.url}/hang`)
    acquiring.catch(() => {})
    await eventually(() =>
      expect(pool.stats().hosts[server.url]).toMatchObject({ connecting: 1, pending: 1, connections: 1, open: 0 }),
    )
    await pool.close()
    expect((await rejectionOf(acquiring)).code).toBe('ERR_POOL_CLOSED')
  })

  it('with reconnect enabled, hanging attempts are retried until the acquire deadline', async () => {
    const server = await startServer()
    const pool = newPool({
      breaker: false,
      connectTimeout: 60,
      acquireTimeout: 500,
      reconnect: { initialDelay: 10, maxDelay: 20, jitter: 0 },
    })
    const events = recordEvents(pool)
    const err = await rejectionOf(pool.acquire(`${server.url}/hang`))
    expect(err.code).toBe('ERR_ACQUIRE_TIMEOUT')
    expect(err.cause).toBeDefined()
    expect(ofType(events, 'error').length).toBeGreaterThanOrEqual(2)
  })
})

describe('refused connections', () => {
  it('reconnect: false gives up after one attempt with ERR_CONNECT_FAILED (HTTP 503)', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ breaker: false, reconnect: false, acquireTimeout: 10_000 })
    const events = recordEvents(pool)
    const err = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_CONNECT_FAILED')
    expect(err.cause).toBeDefined()
    expect(String(err.cause?.message ?? err.cause)).toContain('503')
    expect(err.closeCode).toBe(1006) // the handshake failed: no close frame
    expect(ofType(events, 'error')).toHaveLength(1)
    expect(pool.stats().hosts[server.url].errors).toBe(1)
  })

  it('maxAttempts bounds the retries, then ERR_CONNECT_FAILED', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ breaker: false, acquireTimeout: 10_000, reconnect: { initialDelay: 10, maxDelay: 40, jitter: 0, maxAttempts: 2 } })
    const events = recordEvents(pool)
    const err = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(err.code).toBe('ERR_CONNECT_FAILED')
    const attempts = ofType(events, 'error').length
    expect(attempts).toBeGreaterThanOrEqual(2)
    expect(attempts).toBeLessThanOrEqual(3)
    await delay(100)
    expect(ofType(events, 'error').length).toBe(attempts) // nothing after giving up
  })

  it('maxAttempts 0: one attempt, no retry', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ breaker: false, reconnect: { maxAttempts: 0, initialDelay: 10 } })
    const events = recordEvents(pool)
    const err = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(err.code).toBe('ERR_CONNECT_FAILED')
    expect(ofType(events, 'error')).toHaveLength(1)
  })

  it('shouldReconnect returning false stops the retries', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const infos: unknown[] = []
    const pool = newPool({
      breaker: false,
      reconnect: {
        initialDelay: 10,
        shouldReconnect: (info) => {
          infos.push(info)
          return false
        },
      },
    })
    const err = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(err.code).toBe('ERR_CONNECT_FAILED')
    expect(infos.length).toBe(1)
    expect(infos[0]).toMatchObject({ attempt: expect.any(Number), wasClean: expect.any(Boolean) })
  })

  it('refused with the default policy: acquire rejects by its deadline, never hangs', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ breaker: false, acquireTimeout: 400 })
    const started = performance.now()
    const err = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(err.code).toBe('ERR_ACQUIRE_TIMEOUT')
    expect(err.cause).toBeDefined()
    expect(performance.now() - started).toBeLessThan(5000)
  })

  it('a port where nothing listens fails fast with ERR_CONNECT_FAILED (reconnect: false)', async () => {
    const port = await closedPort()
    const pool = newPool({ breaker: false, reconnect: false })
    const err = await rejectionOf(pool.acquire(`ws://127.0.0.1:${port}/x`))
    expect(err.code).toBe('ERR_CONNECT_FAILED')
    expect(err.origin).toBe(`ws://127.0.0.1:${port}`)
    expect(String(err.cause?.code ?? err.cause?.message)).toContain('ECONNREFUSED')
    expect(pool.stats().hosts[`ws://127.0.0.1:${port}`]).toMatchObject({ connections: 0, pending: 0 })
  })

  it('connects once the origin starts accepting, within the acquire deadline', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ breaker: false, acquireTimeout: 5000, reconnect: { initialDelay: 20, maxDelay: 50, jitter: 0 } })
    const events = recordEvents(pool)
    const acquiring = pool.acquire(`${server.url}/echo`)
    await eventually(() => expect(ofType(events, 'error').length).toBeGreaterThanOrEqual(2))
    server.setRefuse(false)
    const lease = await acquiring
    expect(lease.state).toBe('open')
    expect(server.counts().accepted).toBe(1)
    const errors = ofType(events, 'error')
    // Each failed attempt reports its attempt number, counting up.
    const attempts = errors.map((e) => e.attempt).filter((n) => n !== undefined)
    expect(attempts).toEqual([...attempts].sort((a, b) => a - b))
    lease.release()
  })

  it('retries during an acquire are spaced by backoff, never a busy loop', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ breaker: false, acquireTimeout: 400, reconnect: { initialDelay: 20, factor: 2, maxDelay: 1000, jitter: 0 } })
    const events = recordEvents(pool)
    const err = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(err.code).toBe('ERR_ACQUIRE_TIMEOUT')
    // Attempts at about 0, 20, 60, 140, 300 ms: 5 fit in 400 ms (a busy loop makes hundreds).
    const attempts = ofType(events, 'error').length
    expect(attempts).toBeGreaterThanOrEqual(2)
    expect(attempts).toBeLessThanOrEqual(6)
  })

  it('acquireTimeout bounds queue time plus connect time together', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 1, connectTimeout: 10_000 })
    const holder = await pool.acquire(`${server.url}/echo`)
    const started = performance.now()
    const acquiring = rejectionOf(pool.acquire(`${server.url}/hang`, { timeout: 300 }))
    await delay(150)
    holder.release() // the queued acquire now connects to /hang, which never answers
    const err = await acquiring
    expect(err.code).toBe('ERR_ACQUIRE_TIMEOUT')
    // Hang guard: the deadline counted from the acquire, not restarted for the connect.
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('failed attempts do not hold a slot of the cap', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 1, reconnect: false })
    server.setRefuse(true)
    await rejectionOf(pool.acquire(`${server.url}/a`))
    server.setRefuse(false)
    const lease = await pool.acquire(`${server.url}/b`)
    expect(pool.stats().hosts[server.url]).toMatchObject({ connections: 1, active: 1 })
    lease.release()
  })
})
