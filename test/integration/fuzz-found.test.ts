/**
 * Bugs the property-based tests (fuzz-*.test.ts) found, each pinned by a plain example.
 */
import { describe, expect, it } from 'vitest'
import { PoolError } from '../../src/index.js'
import { closedPort, delay, newPool, rejectionOf, startServer, thrownBy } from '../helpers/harness.js'

describe('found by fuzzing', () => {
  // Found by fuzz-options: { reconnect: false, WebSocket: () => ({}) } made pool.request fail
  // with RangeError (maximum call stack size exceeded) and leave a pending request in the stats.
  // A request never sent whose connection gave up was placed again at once on a new connection:
  // no backoff, no breaker, no end until its timeout.
  it('a request whose connection gives up before sending it rejects ERR_CONNECT_FAILED after one connection, as an acquire does', async () => {
    const port = await closedPort()
    for (const options of [{ reconnect: false as const }, { reconnect: { maxAttempts: 1, initialDelay: 1 }, breaker: false as const }]) {
      const pool = newPool({ ...options, requestTimeout: 2000 })
      const error = await rejectionOf(pool.request(`ws://127.0.0.1:${port}/rpc`, 1))
      expect(error).toBeInstanceOf(PoolError)
      expect(error.code).toBe('ERR_CONNECT_FAILED')
      expect(pool.stats().totals.created).toBe(1)
      await pool.close()
      expect(pool.stats().totals).toMatchObject({ pending: 0, active: 0, shared: 0, connections: 0 })
    }
  })

  it('a WebSocket constructor that throws fails the request with ERR_CONNECT_FAILED (the thrown error as cause), not a RangeError', async () => {
    const pool = newPool({
      reconnect: false,
      WebSocket: (() => ({})) as never, // an arrow function: `new` throws a TypeError
    })
    const error = await rejectionOf(pool.request('ws://127.0.0.1:1/rpc', 1))
    expect(error).toBeInstanceOf(PoolError)
    expect(error.code).toBe('ERR_CONNECT_FAILED')
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(pool.stats().totals.created).toBe(1)
    await pool.close()
    expect(pool.stats().totals).toMatchObject({ pending: 0, active: 0, shared: 0, connections: 0 })
  })

  // Found by fuzz-options: { buffer: { maxMessages: 0 } }. The request threw ERR_BUFFER_FULL out of
  // the connection it had just created: that connection stayed 'connecting' for ever, the request
  // stayed pending, and its deadline later rejected a promise nobody held (an unhandled rejection,
  // which ends a Node process by default).
  it('a request larger than an empty buffer allows rejects ERR_BUFFER_FULL and leaves nothing behind', async () => {
    const server = await startServer()
    for (const buffer of [{ maxMessages: 0 }, { maxBytes: 4 }]) {
      const pool = newPool({ buffer, requestTimeout: 50 })
      const error = await rejectionOf(pool.request(`${server.url}/rpc`, 'more than four bytes'))
      expect(error).toBeInstanceOf(PoolError)
      expect(error.code).toBe('ERR_BUFFER_FULL')
      expect(pool.stats().totals).toMatchObject({ connections: 0, connecting: 0, pending: 0, active: 0, shared: 0 })
      await delay(100) // past the request's timeout: no late rejection (Vitest fails on unhandled ones)
      await pool.close()
      expect(pool.stats().totals).toMatchObject({ connections: 0, pending: 0, active: 0 })
    }
  })

  // Found by fuzz-calls: one request to /close?code=4000&after=0 (the server closes at open),
  // then close(). Losing the request (ERR_CONNECTION_LOST) left the connection wanted by nobody,
  // so its owner closed it in the middle of the drop; the drop then carried on, set it
  // 'reconnecting' and closed it a second time: two final close events, connections -1 in the
  // stats, and close() never resolved.
  it('a connection whose only request is lost in a drop closes once, and close() resolves', async () => {
    const server = await startServer()
    const pool = newPool({ reconnect: { initialDelay: 10, maxDelay: 50 } })
    const closes: boolean[] = []
    pool.on('close', (e) => closes.push(e.willReconnect))
    const error = await rejectionOf(pool.request(`${server.url}/close?code=4000&after=0`, 1))
    expect(error.code).toBe('ERR_CONNECTION_LOST')
    expect(pool.stats().totals).toMatchObject({ connections: 0, created: 1, closed: 1, pending: 0, inFlight: 0, shared: 0 })
    expect(closes).toEqual([false])
    const closed = await Promise.race([pool.close().then(() => 'closed'), delay(2000).then(() => 'still closing after 2 s')])
    expect(closed).toBe('closed')
  })

  // Found by fuzzing lease.on's event name: a BigInt reached JSON.stringify in the error message.
  it('an event name of any type (a BigInt, a symbol) is ERR_INVALID_ARGUMENT from pool.on and lease.on, not a TypeError', async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    for (const type of [5n, Symbol('e'), Object.create(null)]) {
      for (const on of [() => pool.on(type as never, () => {}), () => lease.on(type as never, () => {})]) {
        const error = thrownBy(on)
        expect(error).toBeInstanceOf(PoolError)
        expect(error.code).toBe('ERR_INVALID_ARGUMENT')
      }
    }
    lease.release()
  })
})
