/**
 * Requests, shared leases and replica lists (issue 8) in real Chromium: the browser's own
 * WebSocket and MessageEvent path, against the test server's `/rpc` route (test/server/rpc.ts:
 * `{ id, data }` answered with the same `id` and `data`; `data.delay` delays the reply).
 */
import { afterEach, beforeEach, describe, expect, inject, it, onTestFinished, vi } from 'vitest'
import { createPool, PoolError } from '../../src/index.js'

const server = inject('testServer')

interface RpcCounts {
  received: { conn: number; id: unknown; data: unknown }[]
  replies: number
  pending: number
  peakPerConnection: number
}
interface ServerCounts {
  accepted: number
  peakByPath: Record<string, number>
}

async function control<T = unknown>(method: 'GET' | 'POST', path: string): Promise<T> {
  const res = await fetch(`${server.httpUrl}/_/${path}`, { method })
  if (!res.ok) throw new Error(`control ${path}: HTTP ${res.status}`)
  return (await res.json()) as T
}

function newPool(options?: Parameters<typeof createPool>[0]) {
  const pool = createPool(options)
  onTestFinished(() => pool.close())
  return pool
}

const eventually = <T>(fn: () => T | Promise<T>, timeout = 8000) => vi.waitFor(fn, { timeout, interval: 20 })
const settle = <T>(p: Promise<T>) => p.then((value) => ({ value }), (error: unknown) => ({ error }))

beforeEach(async () => {
  await control('POST', 'reset')
})
afterEach(async () => {
  await control('POST', 'refuse?on=0')
})

describe('requests in Chromium', () => {
  it('300 concurrent requests over maxPerHost 2: each reply reaches its own caller; the server never sees more than 2', async () => {
    const pool = newPool({ maxPerHost: 2 })
    const replies = await Promise.all(Array.from({ length: 300 }, (_, n) => pool.request(`${server.url}/rpc`, { n, delay: n % 7 })))
    expect(replies).toEqual(Array.from({ length: 300 }, (_, n) => ({ n, delay: n % 7 })))
    const rpc = await control<RpcCounts>('GET', 'rpc')
    expect(rpc.received).toHaveLength(300)
    expect(new Set(rpc.received.map((r) => r.id)).size).toBe(300)
    expect(new Set(rpc.received.map((r) => r.conn)).size).toBeLessThanOrEqual(2)
    expect((await control<ServerCounts>('GET', 'stats')).peakByPath['/rpc']).toBeLessThanOrEqual(2)
    const host = pool.stats().hosts[server.url]
    expect(host).toMatchObject({ requests: 300, inFlight: 0, pending: 0 })
    expect(host.requestTime.count).toBe(300)
  })

  it('a drop with requests in flight: idempotent ones are sent again and answered, the others reject ERR_CONNECTION_LOST', async () => {
    const pool = newPool({ maxPerHost: 1, reconnect: { initialDelay: 20, maxDelay: 50, jitter: 0 } })
    const url = `${server.url}/rpc`
    const safe = Array.from({ length: 5 }, (_, n) => settle(pool.request(url, { safe: n, delay: 300 }, { idempotent: true })))
    const unsafe = Array.from({ length: 5 }, (_, n) => settle(pool.request(url, { unsafe: n, delay: 300 })))
    await eventually(async () => expect((await control<RpcCounts>('GET', 'rpc')).received).toHaveLength(10))
    await control('POST', 'drop')
    const [s, u] = [await Promise.all(safe), await Promise.all(unsafe)]
    expect(s).toEqual(Array.from({ length: 5 }, (_, n) => ({ value: { safe: n, delay: 300 } })))
    for (const r of u) {
      expect((r as { error: PoolError }).error).toBeInstanceOf(PoolError)
      expect((r as { error: PoolError }).error.code).toBe('ERR_CONNECTION_LOST')
    }
    const received = (await control<RpcCounts>('GET', 'rpc')).received
    // Each idempotent one arrived twice (sent again once), each other one once.
    expect(received.filter((r) => (r.data as { safe?: number }).safe !== undefined)).toHaveLength(10)
    expect(received.filter((r) => (r.data as { unsafe?: number }).unsafe !== undefined)).toHaveLength(5)
    expect(pool.stats().hosts[server.url]).toMatchObject({ inFlight: 0, pending: 0 })
  })

  it('a request times out with ERR_REQUEST_TIMEOUT; its late reply is an unmatched message event', async () => {
    const pool = newPool()
    const unmatched: unknown[] = []
    pool.on('message', (e) => unmatched.push(e.data))
    const error = await pool.request(`${server.url}/rpc`, { delay: 200 }, { timeout: 50 }).catch((e: PoolError) => e)
    expect(error).toBeInstanceOf(PoolError)
    expect((error as PoolError).code).toBe('ERR_REQUEST_TIMEOUT')
    await eventually(() => expect(unmatched).toHaveLength(1))
    expect(JSON.parse(unmatched[0] as string)).toMatchObject({ data: { delay: 200 } })
  })

  it('shared holders hear pushes; a matched reply goes to its request only; binary is never a reply', async () => {
    const pool = newPool()
    const url = `${server.url}/rpc`
    const a = await pool.acquire(url, { shared: true })
    const b = await pool.acquire(url, { shared: true })
    expect(b.id).toBe(a.id)
    const heard: unknown[][] = [[], []]
    a.on('message', (m) => heard[0].push(m))
    b.on('message', (m) => heard[1].push(m))
    expect(await pool.request(url, { push: 'hello' })).toEqual({ push: 'hello' })
    await eventually(() => expect(heard).toEqual([['{"push":"hello"}'], ['{"push":"hello"}']]))
    a.send(new Uint8Array([1, 2, 3])) // echoed as binary: for the holders, not a reply
    await eventually(() => expect(heard[1]).toHaveLength(2))
    expect(heard[0][1]).toBeInstanceOf(ArrayBuffer)
    expect(pool.stats().hosts[server.url]).toMatchObject({ shared: 1, active: 1, idle: 0 })
    a.release()
    b.release()
    expect(pool.stats().hosts[server.url]).toMatchObject({ shared: 0, active: 0, idle: 1 })
  })

  it('a list fails over from a dead replica to a live one, for acquire and request', async () => {
    const pool = newPool({ reconnect: { initialDelay: 20, maxDelay: 50, jitter: 0 } })
    // Nothing listens on the discard port; Chromium refuses it either way.
    const dead = 'ws://127.0.0.1:9/rpc'
    const failed: string[] = []
    pool.on('error', (e) => failed.push(e.origin))
    const lease = await pool.acquire([dead, `${server.url}/rpc`])
    expect(lease.origin).toBe(server.url)
    expect(failed).toContain('ws://127.0.0.1:9') // tried first (list order breaks the tie), and failed
    expect(await pool.request([dead, `${server.url}/rpc`], 'via the live one')).toBe('via the live one')
    lease.release()
  })
})
