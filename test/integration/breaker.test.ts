/**
 * Circuit breaker (SPEC "Circuit breaker", "Precise semantics / Breaker", stats `circuit` and
 * `rejected`): after `failures` consecutive failed attempts acquires fail at once with
 * ERR_CIRCUIT_OPEN for `cooldown` ms; then one trial; success closes the circuit. Every failed
 * attempt counts (acquires, reconnects, top-ups); while open, reconnects and top-ups wait for
 * the trial. (A later issue than the core; tested because the library already has it.)
 */
import { describe, expect, it } from 'vitest'
import { PoolError } from '../../src/index.js'
import { delay, eventually, newPool, ofType, recordEvents, rejectionOf, startServer } from '../helpers/harness.js'

describe('circuit breaker', () => {
  it('opens after N consecutive failures: acquires fail at once with ERR_CIRCUIT_OPEN, counted as rejected', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ reconnect: false, breaker: { failures: 3, cooldown: 60_000 } })
    const events = recordEvents(pool)
    for (let i = 0; i < 3; i++) expect((await rejectionOf(pool.acquire(`${server.url}/echo`))).code).toBe('ERR_CONNECT_FAILED')
    expect(pool.stats().hosts[server.url].circuit).toBe('open')
    const started = performance.now()
    const err = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_CIRCUIT_OPEN')
    expect(err.origin).toBe(server.url)
    expect(performance.now() - started).toBeLessThan(1000) // at once (hang guard)
    expect(ofType(events, 'error')).toHaveLength(3) // no attempt was made for it
    expect(pool.stats().hosts[server.url]).toMatchObject({ rejected: 1, circuit: 'open' })
    // Other origins are not affected.
    server.setRefuse(false)
    const other = await pool.acquire(`ws://localhost:${server.port}/echo`)
    expect(pool.stats().hosts[`ws://localhost:${server.port}`].circuit).toBe('closed')
    other.release()
  })

  it('after the cooldown one trial is allowed; success closes the circuit', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ reconnect: false, breaker: { failures: 2, cooldown: 150 } })
    for (let i = 0; i < 2; i++) await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect((await rejectionOf(pool.acquire(`${server.url}/echo`))).code).toBe('ERR_CIRCUIT_OPEN')
    server.setRefuse(false)
    await eventually(() => expect(pool.stats().hosts[server.url].circuit).toBe('half-open'), 3000)
    const lease = await pool.acquire(`${server.url}/echo`)
    expect(lease.state).toBe('open')
    expect(pool.stats().hosts[server.url].circuit).toBe('closed')
    lease.release()
    const again = await pool.acquire(`${server.url}/other`)
    again.release()
  })

  it('a failed trial opens the circuit for another cooldown', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ reconnect: false, breaker: { failures: 2, cooldown: 150 } })
    const events = recordEvents(pool)
    for (let i = 0; i < 2; i++) await rejectionOf(pool.acquire(`${server.url}/echo`))
    await eventually(() => expect(pool.stats().hosts[server.url].circuit).toBe('half-open'), 3000)
    expect((await rejectionOf(pool.acquire(`${server.url}/echo`))).code).toBe('ERR_CONNECT_FAILED') // the trial
    expect(pool.stats().hosts[server.url].circuit).toBe('open')
    expect((await rejectionOf(pool.acquire(`${server.url}/echo`))).code).toBe('ERR_CIRCUIT_OPEN')
    expect(ofType(events, 'error')).toHaveLength(3)
  })

  it('consecutive means consecutive: a success resets the count', async () => {
    const server = await startServer()
    const pool = newPool({ reconnect: false, breaker: { failures: 3, cooldown: 60_000 } })
    for (let round = 0; round < 3; round++) {
      server.setRefuse(true)
      for (let i = 0; i < 2; i++) expect((await rejectionOf(pool.acquire(`${server.url}/echo`))).code).toBe('ERR_CONNECT_FAILED')
      server.setRefuse(false)
      const lease = await pool.acquire(`${server.url}/p${round}`)
      lease.destroy()
    }
    expect(pool.stats().hosts[server.url].circuit).toBe('closed')
  })

  it('reconnect failures count, and while open the reconnect waits for the trial', async () => {
    const server = await startServer()
    const pool = newPool({ reconnect: { initialDelay: 5, maxDelay: 10, jitter: 0 }, breaker: { failures: 3, cooldown: 300 } })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/log?tag=brk`)
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(pool.stats().hosts[server.url].circuit).toBe('open'))
    const failures = ofType(events, 'error').length
    expect(failures).toBe(3)
    await delay(150) // within the cooldown: no attempt at all
    expect(ofType(events, 'error')).toHaveLength(failures)
    expect(lease.state).toBe('reconnecting')
    lease.send('queued during the open circuit')
    server.setRefuse(false)
    await eventually(() => expect(lease.state).toBe('open'), 3000) // the trial succeeds
    expect(pool.stats().hosts[server.url].circuit).toBe('closed')
    await eventually(() => expect(server.log('brk')).toEqual(['queued during the open circuit']))
    lease.release()
  })

  it('top-up failures count, and while open the top-up waits for the trial', async () => {
    const server = await startServer()
    const pool = newPool({ minIdlePerHost: 1, reconnect: { initialDelay: 5, maxDelay: 10, jitter: 0 }, breaker: { failures: 2, cooldown: 300 } })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo`)
    lease.release()
    await eventually(() => expect(pool.stats().hosts[server.url].idle).toBeGreaterThanOrEqual(1))
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(pool.stats().hosts[server.url].circuit).toBe('open'))
    const failures = ofType(events, 'error').length
    await delay(150)
    expect(ofType(events, 'error')).toHaveLength(failures)
    server.setRefuse(false)
    await eventually(() => expect(pool.stats().hosts[server.url]).toMatchObject({ idle: 1, circuit: 'closed' }), 3000)
    expect(server.counts().open).toBe(1)
  })

  it('breaker: false never opens', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ reconnect: false, breaker: false })
    for (let i = 0; i < 8; i++) expect((await rejectionOf(pool.acquire(`${server.url}/echo`))).code).toBe('ERR_CONNECT_FAILED')
    expect(pool.stats().hosts[server.url].rejected).toBe(0)
  })
})
