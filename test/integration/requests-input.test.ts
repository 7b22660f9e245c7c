/**
 * Bad input to requests, shared leases and lists (issue 8; SPEC "Requests", "Precise semantics /
 * Requests", "Send data", "Option values"): always a `PoolError`, and nothing else harmed. A
 * payload the default codec cannot encode rejects ERR_INVALID_ARGUMENT before anything is opened or
 * sent; a custom codec's `encode` that throws fails that request only, its `decode` that throws is
 * an `error` event and the message counts as unmatched; an empty list is ERR_INVALID_ARGUMENT, an
 * invalid URL in a list ERR_INVALID_URL; `shared` and `idempotent` must be booleans; `timeout`,
 * `priority` and `signal` are checked as for acquire.
 *
 * Written before the implementation: these fail until `pool.request` lands.
 */
import { describe, expect, it } from 'vitest'
import { PoolError, type Codec } from '../../src/index.js'
import { delay, eventually, nextEvent, rejectionOf, startServer } from '../helpers/harness.js'
import { messages, rpcPool, type RPool } from '../helpers/requests.js'
import { rawSockets } from '../helpers/sockets.js'
import type { TestServer } from '../server/test-server.js'

const cyclic: Record<string, unknown> = { a: 1 }
cyclic.self = cyclic

/** The `{ id, data }` envelope written by hand, with optional failures. */
function envelope(hooks: { encode?: (payload: unknown) => void; decode?: (data: unknown) => void } = {}): Codec {
  return {
    encode(id, payload) {
      hooks.encode?.(payload)
      return JSON.stringify({ id, data: payload })
    },
    decode(data) {
      hooks.decode?.(data)
      if (typeof data !== 'string') return undefined
      try {
        const m = JSON.parse(data)
        return Number.isInteger(m?.id) ? { id: m.id, payload: m.data } : undefined
      } catch {
        return undefined
      }
    },
  }
}

/** Expects nothing to have been opened or sent (after letting anything queued run). */
async function expectUntouched(server: TestServer, pool: RPool, constructed: () => number): Promise<void> {
  await delay(20)
  expect(constructed()).toBe(0)
  expect(server.counts().accepted).toBe(0)
  expect(pool.stats().totals).toMatchObject({ created: 0, pending: 0, inFlight: 0 })
}

describe('payloads the default codec cannot encode', () => {
  it.each([
    ['a BigInt', 10n, true],
    ['a nested BigInt', { n: [1n] }, true],
    ['a cycle', cyclic, true],
    ['a function', () => 1, false],
    ['undefined', undefined, false],
    ['a symbol', Symbol('s'), false],
  ])('%s: ERR_INVALID_ARGUMENT before anything is opened or sent', async (_name, payload, throwsInJson) => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = rpcPool({ WebSocket: sockets.WebSocket })
    const err = await rejectionOf(pool.request(`${server.url}/rpc`, payload))
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_INVALID_ARGUMENT')
    if (throwsInJson) expect(err.cause).toBeInstanceOf(TypeError) // what JSON.stringify threw
    await expectUntouched(server, pool, sockets.constructed)
  })

  it('harms nothing else: a request in flight on the connection completes', async () => {
    const server = await startServer()
    const pool = rpcPool()
    const url = `${server.url}/rpc`
    const ok = pool.request(url, { token: 'ok', delay: 100 })
    await eventually(() => expect(server.rpc().pending).toBe(1))
    expect((await rejectionOf(pool.request(url, { bad: 1n }))).code).toBe('ERR_INVALID_ARGUMENT')
    expect(await ok).toEqual({ token: 'ok', delay: 100 })
    expect(server.rpc().received).toHaveLength(1)
    expect(server.counts().accepted).toBe(1)
    expect(pool.stats().hosts[server.url]).toMatchObject({ inFlight: 0, pending: 0, requests: 1 })
  })
})

describe('a custom codec', () => {
  it('replaces the envelope both ways; what it can encode is its business', async () => {
    const server = await startServer()
    const codec: Codec = {
      encode: (id, payload) => JSON.stringify({ id, data: { body: payload } }, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)),
      decode(data) {
        const m = typeof data === 'string' && data.startsWith('{') ? JSON.parse(data) : undefined
        return Number.isInteger(m?.id) ? { id: m.id, payload: m.data?.body } : undefined
      },
    }
    const pool = rpcPool({ codec })
    expect(await pool.request(`${server.url}/rpc`, { n: 1 })).toEqual({ n: 1 })
    expect(await pool.request(`${server.url}/rpc`, 10n)).toBe('10n')
    expect(server.rpc().received.map((r) => r.data)).toEqual([{ body: { n: 1 } }, { body: '10n' }])
  })

  it('encode throws: that request rejects ERR_INVALID_ARGUMENT with the thrown value as cause; the others carry on', async () => {
    const server = await startServer()
    const thrown = new Error('cannot encode this')
    const pool = rpcPool({
      codec: envelope({
        encode: (p) => {
          if (p === 'bad') throw thrown
          if (p === 'odd') throw 'a string, not an Error'
        },
      }),
    })
    const url = `${server.url}/rpc`
    const good = [pool.request(url, { token: 1, delay: 50 }), pool.request(url, { token: 2 })]
    const bad = pool.request(url, 'bad')
    const odd = pool.request(url, 'odd')
    good.push(pool.request(url, { token: 3 }))
    const err = await rejectionOf(bad)
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_INVALID_ARGUMENT')
    expect(err.cause).toBe(thrown)
    expect((await rejectionOf(odd)).cause).toBe('a string, not an Error')
    expect(await Promise.all(good)).toEqual([{ token: 1, delay: 50 }, { token: 2 }, { token: 3 }])
    expect(server.rpc().received).toHaveLength(3)
    expect(pool.stats().hosts[server.url]).toMatchObject({ inFlight: 0, pending: 0 })
  })

  it('encode returns something send cannot take: ERR_INVALID_ARGUMENT for that request', async () => {
    const server = await startServer()
    const pool = rpcPool({ codec: { encode: (id, p) => (p === 'bad' ? (42 as never) : JSON.stringify({ id, data: p })), decode: envelope().decode } })
    expect((await rejectionOf(pool.request(`${server.url}/rpc`, 'bad'))).code).toBe('ERR_INVALID_ARGUMENT')
    expect(await pool.request(`${server.url}/rpc`, 'good')).toBe('good')
  })

  it('decode throws: an error event reports it (a PoolError with cause), the message is unmatched, the connection carries on', async () => {
    const server = await startServer()
    const thrown = new Error('cannot decode this')
    const decode = (d: unknown): void => {
      if (typeof d === 'string' && d.startsWith('{"push"')) throw thrown
    }
    const pool = rpcPool({ codec: envelope({ decode }) })
    const got = messages(pool)
    const url = `${server.url}/rpc`
    const reported = nextEvent(pool, 'error')
    expect(await pool.request(url, { token: 'r', push: 'x' })).toEqual({ token: 'r', push: 'x' })
    const event = await reported
    expect(event).toMatchObject({ origin: server.url, url })
    expect(event.error).toBeInstanceOf(PoolError)
    expect(event.error.cause).toBe(thrown)
    await eventually(() => expect(got.map((e) => e.data)).toEqual(['{"push":"x"}']))
    expect(await pool.request(url, 'next')).toBe('next')
    expect(server.counts()).toMatchObject({ accepted: 1, open: 1 })
  })
})

describe('URL lists', () => {
  it('an empty list: ERR_INVALID_ARGUMENT for acquire and request; nothing opened', async () => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = rpcPool({ WebSocket: sockets.WebSocket })
    for (const attempt of [pool.acquire([]), pool.acquire([], { shared: true }), pool.request([], 'x')]) {
      const err = await rejectionOf(attempt)
      expect(err).toBeInstanceOf(PoolError)
      expect(err.code).toBe('ERR_INVALID_ARGUMENT')
    }
    await expectUntouched(server, pool, sockets.constructed)
  })

  it('an invalid URL anywhere in a list: ERR_INVALID_URL, and nothing opened for the valid ones', async () => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = rpcPool({ WebSocket: sockets.WebSocket })
    for (const bad of ['http://127.0.0.1:1/x', 'https://example.com/', 'not a url', '/relative', 42, null]) {
      for (const list of [[`${server.url}/rpc`, bad], [bad, `${server.url}/rpc`]] as string[][]) {
        for (const attempt of [pool.acquire(list), pool.request(list, 'x')]) {
          const err = await rejectionOf(attempt)
          expect(err, `list ${JSON.stringify(list)}`).toBeInstanceOf(PoolError)
          expect(err.code, `list ${JSON.stringify(list)}`).toBe('ERR_INVALID_URL')
        }
      }
    }
    await expectUntouched(server, pool, sockets.constructed)
  })

  it('requireSecure: a ws: URL in a list is refused with ERR_INVALID_URL', async () => {
    const pool = rpcPool({ requireSecure: true })
    expect((await rejectionOf(pool.acquire(['wss://127.0.0.1:1/x', 'ws://127.0.0.1:1/y']))).code).toBe('ERR_INVALID_URL')
    expect((await rejectionOf(pool.request(['wss://127.0.0.1:1/x', 'ws://127.0.0.1:1/y'], 1))).code).toBe('ERR_INVALID_URL')
  })
})

describe('options', () => {
  /** Each value must reject with ERR_INVALID_ARGUMENT naming the option; nothing opened. */
  async function expectRefused(make: (pool: RPool, url: string) => Promise<unknown>[], name: string): Promise<void> {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = rpcPool({ WebSocket: sockets.WebSocket })
    for (const [i, attempt] of make(pool, `${server.url}/rpc`).entries()) {
      const err = await rejectionOf(attempt)
      expect(err, `case ${i}`).toBeInstanceOf(PoolError)
      expect(err.code, `case ${i}: ${err.message}`).toBe('ERR_INVALID_ARGUMENT')
      expect(err.message, `case ${i}`).toContain(name)
    }
    await expectUntouched(server, pool, sockets.constructed)
  }
  const not = <T>(v: unknown): T => v as T

  it('shared must be a boolean', () =>
    expectRefused((pool, url) => ['yes', 1, 0, null, {}].map((v) => pool.acquire(url, { shared: not(v) })), 'shared'))

  it('idempotent must be a boolean', () =>
    expectRefused((pool, url) => ['yes', 1, 0, null, {}].map((v) => pool.request(url, 'x', { idempotent: not(v) })), 'idempotent'))

  it('timeout as for acquire: ms in [1, 2147483647] or Infinity', () =>
    expectRefused((pool, url) => [0, -1, NaN, 2 ** 31, '100', null].map((v) => pool.request(url, 'x', { timeout: not(v) })), 'timeout'))

  it('priority as for acquire: a finite number', () =>
    expectRefused((pool, url) => [NaN, Infinity, -Infinity, '1', null].map((v) => pool.request(url, 'x', { priority: not(v) })), 'priority'))

  it('signal as for acquire: an AbortSignal', () =>
    expectRefused((pool, url) => [{}, 'signal', null, { aborted: false }].map((v) => pool.request(url, 'x', { signal: not(v) })), 'signal'))

  it('options must be an object; unknown keys are refused (a typo, or an option of the other call)', async () => {
    const server = await startServer()
    const pool = rpcPool()
    const url = `${server.url}/rpc`
    const attempts = [
      ...['x', 5, null].map((v) => pool.request(url, 'x', not(v))),
      pool.request(url, 'x', not({ timout: 100 })),
      pool.request(url, 'x', not({ shared: true })),
      pool.acquire(url, not({ idempotent: true })),
      pool.acquire(url, not({ shraed: true })),
    ]
    for (const [i, attempt] of attempts.entries()) expect((await rejectionOf(attempt)).code, `case ${i}`).toBe('ERR_INVALID_ARGUMENT')
    await delay(20)
    expect(server.counts().accepted).toBe(0)
  })

  it('after drain() or close(), requests reject ERR_POOL_CLOSED', async () => {
    const server = await startServer()
    const pool = rpcPool()
    await pool.drain()
    expect((await rejectionOf(pool.request(`${server.url}/rpc`, 'x'))).code).toBe('ERR_POOL_CLOSED')
    expect((await rejectionOf(pool.acquire([`${server.url}/rpc`], { shared: true }))).code).toBe('ERR_POOL_CLOSED')
  })
})
