/**
 * A representative part of the integration suite in real Chromium (issue 2, item 11): the
 * per-origin limit, queueing, reconnect, buffering across a reconnect, binary as ArrayBuffer.
 * The test server runs in Node (globalSetup); the page drives it over its HTTP control API.
 */
import { afterEach, beforeEach, describe, expect, inject, it, onTestFinished, vi } from 'vitest'
import { createPool } from '../../src/index.js'

const server = inject('testServer')

interface ServerCounts {
  open: number
  peak: number
  accepted: number
  byPath: Record<string, number>
  peakByPath: Record<string, number>
}

async function control<T = unknown>(method: 'GET' | 'POST', path: string): Promise<T> {
  const res = await fetch(`${server.httpUrl}/_/${path}`, { method })
  if (!res.ok) throw new Error(`control ${path}: HTTP ${res.status}`)
  return (await res.json()) as T
}
const counts = () => control<ServerCounts>('GET', 'stats')
const log = (tag: string) => control<string[]>('GET', `log?tag=${encodeURIComponent(tag)}`)

function newPool(options?: Parameters<typeof createPool>[0]) {
  const pool = createPool(options)
  onTestFinished(() => pool.close())
  return pool
}

const eventually = <T>(fn: () => T | Promise<T>, timeout = 8000) => vi.waitFor(fn, { timeout, interval: 20 })
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

// Each test gets its own tag/paths; the server is shared by the file, so reset its counters.
beforeEach(async () => {
  await control('POST', 'reset')
})
afterEach(async () => {
  await control('POST', 'refuse?on=0')
})

describe('wspool in Chromium', () => {
  it('uses the native WebSocket', () => {
    expect(typeof WebSocket).toBe('function')
    expect(typeof window).toBe('object')
  })

  it('per-origin limit: 8 concurrent acquires with maxPerHost 2 never open more than 2 sockets', async () => {
    const pool = newPool({ maxPerHost: 2 })
    const url = `${server.url}/limit`
    const order: number[] = []
    const all = Array.from({ length: 8 }, (_, i) =>
      pool.acquire(url).then(async (lease) => {
        order.push(i)
        await delay(20)
        lease.release()
      }),
    )
    await Promise.all(all)
    const c = await counts()
    expect(c.peakByPath['/limit']).toBe(2)
    expect(c.accepted).toBe(2) // released connections were reused
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]) // FIFO
    expect(pool.stats().hosts[server.url]).toMatchObject({ max: 2, pending: 0, active: 0, idle: 2 })
  })

  it('queueing: priority first, FIFO within; a timed-out waiter leaves the queue', async () => {
    const pool = newPool({ maxPerHost: 1 })
    const url = `${server.url}/queue`
    const holder = await pool.acquire(url)
    const served: string[] = []
    const take = (label: string, priority = 0) =>
      pool.acquire(url, { priority }).then((lease) => {
        served.push(label)
        lease.release()
      })
    const timedOut = pool.acquire(url, { timeout: 50 }).then(
      () => 'fulfilled',
      (e: { code?: string }) => e.code,
    )
    const waiting = [take('a'), take('high', 5), take('b')]
    expect(await timedOut).toBe('ERR_ACQUIRE_TIMEOUT')
    expect(pool.stats().hosts[server.url].pending).toBe(3)
    holder.release()
    await Promise.all(waiting)
    expect(served).toEqual(['high', 'a', 'b'])
    expect((await counts()).accepted).toBe(1)
  })

  it('reconnects a leased connection after the server drops it; same id, lease still valid', async () => {
    const pool = newPool({ reconnect: { initialDelay: 20, maxDelay: 100, jitter: 0 } })
    const lease = await pool.acquire(`${server.url}/echo`)
    const id = lease.id
    const reconnecting: number[] = []
    pool.on('reconnecting', (e) => reconnecting.push(e.delay))
    await control('POST', 'drop')
    await eventually(() => expect(reconnecting).toHaveLength(1))
    expect(reconnecting[0]).toBe(20)
    await eventually(() => expect(lease.state).toBe('open'))
    expect(lease.id).toBe(id)
    const echoed = new Promise((resolve) => lease.once('message', resolve))
    lease.send('back')
    expect(await echoed).toBe('back')
    expect(pool.stats().hosts[server.url].reconnects).toBe(1)
    lease.release()
  })

  it('messages sent during an outage are buffered and delivered once, in order, after reconnect', async () => {
    const pool = newPool({ reconnect: { initialDelay: 20, maxDelay: 100, jitter: 0 } })
    const lease = await pool.acquire(`${server.url}/log?tag=browser-buf`)
    lease.send('before')
    await eventually(async () => expect(await log('browser-buf')).toEqual(['before']))
    await control('POST', 'outage?ms=300')
    await eventually(() => expect(lease.state).toBe('reconnecting'))
    const during = ['d1', 'd2', 'dé3']
    for (const m of during) lease.send(m)
    expect(lease.bufferedAmount).toBeGreaterThan(0)
    await eventually(() => expect(lease.state).toBe('open'))
    lease.send('after')
    await eventually(async () => expect(await log('browser-buf')).toEqual(['before', ...during, 'after']))
    expect(pool.stats().hosts[server.url].dropped).toBe(0)
    lease.release()
  })

  it('binary messages arrive as ArrayBuffer', async () => {
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    const received = new Promise<unknown>((resolve) => lease.once('message', resolve))
    lease.send(new Uint8Array([3, 1, 4, 1, 5]))
    const data = await received
    expect(data).toBeInstanceOf(ArrayBuffer)
    expect([...new Uint8Array(data as ArrayBuffer)]).toEqual([3, 1, 4, 1, 5])
    expect(pool.stats().hosts[server.url]).toMatchObject({ bytesOut: 5, bytesIn: 5 })
    lease.release()
  })

  it('a refusing origin makes acquire reject, never hang', async () => {
    await control('POST', 'refuse?on=1')
    const pool = newPool({ reconnect: false })
    const err = await pool.acquire(`${server.url}/refused`).then(
      () => undefined,
      (e: { code?: string }) => e,
    )
    expect(err?.code).toBe('ERR_CONNECT_FAILED')
  })

  it("binaryType 'blob' delivers Blobs; wsOptions is ignored in browsers", async () => {
    const pool = newPool({ binaryType: 'blob', wsOptions: { headers: { 'x-ignored': '1' } } })
    const lease = await pool.acquire(`${server.url}/echo`)
    const received = new Promise<unknown>((resolve) => lease.once('message', resolve))
    lease.send(new Uint8Array([9, 8, 7]))
    const data = await received
    expect(data).toBeInstanceOf(Blob)
    expect([...new Uint8Array(await (data as Blob).arrayBuffer())]).toEqual([9, 8, 7])
    const text = new Promise<unknown>((resolve) => lease.once('message', resolve))
    lease.send('plain text')
    expect(await text).toBe('plain text')
    lease.release()
  })

  it('maxTotal caps sockets across origins (127.0.0.1 and localhost)', async () => {
    const pool = newPool({ maxTotal: 2 })
    const origins = [server.url, `ws://localhost:${server.port}`]
    let maxOpen = 0
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const lease = await pool.acquire(`${origins[i % 2]}/total`)
        maxOpen = Math.max(maxOpen, pool.stats().totals.connections)
        await delay(10)
        lease.release()
      }),
    )
    expect(maxOpen).toBeLessThanOrEqual(2)
    expect((await counts()).peakByPath['/total']).toBeLessThanOrEqual(2)
    expect(Object.keys(pool.stats().hosts).sort()).toEqual([...origins].sort())
  })

  it('an aborted acquire rejects with signal.reason and leaves the queue', async () => {
    const pool = newPool({ maxPerHost: 1 })
    const url = `${server.url}/abort`
    const holder = await pool.acquire(url)
    const controller = new AbortController()
    const aborted = pool.acquire(url, { signal: controller.signal }).then(
      () => undefined,
      (e: unknown) => e,
    )
    const next = pool.acquire(url)
    const reason = new Error('user navigated away')
    controller.abort(reason)
    expect(await aborted).toBe(reason)
    expect(pool.stats().hosts[server.url].pending).toBe(1)
    holder.release()
    const lease = await next
    expect(lease.id).toBe(holder.id)
    lease.release()
  })

  it('drain serves the queue, waits for leases, then closes every socket', async () => {
    const pool = createPool({ maxPerHost: 1 })
    const url = `${server.url}/drain`
    const holder = await pool.acquire(url)
    const queued = pool.acquire(url)
    const drained = pool.drain()
    const late = await pool.acquire(url).then(
      () => undefined,
      (e: { code?: string }) => e.code,
    )
    expect(late).toBe('ERR_POOL_CLOSED')
    holder.release()
    ;(await queued).release()
    await drained
    await eventually(async () => expect((await counts()).byPath['/drain']).toBe(0))
    const stats = pool.stats()
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats)
    expect(stats.totals).toMatchObject({ connections: 0, pending: 0, active: 0 })
  })

  it('after close() the pool keeps no window listener', async () => {
    const attached = new Map<string, Set<unknown>>()
    const add = vi.spyOn(window, 'addEventListener').mockImplementation(function (this: Window, type: string, fn: unknown) {
      if (!attached.has(type)) attached.set(type, new Set())
      attached.get(type)!.add(fn)
    } as typeof window.addEventListener)
    const remove = vi.spyOn(window, 'removeEventListener').mockImplementation(function (this: Window, type: string, fn: unknown) {
      attached.get(type)?.delete(fn)
    } as typeof window.removeEventListener)
    onTestFinished(() => {
      add.mockRestore()
      remove.mockRestore()
    })
    const pool = createPool({ reconnect: { initialDelay: 20, jitter: 0 } })
    const lease = await pool.acquire(`${server.url}/listeners`)
    lease.release()
    await pool.close()
    const left = [...attached].filter(([, fns]) => fns.size > 0).map(([type]) => type)
    expect(left).toEqual([])
  })

  it("heartbeat without a message sends 'ping' (browsers cannot send ping frames)", async () => {
    const pool = newPool({ heartbeat: { interval: 30, timeout: 500 } })
    const lease = await pool.acquire(`${server.url}/log?tag=browser-hb`)
    await eventually(async () => expect(await log('browser-hb')).toContain('ping'))
    expect(lease.state).toBe('open')
    lease.release()
  })

  it('an acquire aborted while its connection opens lets it finish; it serves the next acquire', async () => {
    const pool = newPool({ maxPerHost: 1 })
    const url = `${server.url}/abort-opening`
    const controller = new AbortController()
    const first = pool.acquire(url, { signal: controller.signal }).then(
      () => 'fulfilled',
      () => 'rejected',
    )
    controller.abort()
    expect(await first).toBe('rejected')
    const lease = await pool.acquire(url)
    expect(lease.state).toBe('open')
    const c = await counts()
    expect(c.accepted).toBe(1)
    lease.release()
  })

  it('destroy accepts only browser-legal close codes', async () => {
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    expect(() => lease.destroy(1001)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    lease.destroy(4000, 'done')
    await eventually(async () => expect((await counts()).open).toBe(0))
  })
})
