/**
 * resolveUrl (issue 2, item 7; SPEC option `resolveUrl`): awaited before every connection
 * attempt, reconnects included; the pool key stays the URL given to acquire.
 */
import { describe, expect, it } from 'vitest'
import { delay, eventually, newPool, ofType, recordEvents, rejectionOf, startServer } from '../helpers/harness.js'

describe('resolveUrl', () => {
  it('is awaited before every attempt, reconnects included (token rotation)', async () => {
    const server = await startServer()
    const calls: string[] = []
    let token = 0
    const pool = newPool({
      breaker: false,
      reconnect: { initialDelay: 10, jitter: 0 },
      resolveUrl: async (url) => {
        calls.push(url)
        await delay(20)
        return `${url}?token=t${++token}`
      },
    })
    const lease = await pool.acquire(`${server.url}/echo`)
    expect(server.lastUpgrade()?.query.token).toBe('t1')
    expect(calls).toEqual([`${server.url}/echo`])

    server.dropAll()
    await eventually(() => expect(server.counts().accepted).toBe(2))
    await eventually(() => expect(lease.state).toBe('open'))
    expect(server.lastUpgrade()?.query.token).toBe('t2')

    server.dropAll()
    await eventually(() => expect(server.counts().accepted).toBe(3))
    expect(server.lastUpgrade()?.query.token).toBe('t3')
    expect(calls).toHaveLength(3)
    // The key and the lease stay those of the acquired URL.
    expect(lease.origin).toBe(server.url)
    expect(Object.keys(pool.stats().hosts)).toEqual([server.url])
    lease.release()
  })

  it('is called for failed attempts too (each retry resolves afresh)', async () => {
    const server = await startServer()
    server.setRefuse(true)
    let n = 0
    const pool = newPool({
      breaker: false,
      reconnect: { initialDelay: 10, maxDelay: 20, jitter: 0 },
      resolveUrl: (url) => `${url}?attempt=${++n}`,
    })
    const acquiring = pool.acquire(`${server.url}/echo`)
    await eventually(() => expect(n).toBeGreaterThanOrEqual(3))
    server.setRefuse(false)
    const lease = await acquiring
    expect(Number(server.lastUpgrade()?.query.attempt)).toBe(n)
    lease.release()
  })

  it('is not called when an idle connection is reused; reuse is keyed by the acquired URL', async () => {
    const server = await startServer()
    let n = 0
    const pool = newPool({ breaker: false, resolveUrl: (url) => `${url}?n=${++n}` })
    const a = await pool.acquire(`${server.url}/echo`)
    a.release()
    const b = await pool.acquire(`${server.url}/echo`)
    expect(b.id).toBe(a.id)
    expect(n).toBe(1)
    b.release()
  })

  it('may point at another host; the pool key stays the acquired origin', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, maxPerHost: 1, resolveUrl: () => `${server.url}/real` })
    const lease = await pool.acquire('ws://logical.invalid/socket')
    expect(lease.origin).toBe('ws://logical.invalid')
    expect(server.lastUpgrade()?.path).toBe('/real')
    expect(Object.keys(pool.stats().hosts)).toEqual(['ws://logical.invalid'])
    lease.release()
  })

  it('close() while resolveUrl is pending: no socket is opened afterwards', async () => {
    const server = await startServer()
    let release: (() => void) | undefined
    const pool = newPool({
      breaker: false,
      resolveUrl: (url) => new Promise<string>((resolve) => (release = () => resolve(url))),
    })
    const acquiring = pool.acquire(`${server.url}/echo`).then(
      () => 'fulfilled',
      (e: { code?: string }) => e.code,
    )
    await eventually(() => expect(release).toBeDefined())
    await pool.close()
    release!()
    expect(await acquiring).toBe('ERR_POOL_CLOSED')
    await delay(100)
    expect(server.counts().accepted).toBe(0)
  })

  it('a throwing resolveUrl is a failed attempt: error event, and ERR_CONNECT_FAILED with it as cause', async () => {
    const server = await startServer()
    const failure = new Error('token service down')
    const pool = newPool({
      breaker: false,
      reconnect: false,
      resolveUrl: async () => {
        throw failure
      },
    })
    const events = recordEvents(pool)
    const err = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(err.code).toBe('ERR_CONNECT_FAILED')
    expect(err.cause).toBe(failure)
    expect(ofType(events, 'error')).toEqual([expect.objectContaining({ origin: server.url, error: failure })])
    expect(server.counts().accepted).toBe(0)
    expect(pool.stats().hosts[server.url]).toMatchObject({ connections: 0, pending: 0 })
  })

  it('a resolveUrl returning an invalid URL fails the attempt with a PoolError', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, reconnect: false, resolveUrl: () => 'http://example.com/not-ws' })
    const err = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(['ERR_CONNECT_FAILED', 'ERR_INVALID_URL']).toContain(err.code)
    expect(server.counts().accepted).toBe(0)
  })
})
