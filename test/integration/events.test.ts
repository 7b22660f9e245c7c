/**
 * Events (issue 2, item 8; SPEC "Pool events (typed)", "Events", "Lease").
 */
import { describe, expect, it } from 'vitest'
import WS from 'ws'
import {
  delay,
  eventually,
  newPool,
  nextEvent,
  ofType,
  POOL_EVENTS,
  recordEvents,
  rejectionOf,
  startServer,
} from '../helpers/harness.js'

describe('pool events', () => {
  it('acquire/release emit connect, open, acquire, release, evict and close with origin, id and url', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, idleTimeout: 30 })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo?room=7`)
    lease.release()
    await eventually(() => expect(ofType(events, 'close')).toHaveLength(1))
    expect(events.map((e) => e.type)).toEqual(['connect', 'open', 'acquire', 'release', 'evict', 'close'])
    for (const { payload } of events) {
      expect(payload.origin).toBe(server.url)
      expect(payload.id).toBe(lease.id)
      expect(payload.url).toBe(`${server.url}/echo?room=***`)
    }
    expect(ofType(events, 'evict')[0].reason).toBe('idle')
    expect(typeof ofType(events, 'acquire')[0].wait).toBe('number')
  })

  it('a queued acquire emits enqueue; a timed-out one emits timeout', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 1 })
    const events = recordEvents(pool)
    const holder = await pool.acquire(`${server.url}/echo`)
    await rejectionOf(pool.acquire(`${server.url}/echo`, { timeout: 30 }))
    expect(ofType(events, 'enqueue')).toEqual([expect.objectContaining({ origin: server.url, url: `${server.url}/echo` })])
    expect(ofType(events, 'timeout')).toEqual([expect.objectContaining({ origin: server.url, url: `${server.url}/echo` })])
    holder.release()
  })

  it('a failed attempt emits error { origin, url, error, attempt }', async () => {
    const server = await startServer()
    server.setRefuse(true)
    const pool = newPool({ breaker: false, reconnect: false })
    const events = recordEvents(pool)
    await rejectionOf(pool.acquire(`${server.url}/echo`))
    const errors = ofType(events, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ origin: server.url, url: `${server.url}/echo` })
    expect(errors[0].error).toBeInstanceOf(Error)
    expect(ofType(events, 'acquire')).toHaveLength(0)
  })

  it('a drop emits close, reconnecting and open again for the same id', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, reconnect: { initialDelay: 10, jitter: 0 } })
    const lease = await pool.acquire(`${server.url}/echo`)
    const events = recordEvents(pool)
    server.dropAll()
    await eventually(() => expect(ofType(events, 'open')).toHaveLength(1))
    const types = events.map((e) => e.type)
    expect(types.indexOf('close')).toBeLessThan(types.indexOf('reconnecting'))
    expect(types.indexOf('reconnecting')).toBeLessThan(types.lastIndexOf('open'))
    for (const { payload } of events) {
      expect(payload).toMatchObject({ origin: server.url, url: `${server.url}/echo` })
      if ('id' in payload) expect(payload.id).toBe(lease.id)
    }
    expect(ofType(events, 'reconnecting')[0]).toMatchObject({ id: lease.id, attempt: 1, delay: 10 })
    lease.release()
  })

  it('on() returns an unsubscribe function; off() and once() work', async () => {
    const server = await startServer()
    const pool = newPool()
    const onCalls: unknown[] = []
    const offCalls: unknown[] = []
    const onceCalls: unknown[] = []
    const unsubscribe = pool.on('acquire', (e) => onCalls.push(e))
    expect(typeof unsubscribe).toBe('function')
    const offListener = (e: unknown): void => void offCalls.push(e)
    pool.on('acquire', offListener)
    pool.once('acquire', (e) => onceCalls.push(e))

    const first = await pool.acquire(`${server.url}/echo`)
    first.release()
    unsubscribe()
    pool.off('acquire', offListener)
    const second = await pool.acquire(`${server.url}/echo`)
    second.release()
    expect(onCalls).toHaveLength(1)
    expect(offCalls).toHaveLength(1)
    expect(onceCalls).toHaveLength(1)
  })

  it('a throwing listener does not starve the others nor break the pool', async () => {
    const server = await startServer()
    const pool = newPool()
    const reported: unknown[] = []
    const original = globalThis.reportError
    globalThis.reportError = (e: unknown) => void reported.push(e)
    try {
      const seen: string[] = []
      pool.on('acquire', () => {
        throw new Error('listener bug')
      })
      pool.on('acquire', () => seen.push('second'))
      const lease = await pool.acquire(`${server.url}/echo`)
      expect(seen).toEqual(['second'])
      expect(lease.state).toBe('open')
      lease.release()
      await delay(10)
    } finally {
      if (original === undefined) delete (globalThis as { reportError?: unknown }).reportError
      else globalThis.reportError = original
    }
  })

  it('every event name in the SPEC can be subscribed to', () => {
    const pool = newPool()
    for (const name of POOL_EVENTS) {
      const off = (pool.on as (n: string, f: () => void) => () => void)(name, () => {})
      expect(typeof off).toBe('function')
      off()
    }
  })
})

describe('lease events and messages', () => {
  it('text arrives as string, binary as ArrayBuffer by default', async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    const text = nextEvent(lease, 'message')
    lease.send('hello ✓')
    expect(await text).toBe('hello ✓')
    const binary = nextEvent(lease, 'message')
    lease.send(new Uint8Array([1, 2, 250]))
    const data = await binary
    expect(data).toBeInstanceOf(ArrayBuffer)
    expect([...new Uint8Array(data)]).toEqual([1, 2, 250])
    lease.release()
  })

  it("binaryType 'nodebuffer' delivers Buffers", async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, binaryType: 'nodebuffer' })
    const lease = await pool.acquire(`${server.url}/echo`)
    const binary = nextEvent(lease, 'message')
    lease.send(new Uint8Array([7, 8]))
    const data = await binary
    expect(Buffer.isBuffer(data)).toBe(true)
    expect([...data]).toEqual([7, 8])
    lease.release()
  })

  it('a released lease hears nothing of the next holder of its connection', async () => {
    const server = await startServer()
    const pool = newPool()
    const first = await pool.acquire(`${server.url}/echo`)
    const heardByFirst: unknown[] = []
    first.on('message', (m) => heardByFirst.push(m))
    first.release()
    const second = await pool.acquire(`${server.url}/echo`)
    expect(second.id).toBe(first.id)
    const echoed = nextEvent(second, 'message')
    second.send('for the second holder')
    expect(await echoed).toBe('for the second holder')
    expect(heardByFirst).toEqual([])
    second.release()
  })

  it('lease reconnecting/open/close events follow the connection', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, reconnect: { initialDelay: 10, jitter: 0, maxAttempts: 1 } })
    const lease = await pool.acquire(`${server.url}/echo`)
    const seen: string[] = []
    for (const type of ['open', 'close', 'reconnecting'] as const) lease.on(type, () => seen.push(type))
    server.dropAll()
    await eventually(() => expect(seen).toContain('open'))
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(lease.state).toBe('closed'))
    expect(seen[0]).toBe('reconnecting')
    expect(seen).toContain('open')
    expect(seen.at(-1)).toBe('close')
  })

  it('protocols are offered and the negotiated one is exposed; none gives an empty string', async () => {
    const server = await startServer()
    const withProtocols = newPool({ breaker: false, protocols: ['chat.v2', 'chat.v1'] })
    const lease = await withProtocols.acquire(`${server.url}/echo`)
    expect(server.lastUpgrade()?.protocols).toEqual(['chat.v2', 'chat.v1'])
    expect(lease.protocol).toBe('chat.v2')
    lease.release()
    const plain = newPool()
    const other = await plain.acquire(`${server.url}/echo`)
    expect(other.protocol).toBe('')
    other.release()
  })

  it('wsOptions reach ws on Node (headers)', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, wsOptions: { headers: { 'x-wspool-test': 'yes' } } })
    const lease = await pool.acquire(`${server.url}/echo`)
    expect(server.lastUpgrade()?.headers['x-wspool-test']).toBe('yes')
    lease.release()
  })

  it('an injected WebSocket constructor is used', async () => {
    const server = await startServer()
    let constructed = 0
    class Counting extends WS {
      constructor(url: string | URL, protocols?: string | string[], options?: WS.ClientOptions) {
        super(url, protocols, options)
        constructed++
      }
    }
    const pool = newPool({ breaker: false, WebSocket: Counting as never })
    const lease = await pool.acquire(`${server.url}/echo`)
    expect(constructed).toBe(1)
    lease.release()
  })

  it('pool.send acquires, sends and releases; it resolves once handed to an open socket', async () => {
    const server = await startServer()
    const pool = newPool()
    await pool.send(`${server.url}/log?tag=ps`, 'via pool.send')
    await eventually(() => expect(server.log('ps')).toEqual(['via pool.send']))
    expect(pool.stats().hosts[server.url]).toMatchObject({ active: 0, idle: 1, pending: 0 })
    await pool.send(`${server.url}/log?tag=ps`, 'again')
    await eventually(() => expect(server.log('ps')).toEqual(['via pool.send', 'again']))
    expect(server.counts().accepted).toBe(1)
  })
})
