/**
 * Defaults from the SPEC options table that can be observed quickly: maxPerHost 6, maxTotal
 * Infinity, buffer { maxMessages: 1000, maxBytes: 1 MiB }, reconnect { initialDelay: 1500,
 * jitter: 0.6 } (the first delay is in [600, 1500]), binaryType 'arraybuffer'.
 */
import { describe, expect, it } from 'vitest'
import { eventually, newPool, nextEvent, ofType, recordEvents, startServer, stateOf, thrownBy } from '../helpers/harness.js'

describe('defaults', () => {
  it('maxPerHost 6 and maxTotal Infinity', async () => {
    const server = await startServer()
    const pool = newPool()
    const url = `${server.url}/echo`
    const leases = await Promise.all(Array.from({ length: 6 }, () => pool.acquire(url)))
    const seventh = pool.acquire(url)
    expect(await stateOf(seventh, 50)).toBe('pending')
    expect(server.counts().open).toBe(6)
    expect(pool.stats().hosts[server.url].max).toBe(6)
    expect(pool.stats().totals.max).toBeNull()
    leases[0].release()
    ;(await seventh).release()
    for (const l of leases.slice(1)) l.release()
  })

  it('buffer: 1000 messages and 1 MiB while reconnecting', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false })
    const lease = await pool.acquire(`${server.url}/echo`)
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(lease.state).toBe('reconnecting'))
    for (let i = 0; i < 1000; i++) lease.send('x')
    expect(thrownBy(() => lease.send('x')).code).toBe('ERR_BUFFER_FULL')
    lease.destroy()

    server.setRefuse(false)
    const other = await newPool({ breaker: false }).acquire(`ws://localhost:${server.port}/echo`)
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(other.state).toBe('reconnecting'))
    other.send(new Uint8Array(1024 * 1024 - 1))
    other.send('x') // exactly 1 MiB
    expect(thrownBy(() => other.send('y')).code).toBe('ERR_BUFFER_FULL')
    other.destroy()
  })

  it('reconnect: the first retry waits initialDelay 1500 with jitter 0.6, within [600, 1500] ms', async () => {
    const server = await startServer()
    const pool = newPool()
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo`)
    server.dropAll()
    await eventually(() => expect(ofType(events, 'reconnecting')).toHaveLength(1))
    const { delay, attempt } = ofType(events, 'reconnecting')[0]
    expect(attempt).toBe(1)
    expect(delay).toBeGreaterThanOrEqual(600)
    expect(delay).toBeLessThanOrEqual(1500)
    await eventually(() => expect(lease.state).toBe('open'))
    lease.release()
  })

  it("binaryType 'arraybuffer' and no subprotocol", async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    expect(server.lastUpgrade()?.protocols).toEqual([])
    expect(lease.protocol).toBe('')
    const got = nextEvent(lease, 'message')
    lease.send(new Uint8Array([1]))
    expect(await got).toBeInstanceOf(ArrayBuffer)
    lease.release()
  })
})
