/**
 * Option validation (issue 2, item 1; SPEC "createPool(options?) options" and
 * "Precise semantics / Option values"): every invalid value throws PoolError
 * ERR_INVALID_OPTION at createPool time, naming the option, the value and the expectation.
 */
import { describe, expect, it } from 'vitest'
import { createPool, PoolError } from '../../src/index.js'
import { newPool, startServer, thrownBy, type PoolOptions } from '../helpers/harness.js'

const MAX_TIMER = 2147483647

function invalidOption(options: unknown): PoolError {
  let pool: ReturnType<typeof createPool> | undefined
  const err = thrownBy(() => {
    pool = createPool(options as PoolOptions)
  })
  // A pool that was (wrongly) created must not leak into later tests.
  void pool?.close()
  expect(err).toBeInstanceOf(PoolError)
  expect(err).toBeInstanceOf(Error)
  expect(err.code).toBe('ERR_INVALID_OPTION')
  return err
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value
  return String(value)
}

const durations = ['acquireTimeout', 'connectTimeout', 'idleTimeout', 'maxLifetime', 'requestTimeout'] as const

describe('valid options', () => {
  it('createPool() and createPool({}) accept no options', async () => {
    await newPool().close()
    await newPool({}).close()
    await newPool(undefined).close()
  })

  it.each<[string, PoolOptions]>([
    ['maxPerHost 1', { maxPerHost: 1 }],
    ['maxPerHost Infinity', { maxPerHost: Infinity }],
    ['maxTotal 1', { maxTotal: 1 }],
    ['maxTotal Infinity', { maxTotal: Infinity }],
    ['maxUses 1 / Infinity', { maxUses: 1 }],
    ['maxUses Infinity', { maxUses: Infinity }],
    ['maxQueue 0 (never queue)', { maxQueue: 0 }],
    ['maxQueue Infinity', { maxQueue: Infinity }],
    ['minIdlePerHost 0', { minIdlePerHost: 0 }],
    ['minIdlePerHost == maxPerHost', { maxPerHost: 2, minIdlePerHost: 2 }],
    ...durations.flatMap((name): [string, PoolOptions][] => [
      [`${name} 1`, { [name]: 1 }],
      [`${name} 2147483647`, { [name]: MAX_TIMER }],
      [`${name} Infinity`, { [name]: Infinity }],
    ]),
    ['reconnect false', { reconnect: false }],
    ['reconnect true', { reconnect: true }],
    ['reconnect {}', { reconnect: {} }],
    [
      'reconnect full object',
      {
        reconnect: {
          initialDelay: 10,
          factor: 1,
          maxDelay: 10,
          jitter: 0,
          maxAttempts: 0,
          minUptime: 1,
          shouldReconnect: () => true,
        },
      },
    ],
    ['reconnect jitter 1, maxAttempts Infinity', { reconnect: { jitter: 1, maxAttempts: Infinity } }],
    ['buffer object', { buffer: { maxMessages: 10, maxBytes: 1024 } }],
    ['protocols string', { protocols: 'chat' }],
    ['protocols array', { protocols: ['a', 'b'] }],
    ['binaryType arraybuffer', { binaryType: 'arraybuffer' }],
    ['binaryType nodebuffer (Node)', { binaryType: 'nodebuffer' }],
    ['requireSecure true', { requireSecure: true }],
    ['resolveUrl function', { resolveUrl: (url: string) => url }],
    ['wsOptions object', { wsOptions: { headers: { 'x-a': 'b' } } }],
  ])('accepts %s', async (_name, options) => {
    const pool = newPool(options)
    await pool.close()
  })
})

describe('invalid options throw ERR_INVALID_OPTION at once', () => {
  const counts: [string, unknown[]][] = [
    ['maxPerHost', [0, -1, 1.5, NaN, -Infinity, '6', null, true, {}]],
    ['maxTotal', [0, -3, 2.5, NaN, '10', null]],
    ['maxUses', [0, -1, 0.5, NaN, 'many', null]],
    ['maxQueue', [-1, 1.5, NaN, -Infinity, '0', null]],
    ['minIdlePerHost', [-1, 0.5, NaN, '1', null]],
  ]
  for (const [name, values] of counts) {
    it.each(values.map((v) => [describeValue(v), v]))(`${name}: %s`, (_label, value) => {
      const err = invalidOption({ [name]: value })
      expect(err.message).toContain(name)
    })
  }

  for (const name of durations) {
    it.each([0, -1, NaN, -Infinity, MAX_TIMER + 1, 1e12, '1000', null, false].map((v) => [describeValue(v), v]))(
      `${name}: %s`,
      (_label, value) => {
        const err = invalidOption({ [name]: value })
        expect(err.message).toContain(name)
      },
    )
  }

  it('messages name the option, the value and the expectation', () => {
    const zero = invalidOption({ maxPerHost: 0 })
    expect(zero.message).toContain('maxPerHost')
    expect(zero.message).toMatch(/\b0\b/)
    expect(zero.message).toMatch(/integer|>=|at least|Infinity/i)

    const nan = invalidOption({ acquireTimeout: NaN })
    expect(nan.message).toContain('acquireTimeout')
    expect(nan.message).toContain('NaN')

    const big = invalidOption({ connectTimeout: MAX_TIMER + 1 })
    expect(big.message).toContain('connectTimeout')
    expect(big.message).toContain(String(MAX_TIMER + 1))

    const str = invalidOption({ idleTimeout: '30s' })
    expect(str.message).toContain('idleTimeout')
    expect(str.message).toContain('30s')
  })

  it('minIdlePerHost above maxPerHost (explicit or default 6)', () => {
    expect(invalidOption({ maxPerHost: 2, minIdlePerHost: 3 }).message).toContain('minIdlePerHost')
    expect(invalidOption({ minIdlePerHost: 7 }).message).toContain('minIdlePerHost')
  })

  it('unknown top-level keys are rejected (a typo never passes silently)', () => {
    const err = invalidOption({ maxPerhost: 3 })
    expect(err.message).toContain('maxPerhost')
    invalidOption({ maxPerHost: 3, idleTimeOut: 100 })
    invalidOption({ foo: undefined })
  })

  it('options that are not an object are rejected, null included', () => {
    invalidOption(null)
    invalidOption('maxPerHost=3')
    invalidOption(42)
  })

  describe('reconnect', () => {
    it.each<[string, unknown]>([
      ['null', null],
      ['a string', 'yes'],
      ['a number', 1],
      ['factor < 1', { factor: 0.5 }],
      ['factor NaN', { factor: NaN }],
      ['jitter > 1', { jitter: 1.5 }],
      ['jitter < 0', { jitter: -0.1 }],
      ['jitter NaN', { jitter: NaN }],
      ['maxAttempts < 0', { maxAttempts: -1 }],
      ['maxAttempts fractional', { maxAttempts: 1.5 }],
      ['maxAttempts string', { maxAttempts: '3' }],
      ['initialDelay > maxDelay', { initialDelay: 1000, maxDelay: 500 }],
      ['initialDelay 0', { initialDelay: 0 }],
      ['initialDelay negative', { initialDelay: -5 }],
      ['initialDelay above 2147483647', { initialDelay: MAX_TIMER + 1, maxDelay: MAX_TIMER + 1 }],
      ['maxDelay NaN', { maxDelay: NaN }],
      ['maxDelay Infinity (not a "no limit" duration)', { maxDelay: Infinity }],
      ['minUptime 0', { minUptime: 0 }],
      ['minUptime NaN', { minUptime: NaN }],
      ['shouldReconnect not a function', { shouldReconnect: 'never' }],
      ['shouldReconnect null', { shouldReconnect: null }],
      ['unknown nested key', { initalDelay: 100 }],
      ['nested null value', { factor: null }],
    ])('%s', (_name, reconnect) => {
      const err = invalidOption({ reconnect })
      expect(err.message).toContain('reconnect')
    })

    it('nested messages name the nested option', () => {
      expect(invalidOption({ reconnect: { factor: 0.5 } }).message).toContain('factor')
      expect(invalidOption({ reconnect: { jitter: 2 } }).message).toContain('jitter')
      expect(invalidOption({ reconnect: { initalDelay: 1 } }).message).toContain('initalDelay')
    })
  })

  describe('buffer', () => {
    it.each<[string, unknown]>([
      ['null', null],
      ['a number', 1000],
      ['maxMessages negative', { maxMessages: -1 }],
      ['maxMessages fractional', { maxMessages: 1.5 }],
      ['maxMessages NaN', { maxMessages: NaN }],
      ['maxBytes negative', { maxBytes: -1 }],
      ['maxBytes string', { maxBytes: '1MiB' }],
      ['unknown nested key', { maxMesages: 10 }],
      ['nested null value', { maxBytes: null }],
    ])('%s', (_name, buffer) => {
      const err = invalidOption({ buffer })
      expect(err.message).toContain('buffer')
    })
  })

  describe('heartbeat and breaker (false or an object)', () => {
    it.each<[string, Record<string, unknown>]>([
      ['heartbeat null', { heartbeat: null }],
      ['heartbeat true', { heartbeat: true }],
      ['heartbeat a number', { heartbeat: 1000 }],
      ['heartbeat.interval 0', { heartbeat: { interval: 0 } }],
      ['heartbeat.timeout NaN', { heartbeat: { timeout: NaN } }],
      ['heartbeat.interval above 2147483647', { heartbeat: { interval: MAX_TIMER + 1 } }],
      ['heartbeat.isPong not a function', { heartbeat: { isPong: 'pong' } }],
      ['heartbeat unknown nested key', { heartbeat: { intervall: 1000 } }],
      ['breaker null', { breaker: null }],
      ['breaker a string', { breaker: 'on' }],
      ['breaker.failures 0', { breaker: { failures: 0 } }],
      ['breaker.failures fractional', { breaker: { failures: 2.5 } }],
      ['breaker.cooldown 0', { breaker: { cooldown: 0 } }],
      ['breaker unknown nested key', { breaker: { failure: 3 } }],
    ])('%s', (_name, options) => {
      const err = invalidOption(options)
      expect(err.message).toContain(Object.keys(options)[0])
    })

    it.each<[string, PoolOptions]>([
      ['heartbeat false', { heartbeat: false }],
      ['heartbeat {}', { heartbeat: {} }],
      ['heartbeat full', { heartbeat: { interval: 1000, timeout: 500, message: 'ping', isPong: (d) => d === 'pong' } }],
      ['breaker false', { breaker: false }],
      ['breaker {}', { breaker: {} }],
      ['breaker full', { breaker: { failures: 1, cooldown: 1 } }],
    ])('accepts %s', async (_name, options) => {
      await newPool(options).close()
    })
  })

  it.each<[string, Record<string, unknown>]>([
    ['protocols number', { protocols: 5 }],
    ['protocols null', { protocols: null }],
    ['protocols array with a number', { protocols: ['a', 1] }],
    ['binaryType unknown', { binaryType: 'text' }],
    ['binaryType null', { binaryType: null }],
    ['WebSocket not a constructor', { WebSocket: 'ws' }],
    ['WebSocket null', { WebSocket: null }],
    ['wsOptions string', { wsOptions: 'x' }],
    ['wsOptions null', { wsOptions: null }],
    ['requireSecure string', { requireSecure: 'yes' }],
    ['requireSecure null', { requireSecure: null }],
    ['resolveUrl string', { resolveUrl: 'ws://x' }],
    ['resolveUrl null', { resolveUrl: null }],
  ])('%s', (_name, options) => {
    const err = invalidOption(options)
    expect(err.message).toContain(Object.keys(options)[0])
  })
})

describe('resize validates like createPool', () => {
  it.each<[string, Record<string, unknown>]>([
    ['maxPerHost 0', { maxPerHost: 0 }],
    ['maxPerHost NaN', { maxPerHost: NaN }],
    ['maxTotal -1', { maxTotal: -1 }],
    ['maxTotal null', { maxTotal: null }],
    ['minIdlePerHost above maxPerHost', { minIdlePerHost: 7 }],
    ['minIdlePerHost above the new maxPerHost', { maxPerHost: 2, minIdlePerHost: 3 }],
    ['an option resize does not take', { idleTimeout: 10 }],
    ['an unknown key', { maxPerhost: 2 }],
  ])('%s', (_name, change) => {
    const pool = newPool()
    const err = thrownBy(() => pool.resize(change as never))
    expect(err).toBeInstanceOf(PoolError)
    expect(err.code).toBe('ERR_INVALID_OPTION')
  })

  it('a rejected resize changes nothing', async () => {
    const server = await startServer()
    const pool = newPool({ maxPerHost: 2 })
    const lease = await pool.acquire(`${server.url}/echo`)
    thrownBy(() => pool.resize({ maxPerHost: 0 }))
    expect(pool.stats().hosts[server.url].max).toBe(2)
    lease.release()
  })
})

describe('acquire options', () => {
  it.each<[string, unknown]>([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a string', '1'],
    ['null', null],
  ])('priority %s rejects with a PoolError', async (_name, priority) => {
    const server = await startServer()
    const pool = newPool()
    const err = await pool.acquire(`${server.url}/echo`, { priority: priority as number }).then(
      (lease) => {
        lease.release()
        return undefined
      },
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(PoolError)
    expect(['ERR_INVALID_ARGUMENT', 'ERR_INVALID_OPTION']).toContain((err as PoolError).code)
  })

  it.each<[string, Record<string, unknown>]>([
    ['timeout 0', { timeout: 0 }],
    ['timeout negative', { timeout: -5 }],
    ['timeout NaN', { timeout: NaN }],
    ['timeout above 2147483647', { timeout: MAX_TIMER + 1 }],
    ['timeout string', { timeout: '100' }],
    ['an unknown key (typo)', { timout: 100 }],
    ['signal not an AbortSignal', { signal: {} }],
  ])('acquire option %s rejects with a PoolError', async (_name, options) => {
    const server = await startServer()
    const pool = newPool()
    const err = await pool.acquire(`${server.url}/echo`, options as never).then(
      (lease) => {
        lease.release()
        return undefined
      },
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(PoolError)
    expect(['ERR_INVALID_ARGUMENT', 'ERR_INVALID_OPTION']).toContain((err as PoolError).code)
    expect(server.counts().accepted).toBe(0)
  })

  it('priority accepts any finite number', async () => {
    const server = await startServer()
    const pool = newPool()
    for (const priority of [-1e9, -1.5, 0, 3.25, 1e9]) {
      const lease = await pool.acquire(`${server.url}/echo`, { priority })
      lease.release()
    }
  })
})
