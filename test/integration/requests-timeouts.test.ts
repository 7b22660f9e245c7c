/**
 * Requests that end without their reply, and replies without their request (issue 8; SPEC
 * "Requests": `timeout` runs from the call, queueing included -> ERR_REQUEST_TIMEOUT; an aborted
 * request rejects with `signal.reason`; either way its pending entry is removed at once and a late
 * reply is an unmatched message; replies matching no pending request are the pool `message` event
 * `{ origin, id, url, data }` with the connection's id; a matched reply goes to its request only).
 *
 * Written before the implementation: these fail until `pool.request` lands.
 */
import { describe, expect, it } from 'vitest'
import { PoolError } from '../../src/index.js'
import { delay, eventually, nextEvent, rejectionOf, startServer, stateOf } from '../helpers/harness.js'
import { messages, rpcPool, tokens } from '../helpers/requests.js'

describe('request timeout', () => {
  it('counts from the call, queueing included: ERR_REQUEST_TIMEOUT while still queued, and it is never sent', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 1, sharedLimit: 1, acquireTimeout: 60_000 })
    const url = `${server.url}/rpc`
    await pool.request(url, { token: 'warm' })
    const first = pool.request(url, { token: 'r0', delay: 600 })
    await eventually(() => expect(server.rpc().pending).toBe(1))
    const started = performance.now()
    const err = await rejectionOf(pool.request(url, { token: 'r1' }, { timeout: 100 }))
    expect(performance.now() - started).toBeLessThan(550) // hang guard: long before the slot frees
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_REQUEST_TIMEOUT')
    expect(err.origin).toBe(server.url)
    expect(await stateOf(first, 0)).toBe('pending')
    expect(pool.stats().hosts[server.url]).toMatchObject({ pending: 0, inFlight: 1 })
    await first
    expect(await pool.request(url, { token: 'r2' })).toEqual({ token: 'r2' })
    expect(tokens(server)).toEqual(['warm', 'r0', 'r2'])
  })

  it('bounds the connection attempt too (not acquireTimeout, not connectTimeout)', async () => {
    const server = await startServer()
    const pool = rpcPool({ acquireTimeout: 60_000, connectTimeout: 60_000 })
    const started = performance.now()
    const err = await rejectionOf(pool.request(`${server.url}/hang`, 'x', { timeout: 100 }))
    expect(err.code).toBe('ERR_REQUEST_TIMEOUT')
    expect(performance.now() - started).toBeLessThan(2000) // hang guard
  })

  it('defaults to the requestTimeout option; the late reply is then a pool message event, not a reply', async () => {
    const server = await startServer()
    const pool = rpcPool({ requestTimeout: 100 })
    const got = messages(pool)
    const url = `${server.url}/rpc`
    const opened = nextEvent(pool, 'open')
    const err = await rejectionOf(pool.request(url, { token: 'late', delay: 250 }))
    expect(err.code).toBe('ERR_REQUEST_TIMEOUT')
    const connectionId = (await opened).id
    expect(pool.stats().hosts[server.url]).toMatchObject({ inFlight: 0, pending: 0 })
    await eventually(() => expect(got).toHaveLength(1))
    const [event] = got
    expect(event).toEqual({ origin: server.url, id: connectionId, url, data: expect.any(String) })
    const request = server.rpc().received[0]
    expect(JSON.parse(event.data as string)).toEqual({ id: request.id, data: { token: 'late', delay: 250 } })
    // The connection carries on.
    expect(await pool.request(url, 'next', { timeout: 2000 })).toBe('next')
    expect(server.counts().accepted).toBe(1)
  })
})

describe('request abort', () => {
  it('in flight: rejects with signal.reason at once; the late reply is an unmatched message', async () => {
    const server = await startServer()
    const pool = rpcPool()
    const got = messages(pool)
    const url = `${server.url}/rpc`
    const controller = new AbortController()
    const call = pool.request(url, { token: 'x', delay: 150 }, { signal: controller.signal })
    await eventually(() => expect(server.rpc().pending).toBe(1))
    const reason = new Error('user left')
    controller.abort(reason)
    expect(await stateOf(call, 0)).toBe('rejected')
    expect(await rejectionOf(call)).toBe(reason)
    expect(pool.stats().hosts[server.url].inFlight).toBe(0)
    await eventually(() => expect(got).toHaveLength(1))
    expect(JSON.parse(got[0].data as string)).toMatchObject({ data: { token: 'x' } })
  })

  it('queued: rejects with signal.reason (the default AbortError too) and is never sent', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 1, sharedLimit: 1 })
    const url = `${server.url}/rpc`
    await pool.request(url, { token: 'warm' })
    const first = pool.request(url, { token: 'r0', delay: 150 })
    await eventually(() => expect(server.rpc().pending).toBe(1))
    const controller = new AbortController()
    const queued = pool.request(url, { token: 'aborted' }, { signal: controller.signal })
    const after = pool.request(url, { token: 'after' })
    expect(pool.stats().hosts[server.url].pending).toBe(2)
    controller.abort()
    const err = await rejectionOf(queued)
    expect(err).toBe(controller.signal.reason)
    expect(err.name).toBe('AbortError')
    expect(pool.stats().hosts[server.url].pending).toBe(1)
    await Promise.all([first, after])
    expect(tokens(server)).toEqual(['warm', 'r0', 'after'])
  })

  it('an already aborted signal rejects with its reason; nothing is opened or sent', async () => {
    const server = await startServer()
    const pool = rpcPool()
    const reason = { why: 'gone' }
    const err = await rejectionOf(pool.request(`${server.url}/rpc`, 'x', { signal: AbortSignal.abort(reason) }))
    expect(err).toBe(reason)
    await delay(30)
    expect(server.counts().accepted).toBe(0)
    expect(pool.stats().totals.created).toBe(0)
  })
})

describe('unmatched messages: the pool message event', () => {
  it('a duplicate reply, a push, a stray id and plain text are message events with the connection id and url; the matched reply is not', async () => {
    const server = await startServer()
    const pool = rpcPool()
    const got = messages(pool)
    const url = `${server.url}/rpc?k=secret`
    const opened = nextEvent(pool, 'open')
    const payload = { token: 'd', twice: true, push: { n: 1 }, before: ['{"id":-7,"data":"stray"}', 'plain text'] }
    expect(await pool.request(url, payload)).toEqual(payload)
    const { id } = await opened
    await eventually(() => expect(got).toHaveLength(4))
    const reply = JSON.stringify({ id: server.rpc().received[0].id, data: payload })
    expect(got.map((e) => e.data)).toEqual(['{"push":{"n":1}}', '{"id":-7,"data":"stray"}', 'plain text', reply])
    for (const e of got) expect(e).toMatchObject({ origin: server.url, id, url: `${server.url}/rpc?k=***` })
    await delay(30)
    expect(got).toHaveLength(4) // the first copy of the reply resolved the request and was not emitted
    expect(pool.stats().hosts[server.url].requests).toBe(1)
  })

  it('each request settles once, with its own reply, when replies come out of order', async () => {
    const server = await startServer()
    const pool = rpcPool()
    const got = messages(pool)
    const url = `${server.url}/rpc`
    const delays = [120, 10, 80, 0, 40, 60, 100, 20]
    const order: number[] = []
    const calls = delays.map((d, i) => pool.request(url, { token: i, delay: d }).then((r) => (order.push(i), r)))
    const replies = (await Promise.all(calls)) as { token: number }[]
    expect(replies.map((r) => r.token)).toEqual(delays.map((_, i) => i))
    expect(order).not.toEqual(delays.map((_, i) => i)) // they did come out of order
    await delay(30)
    expect(got).toEqual([])
  })
})
