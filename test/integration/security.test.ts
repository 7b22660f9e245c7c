/**
 * Security (issue 2, item 10; SPEC "Security", "Redaction format"): userinfo and query values
 * never appear in events, stats or errors; `requireSecure` refuses ws: URLs.
 */
import { inspect } from 'node:util'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { PoolError } from '../../src/index.js'
import { delay, eventually, newPool, ofType, recordEvents, rejectionOf, startServer, type Pool } from '../helpers/harness.js'
import { redirectWebSocket } from '../helpers/redirect-websocket.js'

const PASSWORD = 'Pw-S3cr3t-9f2a'
const USER = 'alice-user-77c1'
const TOKEN = 'Tok-S3cr3t-41bd'
const ROTATED = 'Rot-S3cr3t-88e0'
const SECRETS = [PASSWORD, USER, TOKEN, ROTATED]

/** Everything a user could see or log about an error: message, stack, cause chain, fields. */
function errorText(err: unknown): string {
  const parts: string[] = [inspect(err, { depth: 10, showHidden: true })]
  let e: unknown = err
  for (let i = 0; i < 5 && e instanceof Error; i++) {
    parts.push(e.message, e.stack ?? '', JSON.stringify(e, Object.getOwnPropertyNames(e)))
    e = e.cause
  }
  return parts.join('\n')
}

function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) {
    expect(text.includes(secret), `${where} leaks ${secret}:\n${text.slice(0, 2000)}`).toBe(false)
  }
}

function expectCleanPool(pool: Pool, events: ReturnType<typeof recordEvents>): void {
  expectNoSecret(JSON.stringify(pool.stats()), 'stats')
  expectNoSecret(Object.keys(pool.stats().hosts).join(' '), 'stats keys')
  for (const { type, payload } of events) {
    expectNoSecret(inspect(payload, { depth: 10, showHidden: true }), `event ${type}`)
    if (payload.error) expectNoSecret(errorText(payload.error), `event ${type} error`)
  }
}

describe('redaction', () => {
  it('a planted password, user and query token appear in no event, stats or error', async () => {
    const server = await startServer()
    const secretUrl = (path: string) => `ws://${USER}:${PASSWORD}@127.0.0.1:${server.port}${path}?token=${TOKEN}&flag`
    const pool = newPool({
      breaker: false,
      maxPerHost: 1,
      maxQueue: 1,
      idleTimeout: 30,
      connectTimeout: 100,
      buffer: { maxMessages: 2, maxBytes: 1000 },
      reconnect: { initialDelay: 10, maxDelay: 20, jitter: 0, maxAttempts: 3 },
      resolveUrl: (url) => `${url}&rotated=${ROTATED}`,
    })
    const events = recordEvents(pool)
    const errors: unknown[] = []
    const catchErr = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => void errors.push(e))

    // open, acquire, message, release, idle eviction, close
    const lease = await pool.acquire(secretUrl('/log'))
    expect(server.lastUpgrade()?.query.token).toBe(TOKEN) // the real URL was used to connect
    expect(server.lastUpgrade()?.query.rotated).toBe(ROTATED)
    lease.send('x')
    // queue full, acquire timeout
    const queued = pool.acquire(secretUrl('/log'), { timeout: 30 })
    await catchErr(pool.acquire(secretUrl('/log')))
    await catchErr(queued)
    // reconnect, buffer full, give up with a drop
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(lease.state).toBe('reconnecting'))
    lease.send('a')
    lease.send('b')
    try {
      lease.send('c')
    } catch (e) {
      errors.push(e)
    }
    await eventually(() => expect(lease.state).toBe('closed'))
    try {
      lease.send('d')
    } catch (e) {
      errors.push(e)
    }
    // connect failures and timeouts on acquire
    await catchErr(pool.acquire(secretUrl('/refused'), { timeout: 60 }))
    server.setRefuse(false)
    const otherOrigin = `ws://${USER}:${PASSWORD}@localhost:${server.port}/hang?token=${TOKEN}`
    await catchErr(pool.acquire(otherOrigin, { timeout: 60 }))
    // invalid URLs carrying secrets
    await catchErr(pool.acquire(`http://${USER}:${PASSWORD}@127.0.0.1:${server.port}/x?token=${TOKEN}`))
    await catchErr(pool.acquire(`wss://${USER}:${PASSWORD}@127.0.0.1:99999/x?token=${TOKEN}`))
    await catchErr(pool.acquire(`ws://${USER}:${PASSWORD}@[bad/x?token=${TOKEN}`))
    // a normal lease, idle eviction
    const again = await pool.acquire(secretUrl('/log'))
    again.release()
    await eventually(() => expect(ofType(events, 'evict').length).toBeGreaterThan(0))
    await pool.close()

    const seen = new Set(events.map((e) => e.type))
    for (const type of ['connect', 'open', 'close', 'reconnecting', 'error', 'acquire', 'release', 'enqueue', 'timeout', 'evict', 'drop']) {
      expect(seen, `no ${type} event was exercised`).toContain(type)
    }
    expect(errors.length).toBeGreaterThanOrEqual(8)
    for (const err of errors) expectNoSecret(errorText(err), `error ${(err as PoolError).code}`)
    expectCleanPool(pool, events)
  })

  it('event URLs use the SPEC redaction format', async () => {
    const server = await startServer()
    const pool = newPool()
    const events = recordEvents(pool)
    const lease = await pool.acquire(`ws://u:p@127.0.0.1:${server.port}/path?token=abc&flag&x=1#frag`)
    const expected = `ws://127.0.0.1:${server.port}/path?token=***&flag&x=***`
    expect(ofType(events, 'acquire')[0].url).toBe(expected)
    expect(ofType(events, 'open')[0].url).toBe(expected)
    expect(lease.origin).toBe(`ws://127.0.0.1:${server.port}`)
    lease.release()
  })

  it('error messages carry the redacted URL, not the secret', async () => {
    const pool = newPool()
    const err = await rejectionOf(pool.acquire(`https://u:${PASSWORD}@example.com/x?token=${TOKEN}`))
    expect(err.code).toBe('ERR_INVALID_URL')
    expectNoSecret(errorText(err), 'ERR_INVALID_URL')
  })
})

describe('requireSecure', () => {
  it('refuses ws: URLs with ERR_INVALID_URL and opens nothing', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, requireSecure: true })
    const err = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_INVALID_URL')
    expect(err.message).toMatch(/requireSecure|wss/)
    expect((await rejectionOf(pool.send(`${server.url}/echo`, 'x'))).code).toBe('ERR_INVALID_URL')
    await delay(20)
    expect(server.counts().accepted).toBe(0)
  })

  it('accepts wss: URLs', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, requireSecure: true, WebSocket: redirectWebSocket(server.port) })
    const lease = await pool.acquire('wss://secure.example/echo')
    expect(lease.origin).toBe('wss://secure.example')
    expect(lease.state).toBe('open')
    lease.release()
  })

  it('without requireSecure ws: is allowed', async () => {
    const server = await startServer()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    expect(lease.state).toBe('open')
    lease.release()
  })
})

describe('message contents', () => {
  it('are never logged, nor put in events, stats or errors', async () => {
    const server = await startServer()
    const CONTENT = 'Msg-S3cr3t-c0ntent'
    const logged: string[] = []
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(inspect(args)))
      onTestFinished(() => spy.mockRestore())
    }
    const pool = newPool({ breaker: false, reconnect: { initialDelay: 10, jitter: 0, maxAttempts: 1 }, buffer: { maxMessages: 1, maxBytes: 1000 } })
    const events = recordEvents(pool)
    const errors: unknown[] = []
    const lease = await pool.acquire(`${server.url}/log?tag=content`)
    lease.send(CONTENT)
    await eventually(() => expect(server.log('content')).toEqual([CONTENT]))
    server.setRefuse(true)
    server.dropAll()
    await eventually(() => expect(lease.state).toBe('reconnecting'))
    lease.send(`${CONTENT}-buffered`)
    try {
      lease.send(`${CONTENT}-overflow`)
    } catch (e) {
      errors.push(e)
    }
    await eventually(() => expect(lease.state).toBe('closed'))
    try {
      lease.send(`${CONTENT}-late`)
    } catch (e) {
      errors.push(e)
    }
    expect(errors).toHaveLength(2)
    const everything = [
      ...logged,
      JSON.stringify(pool.stats()),
      ...events.map((e) => inspect(e.payload, { depth: 10 })),
      ...errors.map(errorText),
    ].join('\n')
    expect(everything.includes(CONTENT)).toBe(false)
    expect(ofType(events, 'drop')).toHaveLength(1)
  })
})

describe('resolveUrl output', () => {
  it('a malformed URL from resolveUrl leaks no secret through events or errors', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, reconnect: false, resolveUrl: () => `ws://${USER}:${PASSWORD}@[bad/x?token=${TOKEN}` })
    const events = recordEvents(pool)
    const err = await rejectionOf(pool.acquire(`${server.url}/echo`))
    expect(err).toBeInstanceOf(PoolError)
    expectNoSecret(errorText(err), `error ${err.code}`)
    expect(ofType(events, 'error')).toHaveLength(1)
    expectCleanPool(pool, events)
  })
})

describe('requireSecure with resolveUrl', () => {
  it('a resolveUrl that returns a ws: URL fails the attempt; nothing reaches the server', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, requireSecure: true, reconnect: false, resolveUrl: () => `${server.url}/echo` })
    const err = await rejectionOf(pool.acquire('wss://secure.example/echo'))
    expect(err).toBeInstanceOf(PoolError)
    expect(['ERR_CONNECT_FAILED', 'ERR_INVALID_URL']).toContain(err.code)
    expect(server.counts().accepted).toBe(0)
  })
})
