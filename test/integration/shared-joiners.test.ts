/**
 * Shared acquires that joined a connection which is not open (SPEC "Shared leases and endpoints",
 * "Precise semantics / Connecting during an acquire", "Leases"): a shared acquire waiting for a
 * connection that reconnects (or still opens) rejects only for its own reasons (its deadline, its
 * signal, the circuit, the reconnect policy giving up, the pool closing). When someone else closes
 * that connection on purpose (another holder destroys or releases it, the acquire it was opened
 * for is aborted), the waiter is placed again within the caps and gets a connection once the
 * server accepts.
 */
import { describe, expect, it } from 'vitest'
import { PoolError, type Lease } from '../../src/index.js'
import { eventually, rejectionOf, startServer, stateOf } from '../helpers/harness.js'
import { inbox, rpcPool, type RPool } from '../helpers/requests.js'
import { watchGauges } from '../helpers/sockets.js'
import type { TestServer } from '../server/test-server.js'
import type { PoolOptions } from '../helpers/harness.js'

const RECONNECT = { initialDelay: 20, maxDelay: 40 }

interface Joined {
  server: TestServer
  pool: RPool
  url: string
  /** The first holder: its connection is reconnecting (the server refuses). */
  holder: Lease
  /** A second shared acquire that joined that connection and waits for it. */
  joined: Promise<Lease>
  violations: string[]
}

/** A shared lease on /rpc, then the server refuses and drops every socket; a second shared acquire joins the reconnecting connection. */
async function joinedWhileReconnecting(options: PoolOptions, timeout?: number): Promise<Joined> {
  const server = await startServer()
  const pool = rpcPool({ breaker: false, reconnect: RECONNECT, ...options })
  const violations = watchGauges(pool, options.maxPerHost)
  const url = `${server.url}/rpc`
  const holder = await pool.acquire(url, { shared: true })
  server.setRefuse(true)
  server.dropAll()
  await eventually(() => expect(holder.state).toBe('reconnecting'))
  const joined = pool.acquire(url, { shared: true, timeout })
  expect(await stateOf(joined)).toBe('pending')
  expect(pool.stats().hosts[server.url]).toMatchObject({ pending: 1 })
  return { server, pool, url, holder, joined, violations }
}

/** The waiter resolves once the server accepts again, with an open lease that works; the server never sees more than `cap` connections from then on. */
async function servedOnceAccepting({ server, joined, violations }: Joined, cap = 1): Promise<Lease> {
  expect(await stateOf(joined, 100)).toBe('pending') // still refusing: it waits, it does not fail
  server.reset() // accepting again; peaks counted from now
  const lease = await joined
  expect(lease.state).toBe('open')
  const got = inbox(lease)
  lease.send('hello')
  await eventually(() => expect(got).toEqual(['hello']))
  expect(server.counts().peak).toBeLessThanOrEqual(cap)
  expect(violations.slice(0, 5)).toEqual([])
  return lease
}

describe('a shared acquire waiting on a reconnecting connection', () => {
  it('another holder destroys it: the waiter is placed again and gets a new connection once the server accepts', async () => {
    const joined = await joinedWhileReconnecting({ maxPerHost: 1 })
    joined.holder.destroy(4000, 'done')
    expect(joined.holder.state).toBe('closed')
    const lease = await servedOnceAccepting(joined)
    expect(lease.id).not.toBe(joined.holder.id)
    expect(joined.pool.stats().hosts[joined.server.url]).toMatchObject({ connections: 1, active: 1, pending: 0 })
    lease.release()
  })

  it('another holder destroys it: the waiter still rejects for its own deadline (ERR_ACQUIRE_TIMEOUT)', async () => {
    const joined = await joinedWhileReconnecting({ maxPerHost: 1 }, 400)
    joined.holder.destroy(4000, 'done')
    const err = await rejectionOf(joined.joined)
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_ACQUIRE_TIMEOUT')
    expect(joined.pool.stats().hosts[joined.server.url]?.pending ?? 0).toBe(0)
  })

  it('another holder destroys it, then the pool closes: the waiter rejects ERR_POOL_CLOSED', async () => {
    const joined = await joinedWhileReconnecting({ maxPerHost: 1 })
    joined.holder.destroy(4000, 'done')
    expect(await stateOf(joined.joined, 50)).toBe('pending')
    const closing = joined.pool.close()
    const err = await rejectionOf(joined.joined)
    expect(err.code).toBe('ERR_POOL_CLOSED')
    await closing
  })

  it('another holder destroys it, and the waiter is aborted: it rejects with the signal reason', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 1, breaker: false, reconnect: RECONNECT })
    const url = `${server.url}/rpc`
    const holder = await pool.acquire(url, { shared: true })
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(holder.state).toBe('reconnecting'))
    const controller = new AbortController()
    const joined = pool.acquire(url, { shared: true, signal: controller.signal })
    expect(await stateOf(joined)).toBe('pending')
    holder.destroy()
    expect(await stateOf(joined, 50)).toBe('pending')
    controller.abort(new Error('unmounted'))
    expect((await rejectionOf(joined)).message).toBe('unmounted')
    expect(pool.stats().hosts[server.url]?.pending ?? 0).toBe(0)
  })

  it('another holder releases it: the waiter keeps waiting and gets it once the server accepts', async () => {
    const joined = await joinedWhileReconnecting({ maxPerHost: 1 })
    joined.holder.release()
    const lease = await servedOnceAccepting(joined)
    lease.release()
  })

  it('the pool shrinks (resize) and the holder destroys it: the waiter queues within the new cap and gets the next room', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 2, breaker: false, reconnect: RECONNECT })
    const url = `${server.url}/rpc`
    const exclusive = await pool.acquire(`${server.url}/echo`)
    const holder = await pool.acquire(url, { shared: true })
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect([exclusive.state, holder.state]).toEqual(['reconnecting', 'reconnecting']))
    const joined = pool.acquire(url, { shared: true })
    expect(await stateOf(joined)).toBe('pending')
    pool.resize({ maxPerHost: 1 })
    const violations = watchGauges(pool, 1)
    holder.destroy(4000, 'done')
    expect(await stateOf(joined, 100)).toBe('pending')
    expect(pool.stats().hosts[server.url]).toMatchObject({ connections: 1, pending: 1 })
    server.reset()
    await eventually(() => expect(exclusive.state).toBe('open'))
    expect(await stateOf(joined, 50)).toBe('pending') // at the new cap: queued, not a second connection
    exclusive.release() // idle, another URL: closed to make room for the queued acquire
    const lease = await joined
    expect(lease.state).toBe('open')
    expect(server.counts().peak).toBe(1)
    expect(violations.slice(0, 5)).toEqual([])
    lease.release()
  })

  it('from a replica list: the waiter moves on at the failed attempt, and another holder\'s destroy then leaves it waiting at the next replica', async () => {
    const a = await startServer()
    const b = await startServer()
    const pool = rpcPool({ maxPerHost: 1, breaker: { failures: 1, cooldown: 60_000 }, reconnect: { initialDelay: 300, maxDelay: 300, jitter: 0 } })
    const urls = [`${a.url}/rpc`, `${b.url}/rpc`]
    const blocker = await pool.acquire(`${b.url}/other`) // b at its cap: the list acquires go to a
    const holder = await pool.acquire(urls, { shared: true })
    expect(holder.origin).toBe(a.url)
    a.setRefuse(true)
    a.dropAll()
    await eventually(() => expect(holder.state).toBe('reconnecting'))
    const joined = pool.acquire(urls, { shared: true }) // joins the reconnecting connection to a
    expect(await stateOf(joined)).toBe('pending')
    await eventually(() => expect(pool.stats().hosts[b.url]?.pending).toBe(1)) // a's attempt failed: queued at b
    expect(pool.stats().hosts[a.url]?.circuit).toBe('open')
    holder.destroy(4000, 'done')
    expect(await stateOf(joined, 50)).toBe('pending')
    blocker.release() // idle, another URL: closed to make room
    const lease = await joined
    expect(lease.origin).toBe(b.url)
    expect(lease.state).toBe('open')
    lease.release()
  })

  it('the reconnect policy gives up: the waiter still rejects ERR_CONNECT_FAILED', async () => {
    const server = await startServer()
    const pool = rpcPool({ maxPerHost: 1, breaker: false, reconnect: { ...RECONNECT, maxAttempts: 2 } })
    const url = `${server.url}/rpc`
    const holder = await pool.acquire(url, { shared: true })
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(holder.state).toBe('reconnecting'))
    const joined = pool.acquire(url, { shared: true })
    const err = await rejectionOf(joined)
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_CONNECT_FAILED')
    expect(holder.state).toBe('closed')
  })
})

describe('a shared acquire waiting on a connection opened for another acquire', () => {
  it('that acquire is aborted: the one that joined keeps waiting and gets the connection once the server accepts', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = rpcPool({ maxPerHost: 1, breaker: false, reconnect: RECONNECT })
    const violations = watchGauges(pool, 1)
    const url = `${server.url}/rpc`
    const controller = new AbortController()
    const first = pool.acquire(url, { shared: true, signal: controller.signal })
    await eventually(() => expect(pool.stats().hosts[server.url]?.errors).toBeGreaterThan(0))
    const joined = pool.acquire(url, { shared: true })
    expect(await stateOf(joined)).toBe('pending')
    controller.abort()
    expect((await rejectionOf(first)).name).toBe('AbortError')
    expect(await stateOf(joined, 100)).toBe('pending')
    server.reset()
    const lease = await joined
    expect(lease.state).toBe('open')
    expect(pool.stats().hosts[server.url]).toMatchObject({ created: 1 }) // the same connection: not closed and opened again
    expect(server.counts().peak).toBe(1)
    expect(violations.slice(0, 5)).toEqual([])
    lease.release()
  })

  it('that acquire is aborted while an exclusive acquire is queued: shared and exclusive never share the connection', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = rpcPool({ maxPerHost: 1, breaker: false, reconnect: RECONNECT })
    const url = `${server.url}/rpc`
    const controller = new AbortController()
    const first = pool.acquire(url, { shared: true, signal: controller.signal })
    await eventually(() => expect(pool.stats().hosts[server.url]?.errors).toBeGreaterThan(0))
    const exclusive = pool.acquire(url) // at the cap: queued
    const joined = pool.acquire(url, { shared: true })
    expect(await stateOf(joined)).toBe('pending')
    controller.abort()
    await rejectionOf(first)
    server.reset()
    const shared = await joined
    expect(await stateOf(exclusive, 50)).toBe('pending') // the shared holder has the one connection
    const sharedId = shared.id
    shared.release()
    const lease = await exclusive
    expect(lease.id).toBe(sharedId) // free again: now the exclusive acquire's
    expect(server.counts().peak).toBe(1)
    lease.release()
  })
})
