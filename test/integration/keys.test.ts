/**
 * Origin keying, reuse and URL rejection (issue 2, item 3; SPEC "Keys and reuse").
 */
import { describe, expect, it } from 'vitest'
import { PoolError } from '../../src/index.js'
import { delay, eventually, newPool, ofType, recordEvents, rejectionOf, startServer, stateOf, trackSockets } from '../helpers/harness.js'
import { redirectWebSocket } from '../helpers/redirect-websocket.js'

describe('origin key', () => {
  it('is the WHATWG origin: default ports and case normalise to one key sharing one cap', async () => {
    const server = await startServer()
    const WebSocket = redirectWebSocket(server.port)
    const pool = newPool({ maxPerHost: 1, WebSocket })
    const a = await pool.acquire('wss://api.example:443/one')
    expect(a.origin).toBe('wss://api.example')
    // Same origin, spelled differently: must queue behind `a` (cap 1), not open a second socket.
    const b = pool.acquire('WSS://API.Example/two')
    expect(await stateOf(b, 50)).toBe('pending')
    expect(server.counts().open).toBe(1)
    expect(Object.keys(pool.stats().hosts)).toEqual(['wss://api.example'])
    a.release()
    const lease = await b
    expect(lease.origin).toBe('wss://api.example')
    expect(server.counts().peak).toBe(1)
    lease.release()
  })

  it('ws default port 80 is dropped from the key; an explicit other port is kept', async () => {
    const server = await startServer()
    const pool = newPool({ WebSocket: redirectWebSocket(server.port) })
    const a = await pool.acquire('ws://svc.example:80/x')
    const b = await pool.acquire('ws://svc.example:8080/x')
    expect(a.origin).toBe('ws://svc.example')
    expect(b.origin).toBe('ws://svc.example:8080')
    expect(Object.keys(pool.stats().hosts).sort()).toEqual(['ws://svc.example', 'ws://svc.example:8080'])
    a.release()
    b.release()
  })

  it('lease.url and lease.origin describe what was acquired', async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    expect(lease.origin).toBe(server.url)
    expect(lease.url).toContain(`127.0.0.1:${server.port}/echo`)
    lease.release()
  })
})

describe('reuse', () => {
  it('an idle connection is reused for the same URL (same id, no new handshake)', async () => {
    const server = await startServer()
    const pool = newPool()
    const url = `${server.url}/echo?room=1`
    const first = await pool.acquire(url)
    const id = first.id
    first.release()
    const second = await pool.acquire(url)
    expect(second.id).toBe(id)
    expect(server.counts().accepted).toBe(1)
    second.release()
  })

  it('is reused for the same normalised URL', async () => {
    const server = await startServer()
    const pool = newPool()
    const first = await pool.acquire(`${server.url}/a/../echo`)
    first.release()
    const second = await pool.acquire(`WS://127.0.0.1:${server.port}/echo`)
    expect(second.id).toBe(first.id)
    second.release()
    const root = await pool.acquire(server.url)
    root.release()
    const rootSlash = await pool.acquire(`${server.url}/`)
    expect(rootSlash.id).toBe(root.id)
    rootSlash.release()
    expect(server.counts().accepted).toBe(2)
  })

  it('is not reused for another path or another query', async () => {
    const server = await startServer()
    const pool = newPool()
    const a = await pool.acquire(`${server.url}/a`)
    a.release()
    const b = await pool.acquire(`${server.url}/b`)
    expect(b.id).not.toBe(a.id)
    b.release()
    const q = await pool.acquire(`${server.url}/a?x=1`)
    expect(q.id).not.toBe(a.id)
    expect(q.id).not.toBe(b.id)
    q.release()
    expect(server.counts().accepted).toBe(3)
    expect(server.counts().byPath).toMatchObject({ '/a': 2, '/b': 1 })
  })

  it('is reused only for the same protocols', async () => {
    const server = await startServer()
    const pool = newPool()
    const url = `${server.url}/proto`
    const a = await pool.acquire(url, { protocols: ['alpha'] })
    expect(a.protocol).toBe('alpha')
    a.release()
    const b = await pool.acquire(url, { protocols: ['beta'] })
    expect(b.id).not.toBe(a.id)
    expect(b.protocol).toBe('beta')
    b.release()
    const again = await pool.acquire(url, { protocols: ['alpha'] })
    expect(again.id).toBe(a.id)
    again.release()
    const none = await pool.acquire(url)
    expect([a.id, b.id]).not.toContain(none.id)
    expect(none.protocol).toBe('')
    none.release()
    expect(server.counts().accepted).toBe(3)
  })

  it('at maxPerHost with only idle connections to other URLs, the least recently used one is closed', async () => {
    const server = await startServer()
    const sockets = trackSockets()
    const pool = newPool({ maxPerHost: 2, WebSocket: sockets.WebSocket })
    const events = recordEvents(pool)
    const a = await pool.acquire(`${server.url}/a`)
    const b = await pool.acquire(`${server.url}/b`)
    a.release() // least recently used
    await delay(5)
    b.release()
    const c = await pool.acquire(`${server.url}/c`)
    await eventually(() => expect(server.counts().byPath['/a']).toBe(0))
    expect(server.counts().byPath).toMatchObject({ '/a': 0, '/b': 1, '/c': 1 })
    expect(sockets.peak()).toBe(2)
    const evicted = ofType(events, 'evict')
    expect(evicted).toHaveLength(1)
    expect(evicted[0]).toMatchObject({ origin: server.url, id: a.id, reason: 'capacity' })
    // The most recently used one is still reusable.
    c.release()
    const again = await pool.acquire(`${server.url}/b`)
    expect(again.id).toBe(b.id)
    again.release()
  })

  it('an idle connection to the same URL is preferred over evicting', async () => {
    const server = await startServer()
    const pool = newPool({ maxPerHost: 2 })
    const events = recordEvents(pool)
    const a = await pool.acquire(`${server.url}/a`)
    const b = await pool.acquire(`${server.url}/b`)
    b.release()
    await delay(5)
    a.release()
    const again = await pool.acquire(`${server.url}/b`)
    expect(again.id).toBe(b.id)
    expect(ofType(events, 'evict')).toHaveLength(0)
    expect(server.counts().accepted).toBe(2)
    again.release()
  })
})

describe('URL rejection', () => {
  it.each([
    ['http:', 'http://127.0.0.1:1/x'],
    ['https:', 'https://example.com/socket'],
    ['relative path', '/socket'],
    ['relative name', 'socket'],
    ['protocol-relative', '//example.com/socket'],
    ['garbage', 'not a url'],
    ['empty string', ''],
    ['ftp:', 'ftp://example.com/'],
    ['missing host', 'ws://'],
  ])('%s is refused with ERR_INVALID_URL', async (_name, url) => {
    const pool = newPool()
    const err = await rejectionOf(pool.acquire(url))
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_INVALID_URL')
    expect(pool.stats().totals.connections).toBe(0)
    const viaSend = await rejectionOf(pool.send(url, 'x'))
    expect(viaSend).toBeInstanceOf(PoolError)
    expect(viaSend.code).toBe('ERR_INVALID_URL')
  })

  it('non-string URLs are refused too', async () => {
    const pool = newPool()
    for (const url of [undefined, null, 42, {}]) {
      const err = await rejectionOf(pool.acquire(url as never))
      expect(err).toBeInstanceOf(PoolError)
      expect(['ERR_INVALID_URL', 'ERR_INVALID_ARGUMENT']).toContain(err.code)
    }
  })
})
