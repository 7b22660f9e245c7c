/**
 * Circuit breaker (SPEC "Circuit breaker", "Precise semantics / Breaker", stats `circuit` and
 * `rejected`): after `failures` consecutive failed attempts acquires fail at once with
 * ERR_CIRCUIT_OPEN for `cooldown` ms; then one trial; success closes the circuit. Every failed
 * attempt counts (acquires, reconnects, top-ups). While open, reconnect attempts are single-flight
 * at their own backoff pace and the first success closes the circuit (a deliberate deviation from
 * "reconnects wait for the trial", see src/pool/breaker.ts). (A later issue than the core; tested because the
 * library already has it.)
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
    expect((await rejectionOf(pool.acquire(`${server.url}/echo`))).code).toBe('ERR_CIRCUIT_OPEN') // the trial (SPEC as revised for issue 10)
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

  it('reconnect failures count; while open, attempts are single-flight and recovery does not wait for the cooldown', async () => {
    // Deviation from a literal SPEC reading, on purpose (see src/pool/breaker.ts): reconnecting
    // connections keep their own backoff schedules, never two attempts at once, so a short outage
    // does not last a whole cooldown.
    const server = await startServer()
    const pool = newPool({ reconnect: { initialDelay: 20, maxDelay: 40, jitter: 0.5 }, breaker: { failures: 3, cooldown: 60_000 } })
    const events = recordEvents(pool)
    const url = `${server.url}/log?tag=brk`
    const leases = await Promise.all([pool.acquire(url), pool.acquire(url), pool.acquire(url)])
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(pool.stats().hosts[server.url].circuit).toBe('open'))
    const openedAt = events.length
    await delay(400)
    const attempts = events.slice(openedAt).filter((e) => e.type === 'connect' || e.type === 'error')
    expect(attempts.filter((e) => e.type === 'connect').length).toBeGreaterThanOrEqual(3)
    // Single-flight: every attempt ends (error) before the next one starts (connect).
    attempts.forEach((e, i) => {
      if (i > 0) expect(e.type, `event ${i}`).not.toBe(attempts[i - 1].type)
    })
    expect((await rejectionOf(pool.acquire(`${server.url}/other`))).code).toBe('ERR_CIRCUIT_OPEN')
    for (const lease of leases) expect(lease.state).toBe('reconnecting')
    leases[1].send('queued during the open circuit')
    server.setRefuse(false)
    // The first success closes the circuit and the others retry at once: long before the cooldown.
    await eventually(() => expect(leases.map((l) => l.state)).toEqual(['open', 'open', 'open']), 3000)
    expect(pool.stats().hosts[server.url].circuit).toBe('closed')
    await eventually(() => expect(server.log('brk')).toEqual(['queued during the open circuit']))
    for (const lease of leases) lease.release()
  })

  it('top-up failures count; while the circuit is not closed top-ups stop; the trial that closes it lets them resume', async () => {
    const server = await startServer()
    const pool = newPool({ minIdlePerHost: 1, reconnect: { initialDelay: 5, maxDelay: 10, jitter: 0 }, breaker: { failures: 2, cooldown: 300 } })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo`)
    lease.release()
    await eventually(() => expect(pool.stats().hosts[server.url].idle).toBeGreaterThanOrEqual(1))
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(pool.stats().hosts[server.url].circuit).toBe('open'))
    const opened = events.length
    expect((await rejectionOf(pool.acquire(`${server.url}/other`))).code).toBe('ERR_CIRCUIT_OPEN')
    server.setRefuse(false)
    // Open, then half-open after the cooldown: no top-up attempt meanwhile (SPEC: "warm top-ups stop").
    await eventually(() => expect(pool.stats().hosts[server.url].circuit).toBe('half-open'), 3000)
    await delay(50)
    expect(ofType(events.slice(opened), 'connect')).toEqual([])
    expect(pool.stats().hosts[server.url]).toMatchObject({ idle: 0, connections: 0 })
    // An acquire makes the trial; its success closes the circuit and top-ups resume.
    const trial = await pool.acquire(`${server.url}/echo`)
    expect(pool.stats().hosts[server.url].circuit).toBe('closed')
    trial.release()
    await eventually(() => expect(pool.stats().hosts[server.url]).toMatchObject({ idle: 2, circuit: 'closed' }), 3000)
  })

  it('an open circuit with nothing to probe waits for the cooldown, then lets one acquire be the trial', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ reconnect: false, breaker: { failures: 2, cooldown: 300 } })
    for (let i = 0; i < 2; i++) expect((await rejectionOf(pool.acquire(`${server.url}/echo`))).code).toBe('ERR_CONNECT_FAILED')
    expect((await rejectionOf(pool.acquire(`${server.url}/echo`))).code).toBe('ERR_CIRCUIT_OPEN')
    server.setRefuse(false)
    await eventually(() => expect(pool.stats().hosts[server.url].circuit).toBe('half-open'), 3000)
    const lease = await pool.acquire(`${server.url}/echo`)
    expect(pool.stats().hosts[server.url].circuit).toBe('closed')
    lease.release()
  })

  it('when one connection reopens after failures, the others stop waiting out their backoff', async () => {
    const server = await startServer()
    // Long delays: without the shortcut the second connection would wait up to 20 s.
    const pool = newPool({ reconnect: { initialDelay: 20_000, maxDelay: 20_000, jitter: 1 }, breaker: false })
    const url = `${server.url}/echo`
    const leases = await Promise.all([pool.acquire(url), pool.acquire(url)])
    leases[0].destroy()
    const [survivor] = leases.slice(1)
    server.dropAll()
    await eventually(() => expect(survivor.state).toBe('reconnecting'))
    const fresh = await pool.acquire(url) // a new connection opens: the origin is back
    await eventually(() => expect(survivor.state).toBe('open'), 3000)
    fresh.release()
    survivor.release()
  })

  it('breaker: false never opens', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ reconnect: false, breaker: false })
    for (let i = 0; i < 8; i++) expect((await rejectionOf(pool.acquire(`${server.url}/echo`))).code).toBe('ERR_CONNECT_FAILED')
    expect(pool.stats().hosts[server.url].rejected).toBe(0)
  })
})
