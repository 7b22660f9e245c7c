/**
 * Stats (issue 2, item 8; SPEC "Stats", "Stats fields", "Bytes and messages"): a cached,
 * JSON-serialisable snapshot whose numbers match what the server saw.
 */
import { describe, expect, it } from 'vitest'
import { delay, eventually, newPool, nextEvent, rejectionOf, startServer, utf8Bytes } from '../helpers/harness.js'

const HOST_FIELDS = [
  'connections', 'open', 'connecting', 'reconnecting', 'active', 'shared', 'idle', 'pending', 'inFlight', 'max',
  'created', 'closed', 'reconnects', 'errors', 'timeouts', 'rejected', 'dropped',
  'messagesIn', 'messagesOut', 'bytesIn', 'bytesOut', 'requests', 'acquireWait', 'connectTime', 'requestTime',
]

describe('stats()', () => {
  it('a fresh pool: empty hosts, zero totals, null percentiles, max null when unlimited', () => {
    const pool = newPool()
    const stats = pool.stats()
    expect(stats.hosts).toEqual({})
    expect(Object.keys(stats.totals).sort()).toEqual([...HOST_FIELDS].sort())
    expect(stats.totals.max).toBeNull() // maxTotal Infinity
    for (const field of HOST_FIELDS) {
      if (field === 'max' || field === 'acquireWait' || field === 'connectTime' || field === 'requestTime') continue
      expect(stats.totals[field as 'open']).toBe(0)
    }
    for (const summary of [stats.totals.acquireWait, stats.totals.connectTime, stats.totals.requestTime]) {
      expect(summary).toMatchObject({ count: 0, p50: null, p95: null, p99: null })
    }
  })

  it('is a plain JSON-serialisable object (round-trips unchanged)', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: Infinity })
    const lease = await pool.acquire(`${server.url}/echo`)
    const stats = pool.stats()
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats)
    expect(Object.getPrototypeOf(stats)).toBe(Object.prototype)
    expect(stats.hosts[server.url].max).toBeNull() // maxPerHost Infinity
    expect(stats.totals.max).toBeNull()
    lease.release()
  })

  it('max is maxPerHost per host and maxTotal in totals', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 4, maxTotal: 9 })
    const lease = await pool.acquire(`${server.url}/echo`)
    expect(pool.stats().hosts[server.url].max).toBe(4)
    expect(pool.stats().totals.max).toBe(9)
    lease.release()
  })

  it('is cached: the same object until a figure changes', async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    const a = pool.stats()
    expect(pool.stats()).toBe(a)
    lease.release()
    const b = pool.stats()
    expect(b).not.toBe(a)
    expect(b.hosts[server.url].idle).toBe(1)
    expect(a.hosts[server.url].idle).toBe(0) // an earlier snapshot does not change under its reader
    expect(pool.stats()).toBe(b)
  })

  it('connection gauges match the server', async () => {
    const server = await startServer()
    const pool = newPool()
    const url = `${server.url}/echo`
    const leases = await Promise.all([pool.acquire(url), pool.acquire(url), pool.acquire(url)])
    leases[0].release()
    const host = pool.stats().hosts[server.url]
    expect(host).toMatchObject({ connections: 3, open: 3, active: 2, idle: 1, connecting: 0, pending: 0, created: 3 })
    expect(host.open).toBe(server.counts().open)
    expect(host.created).toBe(server.counts().accepted)
    leases[1].destroy()
    await eventually(() => expect(server.counts().open).toBe(2))
    await eventually(() => expect(pool.stats().hosts[server.url]).toMatchObject({ connections: 2, open: 2, closed: 1 }))
    leases[2].release()
  })

  it('messages and UTF-8 bytes in and out match what the server saw', async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/log?tag=count`)
    const texts = ['a', 'héllo', '✓✓', '😀', '']
    let received = 0
    lease.on('message', () => received++)
    for (const t of texts) lease.send(t)
    lease.send(new Uint8Array(10))
    lease.send(new ArrayBuffer(3))
    await eventually(() => expect(received).toBe(texts.length + 2))
    expect(server.log('count')).toEqual(texts)
    const bytes = texts.reduce((n, t) => n + utf8Bytes(t), 0) + 13
    expect(bytes).toBe(1 + 6 + 6 + 4 + 0 + 13) // not string.length
    const host = pool.stats().hosts[server.url]
    expect(host).toMatchObject({ messagesOut: 7, messagesIn: 7, bytesOut: bytes, bytesIn: bytes })
    expect(pool.stats().totals).toMatchObject({ messagesOut: 7, messagesIn: 7, bytesOut: bytes, bytesIn: bytes })
    lease.release()
  })

  it('pending counts queued acquires and acquires waiting for their connection', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 1 })
    const holder = await pool.acquire(`${server.url}/echo`)
    const queued = [pool.acquire(`${server.url}/echo`), pool.acquire(`${server.url}/echo`)]
    await delay(10)
    expect(pool.stats().hosts[server.url].pending).toBe(2)
    const hanging = pool.acquire(`ws://localhost:${server.port}/hang`, { timeout: 5000 })
    hanging.catch(() => {})
    await eventually(() => expect(pool.stats().hosts[`ws://localhost:${server.port}`]).toMatchObject({ pending: 1, connecting: 1 }))
    expect(pool.stats().totals.pending).toBe(3)
    holder.release()
    for (const q of queued) (await q).release()
    expect(pool.stats().hosts[server.url].pending).toBe(0)
  })

  it('counters: timeouts, rejected, errors, reconnects, closed', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 1, maxQueue: 1, reconnect: { initialDelay: 10, jitter: 0 } })
    const url = `${server.url}/echo`
    const holder = await pool.acquire(url)
    const timedOut = pool.acquire(url, { timeout: 50 })
    expect((await rejectionOf(pool.acquire(url))).code).toBe('ERR_QUEUE_FULL')
    expect((await rejectionOf(timedOut)).code).toBe('ERR_ACQUIRE_TIMEOUT')
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(pool.stats().hosts[server.url].errors).toBeGreaterThanOrEqual(2))
    expect(pool.stats().hosts[server.url]).toMatchObject({ reconnecting: 1, open: 0, connections: 1, active: 1 })
    server.setRefuse(false)
    await eventually(() => expect(holder.state).toBe('open'))
    const host = pool.stats().hosts[server.url]
    expect(host).toMatchObject({ timeouts: 1, rejected: 1, reconnects: 1, reconnecting: 0 })
    expect(pool.stats().totals).toMatchObject({ timeouts: 1, rejected: 1, reconnects: 1 })
    holder.destroy()
    await eventually(() => expect(pool.stats().hosts[server.url].closed).toBe(1))
  })

  it('latency summaries: counts and ordered percentiles in ms', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 2 })
    const url = `${server.url}/echo`
    for (let i = 0; i < 10; i++) {
      const lease = await pool.acquire(url)
      lease.release()
    }
    const [a, b] = await Promise.all([pool.acquire(url), pool.acquire(url)])
    const waiting = pool.acquire(url)
    await delay(40)
    a.release()
    ;(await waiting).release()
    b.release()
    const { acquireWait, connectTime } = pool.stats().hosts[server.url]
    expect(acquireWait.count).toBe(13)
    expect(connectTime.count).toBe(2)
    for (const s of [acquireWait, connectTime]) {
      expect(s.p50).toBeGreaterThanOrEqual(0)
      expect(s.p50!).toBeLessThanOrEqual(s.p95!)
      expect(s.p95!).toBeLessThanOrEqual(s.p99!)
      expect(s.p99!).toBeLessThanOrEqual(s.max!)
    }
    expect(acquireWait.max).toBeGreaterThanOrEqual(30) // the queued one waited ~40 ms
    expect(pool.stats().totals.acquireWait.count).toBe(13)
  })

  it('totals sum the hosts', async () => {
    const server = await startServer()
    const pool = newPool()
    const a = await pool.acquire(`${server.url}/echo`)
    const b = await pool.acquire(`ws://localhost:${server.port}/echo`)
    const c = await pool.acquire(`ws://localhost:${server.port}/echo`)
    const echoed = nextEvent(a, 'message')
    a.send('xyz')
    await echoed
    const stats = pool.stats()
    expect(Object.keys(stats.hosts).sort()).toEqual([`ws://localhost:${server.port}`, server.url].sort())
    for (const field of ['connections', 'open', 'active', 'created', 'messagesOut', 'bytesIn'] as const) {
      const sum = Object.values(stats.hosts).reduce((n, h) => n + h[field], 0)
      expect(stats.totals[field]).toBe(sum)
    }
    expect(stats.totals.connections).toBe(3)
    for (const l of [a, b, c]) l.release()
  })
})
