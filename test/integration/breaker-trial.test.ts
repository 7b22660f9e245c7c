/**
 * The breaker as revised for issue 10 (SPEC "Circuit breaker"): a failed half-open trial rejects
 * the acquire that made it with ERR_CIRCUIT_OPEN (the failure as `cause`) instead of retrying,
 * so acquires made right after the cooldown against a server still refusing cost exactly one
 * attempt; every change of state is a `circuit` event `{ origin, state, failures }`; and
 * ERR_CIRCUIT_OPEN carries `retryAfter` (ms until the trial, 0 while one is under way).
 */
import { describe, expect, it } from 'vitest'
import { PoolError } from '../../src/index.js'
import { delay, eventually, newPool, ofType, recordEvents, rejectionOf, startServer } from '../helpers/harness.js'

describe('breaker: trial, circuit event, retryAfter', () => {
  it('three acquires right after the cooldown against a server still refusing: exactly one attempt; the trial rejects ERR_CIRCUIT_OPEN with the failure as cause', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ breaker: { failures: 2, cooldown: 200 }, reconnect: { initialDelay: 10, maxDelay: 20, jitter: 0 }, acquireTimeout: 5000 })
    const events = recordEvents(pool)
    const states: string[] = []
    pool.on('circuit', (e) => states.push(e.state))
    // Two failed attempts (one acquire, retried) open the circuit; the acquire then rejects with it.
    const first = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(first.code).toBe('ERR_CIRCUIT_OPEN')
    await eventually(() => expect(pool.stats().hosts[server.url].circuit).toBe('half-open'), 3000)
    const before = ofType(events, 'connect').length
    const errors = await Promise.all([1, 2, 3].map(() => rejectionOf(pool.acquire(`${server.url}/echo`))))
    await delay(1000)
    expect(ofType(events, 'connect').length - before).toBe(1) // the one trial, and no retry of it
    expect(errors.map((e) => e.code)).toEqual(['ERR_CIRCUIT_OPEN', 'ERR_CIRCUIT_OPEN', 'ERR_CIRCUIT_OPEN'])
    const trial = errors.find((e) => e.cause !== undefined)
    expect(trial).toBeInstanceOf(PoolError)
    expect(String((trial!.cause as Error).message)).toMatch(/503|refus|Unexpected server response/i)
    // The trial's failure reopened the circuit (and its cooldown may be over again by now).
    expect(states.slice(0, 3)).toEqual(['open', 'half-open', 'open'])
  })

  it('each change of state is a circuit event { origin, state, failures }; failures is 0 when it closes', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ reconnect: false, breaker: { failures: 2, cooldown: 150 } })
    const circuit: unknown[] = []
    pool.on('circuit', (e) => circuit.push(e))
    for (let i = 0; i < 2; i++) await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(circuit).toEqual([{ origin: server.url, state: 'open', failures: 2 }])
    await eventually(() => expect(circuit).toHaveLength(2), 3000)
    expect(circuit[1]).toEqual({ origin: server.url, state: 'half-open', failures: 2 })
    server.setRefuse(false)
    const lease = await pool.acquire(`${server.url}/echo`)
    expect(circuit).toEqual([
      { origin: server.url, state: 'open', failures: 2 },
      { origin: server.url, state: 'half-open', failures: 2 },
      { origin: server.url, state: 'closed', failures: 0 },
    ])
    lease.release()
  })

  it('a failed trial reopens: a circuit event with the failures counted, the trial rejects ERR_CIRCUIT_OPEN', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ reconnect: false, breaker: { failures: 2, cooldown: 150 } })
    const circuit: { state: string; failures: number }[] = []
    pool.on('circuit', (e) => circuit.push(e))
    for (let i = 0; i < 2; i++) await rejectionOf(pool.acquire(`${server.url}/echo`))
    await eventually(() => expect(pool.stats().hosts[server.url].circuit).toBe('half-open'), 3000)
    const trial = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(trial.code).toBe('ERR_CIRCUIT_OPEN')
    expect(trial.cause).toBeDefined()
    expect(circuit.map((c) => `${c.state} ${c.failures}`)).toEqual(['open 2', 'half-open 2', 'open 3'])
  })

  it('ERR_CIRCUIT_OPEN carries retryAfter: ms until the trial while open, 0 while a trial is under way', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ reconnect: false, breaker: { failures: 1, cooldown: 5000 } })
    await rejectionOf(pool.acquire(`${server.url}/echo`))
    const open = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(open.code).toBe('ERR_CIRCUIT_OPEN')
    expect(open.retryAfter).toBeGreaterThan(3000)
    expect(open.retryAfter).toBeLessThanOrEqual(5000)
    expect(open.message).toContain(`next trial in ${open.retryAfter} ms`)

    const hang = await startServer() // a second origin
    const p2 = newPool({ reconnect: false, breaker: { failures: 1, cooldown: 100 } })
    hang.setRefuse(true)
    await rejectionOf(p2.acquire(`${hang.url}/echo`))
    await eventually(() => expect(p2.stats().hosts[hang.url].circuit).toBe('half-open'), 3000)
    hang.setRefuse(false)
    const trial = p2.acquire(`${hang.url}/echo`) // the trial: its attempt is under way
    const during = await rejectionOf(p2.acquire(`${hang.url}/echo`))
    expect(during.code).toBe('ERR_CIRCUIT_OPEN')
    expect(during.retryAfter).toBe(0)
    ;(await trial).release()
  })
})
