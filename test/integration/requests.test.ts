/**
 * Requests (issue 8; SPEC "Requests", "Precise semantics / Requests", "Stats fields"): the default
 * JSON envelope, correlation ids, concurrency over few connections, which connection a request
 * rides (least loaded, `sharedLimit`), queueing like acquires, and the request stats.
 *
 * Written before the implementation: these fail until `pool.request` lands.
 */
import { describe, expect, it } from 'vitest'
import { PoolError } from '../../src/index.js'
import { eventually, rejectionOf, startServer, stateOf, trackSockets } from '../helpers/harness.js'
import { prng } from '../helpers/prng.js'
import { connOf, rpcPool, tokens } from '../helpers/requests.js'
import { watchGauges } from '../helpers/sockets.js'

describe('request(): the default codec', () => {
  it('sends {"id":n,"data":payload} and resolves with the reply data; ids are integers unique per pool', async () => {
    const server = await startServer()
    const pool = rpcPool()
    const payloads = [{ token: 'a', nested: { x: [1, 'two', null] } }, 'text', 42, null, true, [1, 2], '']
    expect(await Promise.all(payloads.map((p) => pool.request(`${server.url}/rpc`, p)))).toEqual(payloads)
    // Other URLs and origins: ids stay unique across the whole pool.
    expect(await pool.request(`${server.url}/rpc?v=2`, 'other url')).toBe('other url')
    expect(await pool.request(`ws://localhost:${server.port}/rpc`, 'other origin')).toBe('other origin')
    const received = server.rpc().received
    expect(received).toHaveLength(payloads.length + 2)
    for (const r of received) {
      expect(Number.isInteger(r.id), `id ${String(r.id)}`).toBe(true)
      expect(r.raw).toBe(JSON.stringify({ id: r.id, data: r.data }))
    }
    expect(new Set(received.map((r) => r.id)).size).toBe(received.length)
  })

  it('an echo of the envelope is its reply (/echo)', async () => {
    const server = await startServer()
    const pool = rpcPool()
    expect(await pool.request(`${server.url}/echo`, { hello: ['world'] })).toEqual({ hello: ['world'] })
  })

  it('only a text message parsing to an object with the integer id of a pending request is its reply', async () => {
    const server = await startServer()
    const pool = rpcPool()
    const url = `${server.url}/rpc`
    const waiting = pool.request(url, { token: 'A', noReply: true }, { timeout: 5000 })
    await eventually(() => expect(server.rpc().received).toHaveLength(1))
    const idA = server.rpc().received[0].id as number
    // These arrive before B's reply, on the connection both requests ride (the only one).
    const before = [
      JSON.stringify({ id: String(idA), data: 'string id' }),
      JSON.stringify({ id: idA + 0.5, data: 'fractional id' }),
      JSON.stringify([{ id: idA, data: 'in an array' }]),
      JSON.stringify({ data: 'no id' }),
      `{"id":${idA},"data":`, // not JSON
    ]
    expect(await pool.request(url, { token: 'B', before })).toEqual({ token: 'B', before })
    expect(await stateOf(waiting)).toBe('pending')
    expect(await pool.request(url, { token: 'C', before: [JSON.stringify({ id: idA, data: 'for A' })] })).toMatchObject({ token: 'C' })
    expect(await waiting).toBe('for A')
  })
})

describe('request(): many at once', () => {
  it('1,000 concurrent requests over maxPerHost 3: every reply reaches its own caller; never more than 3 connections', async () => {
    const server = await startServer()
    const sockets = trackSockets()
    const pool = rpcPool({ maxPerHost: 3, WebSocket: sockets.WebSocket })
    const violations = watchGauges(pool, 3)
    const random = prng(8)
    const url = `${server.url}/rpc`
    const sent = Array.from({ length: 1000 }, (_, i) => ({ token: `t${i}-${random().toString(36).slice(2, 8)}`, delay: Math.floor(random() * 6) }))
    const replies = (await Promise.all(sent.map((p) => pool.request(url, p)))) as { token: string }[]
    expect(replies.map((r) => r.token)).toEqual(sent.map((p) => p.token))
    expect(server.rpc().received).toHaveLength(1000) // each sent once
    expect(server.counts().peak).toBeLessThanOrEqual(3)
    expect(server.counts().peakByPath['/rpc']).toBeLessThanOrEqual(3)
    expect(sockets.peak()).toBeLessThanOrEqual(3)
    expect(pool.stats().hosts[server.url]).toMatchObject({ requests: 1000, inFlight: 0, pending: 0 })
    expect(pool.stats().totals).toMatchObject({ requests: 1000, inFlight: 0, pending: 0 })
    expect(pool.stats().totals.requestTime.count).toBe(1000)
    expect(violations.slice(0, 5)).toEqual([])
  })

  it('1,000 requests with sharedLimit 10 over maxPerHost 3: at most 10 in flight per connection, the rest queue', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 3, sharedLimit: 10 })
    const random = prng(9)
    const url = `${server.url}/rpc`
    const sent = Array.from({ length: 1000 }, (_, i) => ({ token: i, delay: Math.floor(random() * 4) }))
    const calls = sent.map((p) => pool.request(url, p))
    await eventually(() => expect(pool.stats().hosts[server.url]?.pending).toBeGreaterThan(0))
    expect(pool.stats().hosts[server.url].inFlight).toBeLessThanOrEqual(30)
    const replies = (await Promise.all(calls)) as { token: number }[]
    expect(replies.map((r) => r.token)).toEqual(sent.map((p) => p.token))
    expect(server.rpc().peakPerConnection).toBeLessThanOrEqual(10)
    expect(server.counts().accepted).toBe(3)
    expect(server.counts().peak).toBe(3)
  })
})

describe('request(): which connection it rides', () => {
  it('sharedLimit 2: six delayed requests in flight, at most two per connection', async () => {
    const server = await startServer()
    const pool = rpcPool({ sharedLimit: 2 })
    const url = `${server.url}/rpc`
    await pool.request(url, { token: 'warm' })
    const calls = Array.from({ length: 6 }, (_, i) => pool.request(url, { token: i, delay: 400 }))
    await eventually(() => expect(server.rpc().pending).toBe(6))
    expect(server.rpc().peakPerConnection).toBe(2)
    const perConn = new Map<number, number>()
    for (const r of server.rpc().received.slice(1)) perConn.set(r.conn, (perConn.get(r.conn) ?? 0) + 1)
    expect(Math.max(...perConn.values()), `requests per connection: ${JSON.stringify([...perConn])}`).toBeLessThanOrEqual(2)
    expect(server.counts().open).toBeGreaterThanOrEqual(3)
    const host = pool.stats().hosts[server.url]
    expect(host).toMatchObject({ inFlight: 6, pending: 0, shared: perConn.size }) // connections carrying requests
    expect(((await Promise.all(calls)) as { token: number }[]).map((r) => r.token)).toEqual([0, 1, 2, 3, 4, 5])
    expect(pool.stats().hosts[server.url]).toMatchObject({ inFlight: 0, shared: 0 })
  })

  it('least loaded first; a new connection only when every open one carries sharedLimit', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 2, sharedLimit: 3 })
    const url = `${server.url}/rpc`
    await pool.request(url, { token: 'warm' }) // connection 1 is open and idle
    const slow = [1, 2, 3].map((i) => pool.request(url, { token: `a${i}`, delay: 500 }))
    await eventually(() => expect(server.rpc().pending).toBe(3))
    expect(server.counts().accepted).toBe(1) // room left on connection 1: no new one
    expect(new Set(['a1', 'a2', 'a3'].map((t) => connOf(server, t)))).toEqual(new Set([1]))
    const fourth = pool.request(url, { token: 'b1', delay: 500 }) // connection 1 is full: a second one
    await eventually(() => expect(server.rpc().pending).toBe(4))
    expect(connOf(server, 'b1')).toBe(2)
    // Loads now 3 and 1: the next requests go to connection 2.
    expect(await pool.request(url, { token: 'c1' })).toEqual({ token: 'c1' })
    expect(await pool.request(url, { token: 'c2' })).toEqual({ token: 'c2' })
    expect([connOf(server, 'c1'), connOf(server, 'c2')]).toEqual([2, 2])
    await Promise.all([...slow, fourth])
    expect(server.counts().accepted).toBe(2)
  })

  it('requests ride connections to their own URL only', async () => {
    const server = await startServer()
    const pool = rpcPool()
    await pool.request(`${server.url}/rpc?v=1`, 'one')
    await pool.request(`${server.url}/rpc?v=2`, 'two')
    await pool.request(`${server.url}/rpc?v=1`, 'three')
    expect(server.rpc().received.map((r) => r.conn)).toEqual([1, 2, 1])
  })
})

describe('request(): queueing like acquires', () => {
  it('served by priority, FIFO within a priority; beyond maxQueue ERR_QUEUE_FULL at once', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 1, sharedLimit: 1, maxQueue: 3 })
    const url = `${server.url}/rpc`
    await pool.request(url, { token: 'warm' })
    const first = pool.request(url, { token: 'r0', delay: 200 })
    await eventually(() => expect(server.rpc().pending).toBe(1))
    const queued = [
      pool.request(url, { token: 'q1' }),
      pool.request(url, { token: 'q2' }, { priority: 5 }),
      pool.request(url, { token: 'q3' }),
    ]
    expect(pool.stats().hosts[server.url]).toMatchObject({ pending: 3, inFlight: 1 })
    const full = await rejectionOf(pool.request(url, { token: 'q4' }))
    expect(full).toBeInstanceOf(PoolError)
    expect(full.code).toBe('ERR_QUEUE_FULL')
    expect(full.origin).toBe(server.url)
    expect(await stateOf(first)).toBe('pending') // at once: before the slot freed
    expect(pool.stats().hosts[server.url].rejected).toBe(1)
    await Promise.all([first, ...queued])
    expect(tokens(server)).toEqual(['warm', 'r0', 'q2', 'q1', 'q3'])
    expect(server.counts().accepted).toBe(1)
    expect(pool.stats().hosts[server.url]).toMatchObject({ pending: 0, inFlight: 0 })
  })

  it('an open circuit: ERR_CIRCUIT_OPEN at once, counted as rejected', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = rpcPool({ reconnect: false, breaker: { failures: 1, cooldown: 60_000 } })
    expect((await rejectionOf(pool.acquire(`${server.url}/rpc`))).code).toBe('ERR_CONNECT_FAILED')
    server.setRefuse(false)
    const err = await rejectionOf(pool.request(`${server.url}/rpc`, 'x'))
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_CIRCUIT_OPEN')
    expect(err.origin).toBe(server.url)
    expect(server.counts().accepted).toBe(0)
    expect(pool.stats().hosts[server.url]).toMatchObject({ rejected: 1, circuit: 'open' })
  })

  it('a request waiting for its connection rejects ERR_CIRCUIT_OPEN when the circuit opens', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = rpcPool({ reconnect: { initialDelay: 20, maxDelay: 20, jitter: 0 }, breaker: { failures: 2, cooldown: 60_000 } })
    const err = await rejectionOf(pool.request(`${server.url}/rpc`, 'x', { timeout: 5000 }))
    expect(err.code).toBe('ERR_CIRCUIT_OPEN')
    expect(err.cause).toBeDefined()
    expect(pool.stats().hosts[server.url].circuit).toBe('open')
  })
})

describe('request(): stats', () => {
  it('requests, inFlight, requestTime and shared, per origin and in totals; queued requests count in pending', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 1, sharedLimit: 2 })
    const url = `${server.url}/rpc`
    expect(pool.stats().totals).toMatchObject({ requests: 0, inFlight: 0, shared: 0, requestTime: { count: 0, p50: null, p95: null, p99: null, max: null } })
    await pool.request(url, { token: 'warm' })
    const calls = [1, 2, 3].map((i) => pool.request(url, { token: i, delay: 100 }))
    await eventually(() => expect(server.rpc().pending).toBe(2))
    for (const s of [pool.stats().hosts[server.url], pool.stats().totals]) {
      expect(s).toMatchObject({ requests: 1, inFlight: 2, pending: 1, shared: 1, connections: 1 })
    }
    await Promise.all(calls)
    const stats = pool.stats()
    for (const s of [stats.hosts[server.url], stats.totals]) {
      expect(s).toMatchObject({ requests: 4, inFlight: 0, pending: 0, shared: 0, idle: 1 })
      const t = s.requestTime
      expect(t.count).toBe(4)
      expect(t.max).toBeGreaterThanOrEqual(180) // the third waited ~100 ms for a slot: call to reply
      expect(t.p50!).toBeLessThanOrEqual(t.p95!)
      expect(t.p95!).toBeLessThanOrEqual(t.p99!)
      expect(t.p99!).toBeLessThanOrEqual(t.max!)
    }
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats)
  })
})
