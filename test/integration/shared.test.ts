/**
 * Shared leases (issue 8; SPEC "Shared leases and endpoints", "Precise semantics / Shared leases
 * and endpoints"): `acquire(url, { shared: true })` joins the least-loaded open connection to the
 * URL (holders plus requests in flight), a new one only when every one holds `sharedLimit`; every
 * holder hears every inbound message that is not a matched reply; the connection is idle again
 * only when its last holder released and no request is in flight; shared and exclusive never mix;
 * `destroy()` closes it for every holder. Stats `shared`.
 *
 * Written before the implementation: these fail until `shared` is accepted by `acquire`.
 */
import { describe, expect, it } from 'vitest'
import { PoolError, type Lease } from '../../src/index.js'
import { delay, eventually, nextEvent, ofType, recordEvents, rejectionOf, startServer, stateOf, thrownBy } from '../helpers/harness.js'
import { connOf, guardedRpcPool, inbox, messages, rpcPool } from '../helpers/requests.js'
import { rawSockets, watchGauges } from '../helpers/sockets.js'

describe('shared leases', () => {
  it('ride one connection; every holder hears every inbound message; send works as usual', async () => {
    const server = await startServer()
    const pool = rpcPool()
    const url = `${server.url}/rpc`
    const a = await pool.acquire(url, { shared: true })
    const b = await pool.acquire(url, { shared: true })
    expect(b.id).toBe(a.id)
    expect(server.counts().accepted).toBe(1)
    expect(pool.stats().hosts[server.url]).toMatchObject({ connections: 1, shared: 1, idle: 0 })
    const gotA = inbox(a)
    const gotB = inbox(b)
    a.send('one')
    b.send('two')
    await eventually(() => expect([gotA, gotB]).toEqual([['one', 'two'], ['one', 'two']]))
    a.release()
    b.send('three')
    await eventually(() => expect(gotB).toEqual(['one', 'two', 'three']))
    expect(gotA).toEqual(['one', 'two'])
    expect(b.state).toBe('open')
    b.release()
  })

  it('a matched reply goes to its request only; pushes reach every holder and the pool message event; binary is never a reply', async () => {
    const server = await startServer()
    const pool = rpcPool()
    const got = messages(pool)
    const url = `${server.url}/rpc`
    const a = await pool.acquire(url, { shared: true })
    const b = await pool.acquire(url, { shared: true })
    const gotA = inbox(a)
    const gotB = inbox(b)
    expect(await pool.request(url, { token: 'r', push: 'p' })).toEqual({ token: 'r', push: 'p' })
    expect(server.counts().accepted).toBe(1) // the request rode the shared connection
    await eventually(() => expect([gotA, gotB]).toEqual([['{"push":"p"}'], ['{"push":"p"}']]))
    expect(got.map((e) => [e.id, e.data])).toEqual([[a.id, '{"push":"p"}']])

    const waiting = pool.request(url, { token: 'A', noReply: true }, { timeout: 5000 })
    await eventually(() => expect(server.rpc().received).toHaveLength(2))
    const idA = server.rpc().received[1].id
    a.send(new TextEncoder().encode(JSON.stringify({ id: idA, data: 'binary' }))) // echoed as binary
    await eventually(() => expect(gotB).toHaveLength(2))
    expect(gotB[1]).toBeInstanceOf(ArrayBuffer)
    expect(await stateOf(waiting)).toBe('pending')
    a.send(JSON.stringify({ id: idA, data: 'text' })) // /rpc answers it with the same envelope: A's reply
    expect(await waiting).toBe('text')
    await delay(30)
    expect([gotA.length, gotB.length]).toEqual([2, 2]) // the matched reply reached no holder
    a.release()
    b.release()
  })

  it('join the least loaded connection (requests in flight count); a new one only when each holds sharedLimit', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 2, sharedLimit: 4 })
    const url = `${server.url}/rpc`
    const first: Lease[] = []
    for (let i = 0; i < 4; i++) first.push(await pool.acquire(url, { shared: true }))
    expect(new Set(first.map((l) => l.id)).size).toBe(1)
    expect(server.counts().accepted).toBe(1)
    const onB = await pool.acquire(url, { shared: true }) // connection 1 holds 4: a second one
    expect(onB.id).not.toBe(first[0].id)
    expect(server.counts().accepted).toBe(2)
    expect(pool.stats().hosts[server.url].shared).toBe(2)
    for (const l of first.slice(0, 3)) l.release() // loads: 1 and 1
    const call = pool.request(url, { token: 'r', delay: 400 })
    await eventually(() => expect(server.rpc().pending).toBe(1))
    const requestOnFirst = connOf(server, 'r') === 1 // server connection 1 is the first pool connection
    const next = await pool.acquire(url, { shared: true }) // loads 2 and 1: the other one
    expect(next.id).toBe(requestOnFirst ? onB.id : first[0].id)
    await call
    for (const l of [first[3], onB, next]) l.release()
  })

  it('at the cap, beyond sharedLimit a shared acquire waits for a holder to leave', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 1, sharedLimit: 2 })
    const url = `${server.url}/rpc`
    const a = await pool.acquire(url, { shared: true })
    const b = await pool.acquire(url, { shared: true })
    const c = pool.acquire(url, { shared: true })
    expect(await stateOf(c)).toBe('pending')
    expect(pool.stats().hosts[server.url].pending).toBe(1)
    a.release()
    expect((await c).id).toBe(b.id)
    expect(server.counts().accepted).toBe(1)
  })

  it('the connection is idle again only after its last holder released and no request is in flight', async () => {
    const server = await startServer()
    const pool = rpcPool()
    const url = `${server.url}/rpc`
    const a = await pool.acquire(url, { shared: true })
    const b = await pool.acquire(url, { shared: true })
    const id = a.id
    const call = pool.request(url, { token: 'r', delay: 200 })
    await eventually(() => expect(server.rpc().pending).toBe(1))
    expect(connOf(server, 'r')).toBe(1)
    a.release()
    expect(pool.stats().hosts[server.url]).toMatchObject({ idle: 0, shared: 1, inFlight: 1 })
    b.release()
    expect(pool.stats().hosts[server.url]).toMatchObject({ idle: 0, shared: 1, inFlight: 1, connections: 1 })
    await call
    expect(pool.stats().hosts[server.url]).toMatchObject({ idle: 1, shared: 0, inFlight: 0, active: 0, connections: 1 })
    const exclusive = await pool.acquire(url)
    expect(exclusive.id).toBe(id) // idle: reused as an exclusive lease
    expect(server.counts().accepted).toBe(1)
    exclusive.release()
  })
})

describe('shared and exclusive never mix', () => {
  it('a shared acquire and requests never ride an exclusive lease; an exclusive acquire never gets a shared connection', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 2 })
    const url = `${server.url}/rpc`
    const exclusive = await pool.acquire(url)
    const shared = await pool.acquire(url, { shared: true })
    expect(shared.id).not.toBe(exclusive.id)
    expect(await pool.request(url, { token: 'r' })).toEqual({ token: 'r' })
    expect(connOf(server, 'r')).toBe(2) // the shared connection, not the leased one
    const gotE = inbox(exclusive)
    const gotS = inbox(shared)
    exclusive.send('for the exclusive holder')
    await eventually(() => expect(gotE).toEqual(['for the exclusive holder']))
    // At the cap: an exclusive acquire waits, though the shared connection is open.
    const nextExclusive = pool.acquire(url)
    expect(await stateOf(nextExclusive)).toBe('pending')
    const sharedId = shared.id
    shared.release() // last holder, nothing in flight: idle, so the exclusive acquire gets it
    const second = await nextExclusive
    expect(second.id).toBe(sharedId)
    // Now both are exclusive: a shared acquire and a request wait for one to come back.
    const waitingShared = pool.acquire(url, { shared: true })
    const waitingRequest = pool.request(url, { token: 'w' })
    expect(await stateOf(waitingShared)).toBe('pending')
    expect(pool.stats().hosts[server.url].pending).toBe(2)
    expect(server.rpc().received).toHaveLength(1)
    const exclusiveId = exclusive.id
    exclusive.release()
    expect((await waitingShared).id).toBe(exclusiveId)
    expect(await waitingRequest).toEqual({ token: 'w' })
    expect(gotS).toEqual([])
    expect(server.counts().accepted).toBe(2)
    second.release()
  })

  it('maxPerHost 1: an exclusive acquire waits for the last holder and the last reply', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 1 })
    const url = `${server.url}/rpc`
    const shared = await pool.acquire(url, { shared: true })
    const id = shared.id
    const call = pool.request(url, { token: 'r', delay: 200 })
    await eventually(() => expect(server.rpc().pending).toBe(1))
    const exclusive = pool.acquire(url)
    expect(await stateOf(exclusive)).toBe('pending')
    shared.release()
    expect(await stateOf(exclusive)).toBe('pending') // the request still rides the connection
    await call
    const lease = await exclusive
    expect(lease.id).toBe(id)
    const later = pool.request(url, 'later')
    expect(await stateOf(later, 50)).toBe('pending') // never over the exclusive lease
    expect(server.rpc().received).toHaveLength(1)
    lease.release()
    expect(await later).toBe('later')
  })
})

describe('destroy() on a shared lease', () => {
  it('closes the connection for every holder: each gets close; a request in flight rejects ERR_CONNECTION_LOST; no reconnect', async () => {
    const server = await startServer()
    const pool = rpcPool({ breaker: false })
    const events = recordEvents(pool)
    const url = `${server.url}/rpc`
    const holders = [await pool.acquire(url, { shared: true }), await pool.acquire(url, { shared: true }), await pool.acquire(url, { shared: true })]
    const closes = holders.map((l) => nextEvent(l, 'close'))
    const call = pool.request(url, { token: 'r', delay: 2000 })
    await eventually(() => expect(server.rpc().pending).toBe(1))
    holders[0].destroy(4000, 'done')
    await Promise.all(closes)
    for (const l of holders) expect(l.state).toBe('closed')
    const err = thrownBy(() => holders[1].send('x'))
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_LEASE_CLOSED')
    const lost = await rejectionOf(call)
    expect(lost).toBeInstanceOf(PoolError)
    expect(lost.code).toBe('ERR_CONNECTION_LOST')
    await eventually(() => expect(server.counts().open).toBe(0))
    await delay(50)
    expect(ofType(events, 'reconnecting')).toEqual([])
    for (const l of holders) l.release() // no-ops
    expect(pool.stats().hosts[server.url]).toMatchObject({ connections: 0, shared: 0, active: 0, inFlight: 0 })
    const again = await pool.acquire(url, { shared: true })
    expect(again.id).not.toBe(holders[0].id)
    again.release()
  })
})

describe('churn (StrictMode-like acquire/release/acquire)', () => {
  it('awaited: one socket, the same connection every time, gauges back at rest', async () => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = guardedRpcPool({ WebSocket: sockets.WebSocket })
    const violations = watchGauges(pool)
    const url = `${server.url}/rpc`
    const ids = new Set<number>()
    for (let i = 0; i < 50; i++) {
      const lease = await pool.acquire(url, { shared: true })
      ids.add(lease.id)
      lease.release()
    }
    expect(ids.size).toBe(1)
    expect(sockets.constructed()).toBe(1)
    expect(pool.stats().hosts[server.url]).toMatchObject({ connections: 1, idle: 1, active: 0, pending: 0, shared: 0, inFlight: 0 })
    await pool.close()
    expect(sockets.live()).toBe(0)
    expect(violations.slice(0, 5)).toEqual([])
  })

  it('overlapping (released before it resolved, aborted, acquired again): one socket, nothing left behind', async () => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = guardedRpcPool({ WebSocket: sockets.WebSocket })
    const violations = watchGauges(pool)
    const url = `${server.url}/rpc`
    const held: Promise<Lease>[] = []
    const aborted: Promise<unknown>[] = []
    for (let i = 0; i < 50; i++) {
      pool.acquire(url, { shared: true }).then((l) => l.release(), () => {}) // unmounted before it resolved
      const controller = new AbortController()
      aborted.push(rejectionOf(pool.acquire(url, { shared: true, signal: controller.signal })))
      controller.abort()
      held.push(pool.acquire(url, { shared: true })) // mounted again
    }
    const leases = await Promise.all(held)
    expect(new Set(leases.map((l) => l.id)).size).toBe(1)
    for (const reason of await Promise.all(aborted)) expect((reason as Error).name).toBe('AbortError')
    for (const l of leases) l.release()
    await eventually(() =>
      expect(pool.stats().hosts[server.url]).toMatchObject({ connections: 1, idle: 1, active: 0, pending: 0, shared: 0, inFlight: 0 }),
    )
    expect(sockets.constructed(), 'a shared acquire joins the connection still opening').toBe(1)
    expect(server.counts().open).toBe(1)
    await pool.close()
    expect(sockets.live()).toBe(0)
    expect(violations.slice(0, 5)).toEqual([])
  })
})
