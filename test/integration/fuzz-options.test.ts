/**
 * Property-based tests of `createPool(options)` (issue 10, section 5; README "Pool options",
 * SPEC "Precise semantics / Option values"). Inputs: every option of the README's table with
 * valid, borderline and invalid values (0, negatives, NaN, Infinity, huge, wrong types, null,
 * nested objects with unknown keys, functions that throw), unknown keys, and non-objects.
 *
 * 1. Any input is accepted, or throws a `PoolError` `ERR_INVALID_OPTION` whose message names the
 *    option (a key the input has, or `options` for an input that is not an object); never a
 *    `TypeError` or `RangeError` from inside.
 * 2. Valid options (drawn from the documented ranges) are always accepted, and the pool they make
 *    works: an acquire, a request and a `send` (with callbacks that throw, reject, return garbage
 *    or never settle) each settle within their timeouts with a value or a documented code; after
 *    `close()` the stats are back to zero and the server has no socket open.
 *
 * Seeded (see test/helpers/fuzz.ts): FUZZ_RUNS and FUZZ_SEED run longer or elsewhere.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PoolError, createPool, type Codec } from '../../src/index.js'
import { anyNumber, expectDocumented, expectEmpty, fuzzParams, oddValue, settleWithin, track, type Code } from '../helpers/fuzz.js'
import { eventually, startServer, type PoolOptions } from '../helpers/harness.js'
import { redirectWebSocket } from '../helpers/redirect-websocket.js'

const throwing = () => {
  throw new Error('thrown by an option callback')
}

/** A value for a numeric option: any number or any odd value. */
const num = () => fc.oneof({ weight: 3, arbitrary: anyNumber() }, { weight: 1, arbitrary: oddValue() })

/** A nested option object: some of `keys` with `value()`s, sometimes an unknown or misspelt key. */
function nested(keys: string[], value: (key: string) => fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const record = fc.record(Object.fromEntries(keys.map((k) => [k, value(k)])), { requiredKeys: [] })
  const extra = fc.dictionary(fc.oneof(fc.constantFrom(...keys.map((k) => k.slice(1)), ...keys.map((k) => k.toUpperCase())), fc.string()), fc.anything(), { maxKeys: 1 })
  return fc.oneof(
    { weight: 4, arbitrary: record },
    { weight: 1, arbitrary: fc.tuple(record, extra).map(([r, e]) => ({ ...r, ...e })) },
    { weight: 1, arbitrary: fc.oneof(fc.boolean(), oddValue()) },
  )
}

const callback = () => fc.constantFrom<unknown>(() => true, () => false, throwing, async () => 'x', 'not a function', null)

const VALUE: Record<string, () => fc.Arbitrary<unknown>> = {
  maxPerHost: num, maxTotal: num, minIdlePerHost: num, maxQueue: num, acquireTimeout: num, connectTimeout: num,
  idleTimeout: num, maxLifetime: num, maxUses: num, requestTimeout: num, sharedLimit: num,
  reconnect: () => nested(['initialDelay', 'factor', 'maxDelay', 'jitter', 'maxAttempts', 'minUptime', 'shouldReconnect'], (k) => (k === 'shouldReconnect' ? callback() : num())),
  heartbeat: () => nested(['interval', 'timeout', 'message', 'isPong'], (k) =>
    k === 'isPong' ? callback() : k === 'message' ? fc.oneof(fc.string(), fc.constant(new Uint8Array(2)), fc.constant(new ArrayBuffer(1)), oddValue()) : num()),
  buffer: () => nested(['maxMessages', 'maxBytes'], num),
  breaker: () => nested(['failures', 'cooldown'], num),
  protocols: () => fc.oneof(fc.constantFrom('a', 'chat.v1', '', 'a b', 'é', ['a', 'a'], ['a', 'b'], [], ['x', 1]), fc.string(), fc.array(fc.string(), { maxLength: 3 }), oddValue()),
  binaryType: () => fc.oneof(fc.constantFrom('arraybuffer', 'blob', 'nodebuffer', 'ArrayBuffer', ''), oddValue()),
  codec: () => fc.oneof(
    fc.record({ encode: callback(), decode: callback() }, { requiredKeys: [] }),
    oddValue(),
  ),
  WebSocket: () => fc.oneof(fc.constantFrom<unknown>(class {}, throwing, () => ({})), oddValue()),
  wsOptions: () => fc.oneof(fc.constantFrom({}, { headers: { a: 'b' } }), oddValue()),
  requireSecure: () => fc.oneof(fc.boolean(), oddValue()),
  resolveUrl: () => fc.oneof(callback(), oddValue()),
}
const KNOWN = Object.keys(VALUE)

/** Options as a user might write them, right or wrong: known keys, typos, unknown keys. */
const anyOptions: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(
    fc.record(Object.fromEntries(KNOWN.map((k) => [k, VALUE[k]()])), { requiredKeys: [] }),
    fc.dictionary(fc.oneof(fc.constantFrom('maxPerHots', 'MaxTotal', 'timeout', 'reconect', '__proto__', 'constructor'), fc.string()), fc.anything(), { maxKeys: 2 }),
    fc.boolean(),
  ).map(([known, extra, withExtra]) => (withExtra ? { ...known, ...extra } : known)) },
  { weight: 1, arbitrary: oddValue() },
)

describe('createPool with any options', () => {
  it('accepts them or throws ERR_INVALID_OPTION naming the option, never anything else', () => {
    fc.assert(
      fc.property(anyOptions, (options) => {
        let pool: ReturnType<typeof createPool> | undefined
        try {
          pool = createPool(options as PoolOptions)
        } catch (error) {
          expectDocumented('createPool', error, ['ERR_INVALID_OPTION'])
          const message = (error as PoolError).message
          const given = typeof options === 'object' && options !== null && !Array.isArray(options) ? Object.keys(options) : []
          // The option blamed is one the input has (by name, or as the root of a nested one's dotted
          // path), or, for an input that is not an object, `options`.
          const names = given.length === 0 ? ['`options`'] : given.flatMap((k) => [`\`${k}\``, `\`${k}.`])
          expect(names.some((n) => message.includes(n)), message).toBe(true)
          return
        }
        void pool.close()
      }),
      fuzzParams(2000),
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Valid options, then use

const duration = (max: number) => fc.integer({ min: 1, max })
const orInfinity = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: a }, { weight: 1, arbitrary: fc.constant(Infinity) })

/** A codec as a user might get it wrong: encode/decode that throw or return garbage. */
const codec = fc.constantFrom<Codec | undefined>(
  undefined,
  { encode: (id, payload) => JSON.stringify({ id, data: payload }), decode: (d) => { const m = JSON.parse(String(d)); return { id: m.id, payload: m.data } } },
  { encode: throwing, decode: throwing },
  { encode: () => 42 as never, decode: () => 42 as never },
  { encode: () => ({}) as never, decode: () => null as never },
  { encode: (id) => JSON.stringify({ id, data: 1 }), decode: () => ({ id: 'x', payload: 1 }) as never },
)

/** resolveUrl as a user might get it wrong: throwing, rejecting, garbage, never settling. */
const resolveUrl = fc.constantFrom<((url: string) => string | Promise<string>) | undefined>(
  undefined,
  (url) => url,
  async (url) => `${url}${url.includes('?') ? '&' : '?'}token=t`,
  throwing,
  () => Promise.reject(new Error('resolveUrl rejected')),
  () => 42 as never,
  () => 'not a url',
  () => 'http://127.0.0.1/',
  () => new Promise<string>(() => {}),
)

function validOptions(port: number): fc.Arbitrary<PoolOptions> {
  return fc.record({
    maxPerHost: orInfinity(fc.integer({ min: 1, max: 4 })),
    maxTotal: orInfinity(fc.integer({ min: 1, max: 6 })),
    minIdlePerHost: fc.integer({ min: 0, max: 1 }),
    maxQueue: orInfinity(fc.integer({ min: 0, max: 3 })),
    acquireTimeout: duration(600),
    connectTimeout: orInfinity(duration(400)),
    idleTimeout: orInfinity(fc.integer({ min: 1, max: 2147483647 })),
    maxLifetime: orInfinity(fc.integer({ min: 1, max: 2147483647 })),
    maxUses: orInfinity(fc.integer({ min: 1, max: 3 })),
    reconnect: fc.oneof(fc.boolean(), fc.record({
      initialDelay: duration(20),
      factor: fc.double({ min: 1, max: 3, noNaN: true }),
      maxDelay: fc.integer({ min: 20, max: 100 }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
      maxAttempts: orInfinity(fc.integer({ min: 0, max: 3 })),
      minUptime: fc.integer({ min: 1, max: 2147483647 }),
      shouldReconnect: fc.constantFrom(() => true, () => false, throwing),
    }, { requiredKeys: ['initialDelay'] })), // maxDelay (>= 20) alone would be below the default initialDelay
    heartbeat: fc.oneof(fc.constant(false as const), fc.record({
      interval: duration(200),
      timeout: duration(200),
      message: fc.constantFrom('ping', new Uint8Array([1])),
      isPong: fc.constantFrom((d: unknown) => d === 'ping', throwing),
    }, { requiredKeys: [] })),
    buffer: fc.record({ maxMessages: orInfinity(fc.integer({ min: 0, max: 3 })), maxBytes: orInfinity(fc.integer({ min: 0, max: 64 })) }, { requiredKeys: [] }),
    protocols: fc.constantFrom<string | string[]>([], 'a', ['a', 'b']),
    binaryType: fc.constantFrom('arraybuffer', 'blob', 'nodebuffer'),
    requestTimeout: duration(600),
    codec,
    sharedLimit: orInfinity(fc.integer({ min: 1, max: 3 })),
    WebSocket: fc.constantFrom<unknown>(redirectWebSocket(port), redirectWebSocket(port), throwing, () => ({}), class {}) as fc.Arbitrary<PoolOptions['WebSocket']>,
    wsOptions: fc.constantFrom({}, { headers: { 'x-fuzz': '1' } }),
    requireSecure: fc.boolean(),
    resolveUrl,
    breaker: fc.oneof(fc.constant(false as const), fc.record({ failures: fc.integer({ min: 1, max: 3 }), cooldown: duration(300) }, { requiredKeys: [] })),
    // WebSocket always: every URL goes to the test server (no DNS), or to a constructor that fails.
  }, { requiredKeys: ['acquireTimeout', 'requestTimeout', 'WebSocket'] })
}

const ACQUIRE: Code[] = ['ERR_INVALID_URL', 'ERR_ACQUIRE_TIMEOUT', 'ERR_QUEUE_FULL', 'ERR_CONNECT_FAILED', 'ERR_CIRCUIT_OPEN']
const REQUEST: Code[] = ['ERR_INVALID_URL', 'ERR_INVALID_ARGUMENT', 'ERR_BUFFER_FULL', 'ERR_REQUEST_TIMEOUT', 'ERR_CONNECTION_LOST', 'ERR_QUEUE_FULL', 'ERR_CONNECT_FAILED', 'ERR_CIRCUIT_OPEN']
const SEND: Code[] = [...ACQUIRE, 'ERR_LEASE_CLOSED']

describe('a pool made of valid options', () => {
  it('is accepted and works: every call settles with a value or a documented code, and nothing is left after close', async () => {
    const server = await startServer()
    await fc.assert(
      fc.asyncProperty(validOptions(server.port), fc.constantFrom('ws://fuzz.test', 'wss://fuzz.test:8443'), async (options, origin) => {
        const pool = createPool(options) // valid: must not throw
        const calls = [
          ['acquire', ACQUIRE, track(async () => {
            const lease = await pool.acquire(`${origin}/echo`)
            try {
              lease.send('hello')
            } catch (error) {
              expectDocumented('lease.send', error, ['ERR_LEASE_CLOSED', 'ERR_BUFFER_FULL'])
            }
            lease.release()
          })],
          ['request', REQUEST, track(() => pool.request(`${origin}/rpc`, { n: 1 }))],
          ['send', SEND, track(() => pool.send(`${origin}/echo`, 'x'))],
        ] as const
        // acquireTimeout and requestTimeout are at most 600 ms: each call settles well within 3 s.
        await settleWithin(calls.map((c) => c[2].settled), 3000)
        for (const [what, codes, { outcome }] of calls) {
          const o = outcome()
          if (o.kind === 'pending') throw new Error(`${what} did not settle within 3 s`)
          if (o.kind === 'error') expectDocumented(what, o.error, codes)
        }
        await pool.close()
        expectEmpty(pool)
        await eventually(() => expect(server.counts().open).toBe(0), 5000)
      }),
      fuzzParams(20),
    )
  }, 120_000)
})
