/**
 * resolveOptions: the defaults of the SPEC table, a frozen result, and ERR_INVALID_OPTION for
 * every invalid value class, with a message naming the option, the value and the expectation
 * (SPEC "createPool(options?) options", "Precise semantics: Option values").
 */
import { describe, expect, it } from 'vitest'
import { resolveOptions, resolveProtocols, checkMinIdle } from '../../src/core/options.js'
import { defaultShouldReconnect } from '../../src/core/backoff.js'
import { PoolError, describeValue } from '../../src/core/errors.js'

/** Runs `fn`, expects a PoolError with `code`, returns it. */
function thrown(fn: () => unknown, code = 'ERR_INVALID_OPTION'): PoolError {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  expect(error, 'expected a throw').toBeInstanceOf(PoolError)
  const pe = error as PoolError
  expect(pe.code).toBe(code)
  return pe
}

/** Expects `resolveOptions(input)` to fail naming `name`, the value and matching `expectation`. */
function expectInvalid(input: unknown, name: string, value: unknown, expectation: RegExp): void {
  const e = thrown(() => resolveOptions(input))
  expect(e.message).toContain(`\`${name}\``)
  expect(e.message).toContain(`got ${describeValue(value)}`)
  expect(e.message).toMatch(expectation)
}

class FakeWebSocket {
  constructor(readonly url: string) {}
}

describe('resolveOptions defaults (SPEC table)', () => {
  it('no argument, undefined and {} all give the documented defaults', () => {
    for (const o of [resolveOptions(), resolveOptions(undefined), resolveOptions({})]) {
      expect(o.maxPerHost).toBe(6)
      expect(o.maxTotal).toBe(Infinity)
      expect(o.minIdlePerHost).toBe(0)
      expect(o.maxQueue).toBe(Infinity)
      expect(o.acquireTimeout).toBe(10000)
      expect(o.connectTimeout).toBe(10000)
      expect(o.idleTimeout).toBe(30000)
      expect(o.maxLifetime).toBe(Infinity)
      expect(o.maxUses).toBe(Infinity)
      expect(o.reconnect).toEqual({
        initialDelay: 1500, factor: 1.25, maxDelay: 30000, jitter: 0.6, maxAttempts: Infinity, minUptime: 5000,
        shouldReconnect: defaultShouldReconnect,
      })
      expect(o.reconnect && o.reconnect.shouldReconnect).toBe(defaultShouldReconnect)
      expect(o.heartbeat).toBe(false)
      expect(o.buffer).toEqual({ maxMessages: 1000, maxBytes: 1048576 })
      expect(o.protocols).toEqual([])
      expect(o.binaryType).toBe('arraybuffer')
      expect(o.requestTimeout).toBe(10000)
      expect(o.codec).toBeUndefined()
      expect(o.sharedLimit).toBe(Infinity)
      expect(o.WebSocket).toBeUndefined()
      expect(o.wsOptions).toBeUndefined()
      expect(o.requireSecure).toBe(false)
      expect(o.resolveUrl).toBeUndefined()
      expect(o.breaker).toEqual({ failures: 5, cooldown: 30000 })
    }
  })

  it('an option given as undefined takes its default', () => {
    const o = resolveOptions({ maxPerHost: undefined, reconnect: undefined, buffer: undefined })
    expect(o.maxPerHost).toBe(6)
    expect(o.reconnect).toMatchObject({ initialDelay: 1500 })
    expect(o.buffer).toEqual({ maxMessages: 1000, maxBytes: 1048576 })
  })

  it('reconnect: true is the defaults, false is off', () => {
    expect(resolveOptions({ reconnect: true }).reconnect).toEqual(resolveOptions().reconnect)
    expect(resolveOptions({ reconnect: false }).reconnect).toBe(false)
  })

  it('a partial reconnect object keeps the other defaults', () => {
    const r = resolveOptions({ reconnect: { factor: 3, maxAttempts: 0 } }).reconnect
    expect(r).toEqual({
      initialDelay: 1500, factor: 3, maxDelay: 30000, jitter: 0.6, maxAttempts: 0, minUptime: 5000,
      shouldReconnect: defaultShouldReconnect,
    })
  })

  it('heartbeat: {} takes interval 25000, timeout 10000, no message, no isPong', () => {
    expect(resolveOptions({ heartbeat: {} }).heartbeat).toEqual({
      interval: 25000, timeout: 10000, message: undefined, isPong: undefined,
    })
  })

  it('partial buffer and breaker objects keep the other defaults; breaker false is off', () => {
    expect(resolveOptions({ buffer: { maxBytes: 10 } }).buffer).toEqual({ maxMessages: 1000, maxBytes: 10 })
    expect(resolveOptions({ breaker: { failures: 2 } }).breaker).toEqual({ failures: 2, cooldown: 30000 })
    expect(resolveOptions({ breaker: false }).breaker).toBe(false)
    expect(resolveOptions({ heartbeat: false }).heartbeat).toBe(false)
  })

  it('keeps every valid value given', () => {
    const shouldReconnect = () => true
    const isPong = (d: unknown) => d === 'pong'
    const resolveUrl = (u: string) => u
    const codec = { encode: (id: number, p: unknown) => JSON.stringify({ id, p }), decode: () => undefined }
    const o = resolveOptions({
      maxPerHost: 3, maxTotal: 50, minIdlePerHost: 3, maxQueue: 0, acquireTimeout: Infinity,
      connectTimeout: 1, idleTimeout: 2147483647, maxLifetime: 60000, maxUses: 1,
      reconnect: { initialDelay: 1, factor: 1, maxDelay: 1, jitter: 0, maxAttempts: Infinity, minUptime: 2147483647, shouldReconnect },
      heartbeat: { interval: 1000, timeout: 500, message: 'hb', isPong },
      buffer: { maxMessages: 0, maxBytes: 0 }, protocols: ['v1.chat', 'json'], binaryType: 'blob',
      requestTimeout: 1.5, codec, sharedLimit: 2, WebSocket: FakeWebSocket as never,
      wsOptions: { headers: { a: 'b' } }, requireSecure: true, resolveUrl, breaker: { failures: 1, cooldown: 1 },
    })
    expect(o).toMatchObject({
      maxPerHost: 3, maxTotal: 50, minIdlePerHost: 3, maxQueue: 0, acquireTimeout: Infinity,
      connectTimeout: 1, idleTimeout: 2147483647, maxLifetime: 60000, maxUses: 1,
      buffer: { maxMessages: 0, maxBytes: 0 }, protocols: ['v1.chat', 'json'], binaryType: 'blob',
      requestTimeout: 1.5, sharedLimit: 2, wsOptions: { headers: { a: 'b' } }, requireSecure: true,
      breaker: { failures: 1, cooldown: 1 },
    })
    expect(o.reconnect).toEqual({ initialDelay: 1, factor: 1, maxDelay: 1, jitter: 0, maxAttempts: Infinity, minUptime: 2147483647, shouldReconnect })
    expect(o.heartbeat).toEqual({ interval: 1000, timeout: 500, message: 'hb', isPong })
    expect(o.codec).toBe(codec)
    expect(o.WebSocket).toBe(FakeWebSocket)
    expect(o.resolveUrl).toBe(resolveUrl)
  })

  it('accepts a single protocol string as a one-element list, and binary heartbeat messages', () => {
    expect(resolveOptions({ protocols: 'chat' }).protocols).toEqual(['chat'])
    const bin = new Uint8Array([1, 2])
    expect(resolveOptions({ heartbeat: { message: bin } }).heartbeat).toMatchObject({ message: bin })
    const ab = new ArrayBuffer(2)
    expect(resolveOptions({ heartbeat: { message: ab } }).heartbeat).toMatchObject({ message: ab })
    const blob = new Blob(['x'])
    expect(resolveOptions({ heartbeat: { message: blob } }).heartbeat).toMatchObject({ message: blob })
  })

  it.each(['arraybuffer', 'blob', 'nodebuffer'] as const)('binaryType %s is accepted', (t) => {
    expect(resolveOptions({ binaryType: t }).binaryType).toBe(t)
  })
})

describe('resolveOptions result is frozen and detached from the input', () => {
  it('the result and its nested objects are frozen', () => {
    const o = resolveOptions({
      reconnect: { factor: 3 }, heartbeat: {}, buffer: {}, breaker: {}, protocols: ['a'], wsOptions: { x: 1 },
    })
    expect(Object.isFrozen(o)).toBe(true)
    for (const nested of [o.reconnect, o.heartbeat, o.buffer, o.breaker, o.protocols, o.wsOptions]) {
      expect(Object.isFrozen(nested)).toBe(true)
    }
    const d = resolveOptions()
    for (const nested of [d, d.reconnect, d.buffer, d.breaker, d.protocols]) expect(Object.isFrozen(nested)).toBe(true)
    expect(() => {
      ;(o as { maxPerHost: number }).maxPerHost = 99
    }).toThrow(TypeError)
    expect(o.maxPerHost).toBe(6)
  })

  it('later changes to the input do not leak into the result', () => {
    const protocols = ['a', 'b']
    const wsOptions: Record<string, unknown> = { rejectUnauthorized: false }
    const reconnect = { factor: 3 }
    const input = { maxPerHost: 2, protocols, wsOptions, reconnect }
    const o = resolveOptions(input)
    protocols.push('c')
    wsOptions.extra = 1
    reconnect.factor = 9
    input.maxPerHost = 100
    expect(o.protocols).toEqual(['a', 'b'])
    expect(o.wsOptions).toEqual({ rejectUnauthorized: false })
    expect(o.reconnect && o.reconnect.factor).toBe(3)
    expect(o.maxPerHost).toBe(2)
  })

  it('does not mutate or freeze the input', () => {
    const input = { maxPerHost: 2, reconnect: { factor: 3 }, protocols: ['x'] }
    resolveOptions(input)
    expect(Object.isFrozen(input)).toBe(false)
    expect(Object.isFrozen(input.reconnect)).toBe(false)
    expect(Object.isFrozen(input.protocols)).toBe(false)
    expect(input).toEqual({ maxPerHost: 2, reconnect: { factor: 3 }, protocols: ['x'] })
  })
})

describe('invalid options throw ERR_INVALID_OPTION naming option, value and expectation', () => {
  const notNumbers: unknown[] = ['6', null, [], {}, true, () => 1, 6n]

  describe.each(['maxPerHost', 'maxTotal', 'maxUses', 'sharedLimit'])('count %s (integer >= 1 or Infinity)', (name) => {
    it.each([0, -1, 1.5, NaN, -Infinity, ...notNumbers])('rejects %s', (value) => {
      expectInvalid({ [name]: value }, name, value, /an integer >= 1 or Infinity/)
    })
    it.each([1, 7, 1e6, Infinity])('accepts %s', (value) => {
      expect(resolveOptions({ [name]: value })[name as 'maxTotal']).toBe(value)
    })
  })

  describe('maxQueue (integer >= 0 or Infinity)', () => {
    it.each([-1, 0.5, NaN, -Infinity, ...notNumbers])('rejects %s', (value) => {
      expectInvalid({ maxQueue: value }, 'maxQueue', value, /an integer >= 0 or Infinity/)
    })
    it.each([0, 1, Infinity])('accepts %s', (value) => {
      expect(resolveOptions({ maxQueue: value }).maxQueue).toBe(value)
    })
  })

  describe('minIdlePerHost (integer >= 0, <= maxPerHost, never Infinity)', () => {
    it.each([-1, 0.5, NaN, Infinity, ...notNumbers])('rejects %s', (value) => {
      expectInvalid({ minIdlePerHost: value }, 'minIdlePerHost', value, /an integer >= 0/)
    })
    it('rejects minIdlePerHost > maxPerHost, naming both', () => {
      const e = thrown(() => resolveOptions({ maxPerHost: 2, minIdlePerHost: 3 }))
      expect(e.message).toContain('`minIdlePerHost`')
      expect(e.message).toContain('`maxPerHost`')
      expect(e.message).toContain('got 3')
      expect(e.message).toContain('(2)')
      // The default maxPerHost (6) applies when only minIdlePerHost is given.
      expectInvalid({ minIdlePerHost: 7 }, 'minIdlePerHost', 7, /<= `maxPerHost` \(6\)/)
    })
    it('accepts minIdlePerHost equal to maxPerHost, and any value under maxPerHost: Infinity', () => {
      expect(resolveOptions({ maxPerHost: 2, minIdlePerHost: 2 }).minIdlePerHost).toBe(2)
      expect(resolveOptions({ maxPerHost: Infinity, minIdlePerHost: 100 }).minIdlePerHost).toBe(100)
    })
  })

  describe.each(['acquireTimeout', 'connectTimeout', 'idleTimeout', 'maxLifetime', 'requestTimeout'])(
    'duration %s ([1, 2147483647] or Infinity)',
    (name) => {
      it.each([0, -0, 0.5, -1, NaN, -Infinity, 2147483648, 1e12, ...notNumbers])('rejects %s', (value) => {
        expectInvalid({ [name]: value }, name, value, /a duration in ms between 1 and 2147483647 or Infinity/)
      })
      it.each([1, 1.5, 1000, 2147483647, Infinity])('accepts %s', (value) => {
        expect(resolveOptions({ [name]: value })[name as 'idleTimeout']).toBe(value)
      })
    },
  )

  describe('reconnect', () => {
    it.each([null, [], 'yes', 0, 1, () => true])('rejects reconnect: %s', (value) => {
      expectInvalid({ reconnect: value }, 'reconnect', value, /an object/)
    })

    it.each(['initialDelay', 'maxDelay', 'minUptime'])('rejects reconnect.%s out of [1, 2147483647] (no Infinity)', (key) => {
      for (const value of [0, -5, NaN, Infinity, 2147483648, '500', null]) {
        expectInvalid({ reconnect: { [key]: value } }, `reconnect.${key}`, value, /between 1 and 2147483647(?! or Infinity)/)
      }
    })

    it.each([0, 0.5, 0.999, -1, NaN, Infinity, '2', null])('rejects reconnect.factor %s (finite >= 1)', (value) => {
      expectInvalid({ reconnect: { factor: value } }, 'reconnect.factor', value, />= 1/)
    })

    it.each([-0.1, 1.1, 2, NaN, Infinity, -Infinity, '1', null])('rejects reconnect.jitter %s (in [0, 1])', (value) => {
      expectInvalid({ reconnect: { jitter: value } }, 'reconnect.jitter', value, /between 0 and 1/)
    })

    it.each([0, 0.3, 0.5, 1])('accepts reconnect.jitter %s', (value) => {
      expect(resolveOptions({ reconnect: { jitter: value } }).reconnect).toMatchObject({ jitter: value })
    })

    it.each([-1, 1.5, NaN, -Infinity, '3', null])('rejects reconnect.maxAttempts %s (integer >= 0 or Infinity)', (value) => {
      expectInvalid({ reconnect: { maxAttempts: value } }, 'reconnect.maxAttempts', value, /an integer >= 0 or Infinity/)
    })

    it.each(['no', null, {}, 1])('rejects reconnect.shouldReconnect %s (a function)', (value) => {
      expectInvalid({ reconnect: { shouldReconnect: value } }, 'reconnect.shouldReconnect', value, /a function/)
    })

    it('rejects initialDelay > maxDelay (explicit or against the defaults)', () => {
      expectInvalid({ reconnect: { initialDelay: 2000, maxDelay: 1000 } }, 'reconnect.initialDelay', 2000, /`reconnect.maxDelay` \(1000\)/)
      expectInvalid({ reconnect: { initialDelay: 40000 } }, 'reconnect.initialDelay', 40000, /`reconnect.maxDelay` \(30000\)/)
    })

    it('a lone maxDelay below the default initialDelay lowers initialDelay to it instead of failing', () => {
      expect(resolveOptions({ reconnect: { maxDelay: 100 } }).reconnect).toMatchObject({ initialDelay: 100, maxDelay: 100 })
      expect(resolveOptions({ reconnect: { maxDelay: 20000 } }).reconnect).toMatchObject({ initialDelay: 1500, maxDelay: 20000 })
    })
  })

  describe('heartbeat', () => {
    it.each([true, null, [], 'ping', 0])('rejects heartbeat: %s', (value) => {
      expectInvalid({ heartbeat: value }, 'heartbeat', value, /an object/)
    })
    it.each(['interval', 'timeout'])('rejects heartbeat.%s out of [1, 2147483647]', (key) => {
      for (const value of [0, -1, NaN, Infinity, 2147483648, '1000', null]) {
        expectInvalid({ heartbeat: { [key]: value } }, `heartbeat.${key}`, value, /between 1 and 2147483647/)
      }
    })
    it.each([5, null, {}, [], true])('rejects heartbeat.message %s', (value) => {
      expectInvalid({ heartbeat: { message: value } }, 'heartbeat.message', value, /string, ArrayBuffer, typed array or Blob/)
    })
    it.each(['pong', null, 1])('rejects heartbeat.isPong %s', (value) => {
      expectInvalid({ heartbeat: { isPong: value } }, 'heartbeat.isPong', value, /a function/)
    })
  })

  describe('buffer', () => {
    it.each([null, false, true, [], 100])('rejects buffer: %s', (value) => {
      expectInvalid({ buffer: value }, 'buffer', value, /an object/)
    })
    it.each(['maxMessages', 'maxBytes'])('rejects buffer.%s that is not an integer >= 0', (key) => {
      for (const value of [-1, 1.5, NaN, '10', null]) {
        expectInvalid({ buffer: { [key]: value } }, `buffer.${key}`, value, /an integer >= 0/)
      }
    })
  })

  describe('breaker', () => {
    it.each([true, null, [], 5])('rejects breaker: %s', (value) => {
      expectInvalid({ breaker: value }, 'breaker', value, /an object/)
    })
    it.each([0, -1, 1.5, NaN, Infinity, '5', null])('rejects breaker.failures %s (integer >= 1)', (value) => {
      expectInvalid({ breaker: { failures: value } }, 'breaker.failures', value, /an integer >= 1/)
    })
    it.each([0, -1, NaN, Infinity, 2147483648, '1', null])('rejects breaker.cooldown %s', (value) => {
      expectInvalid({ breaker: { cooldown: value } }, 'breaker.cooldown', value, /between 1 and 2147483647/)
    })
  })

  describe('protocols', () => {
    it.each([5, null, {}, true])('rejects protocols: %s', (value) => {
      expectInvalid({ protocols: value }, 'protocols', value, /a string or an array of strings/)
    })
    it.each(['', 'a b', 'chat,v2', 'é', '[x]', 'a/b', 'x"y'])('rejects the invalid token %j', (token) => {
      expectInvalid({ protocols: ['ok', token] }, 'protocols', token, /token characters/)
      expectInvalid({ protocols: token }, 'protocols', token, /token characters/)
    })
    it('rejects non-string entries', () => {
      for (const entry of [1, null, ['a'], undefined]) {
        const e = thrown(() => resolveOptions({ protocols: ['ok', entry] }))
        expect(e.message).toContain('`protocols`')
        expect(e.message).toContain(`got ${describeValue(entry)}`)
      }
    })
    it('rejects duplicates', () => {
      const e = thrown(() => resolveOptions({ protocols: ['chat', 'json', 'chat'] }))
      expect(e.message).toContain('`protocols`')
      expect(e.message).toMatch(/distinct/)
    })
    it('accepts distinct tokens, including every token punctuation character', () => {
      const list = ["!#$%&'*+-.^_`|~", 'v1.chat', 'CHAT', 'chat']
      expect(resolveOptions({ protocols: list }).protocols).toEqual(list)
    })
    it('resolveProtocols can report ERR_INVALID_ARGUMENT (per-acquire protocols)', () => {
      const e = thrown(() => resolveProtocols('protocols', ['a', 'a'], 'ERR_INVALID_ARGUMENT'), 'ERR_INVALID_ARGUMENT')
      expect(e.message).toContain('`protocols`')
    })
  })

  describe('other typed options', () => {
    it.each(['text', 'Blob', '', null, 1])('rejects binaryType %s', (value) => {
      expectInvalid({ binaryType: value }, 'binaryType', value, /"arraybuffer", "blob" or "nodebuffer"/)
    })
    it.each(['true', 1, 0, null, {}])('rejects requireSecure %s', (value) => {
      expectInvalid({ requireSecure: value }, 'requireSecure', value, /a boolean/)
    })
    it.each(['ws', {}, null, 1])('rejects WebSocket %s', (value) => {
      expectInvalid({ WebSocket: value }, 'WebSocket', value, /a WebSocket constructor/)
    })
    it.each(['x', null, [], 1])('rejects wsOptions %s', (value) => {
      expectInvalid({ wsOptions: value }, 'wsOptions', value, /an object/)
    })
    it.each(['x', null, {}, 1])('rejects resolveUrl %s', (value) => {
      expectInvalid({ resolveUrl: value }, 'resolveUrl', value, /a function/)
    })
    it('accepts a codec that is a class instance with its methods on the prototype', () => {
      class EnvelopeCodec {
        encode(id: number, payload: unknown): string {
          return JSON.stringify({ id, payload })
        }
        decode(): undefined {
          return undefined
        }
      }
      const codec = new EnvelopeCodec()
      expect(resolveOptions({ codec }).codec).toBe(codec)
    })
    it('accepts a codec object that carries fields of its own (it implements an interface)', () => {
      const codec = { prefix: 'rpc:', encode: () => '', decode: () => undefined }
      expect(resolveOptions({ codec }).codec).toBe(codec)
    })
    it('rejects codec: null, a missing encode or decode', () => {
      expectInvalid({ codec: null }, 'codec', null, /an object/)
      expectInvalid({ codec: { decode: () => undefined } }, 'codec.encode', undefined, /a function/)
      expectInvalid({ codec: { encode: () => '' } }, 'codec.decode', undefined, /a function/)
      expectInvalid({ codec: { encode: 'x', decode: () => undefined } }, 'codec.encode', 'x', /a function/)
    })
  })

  describe('the options object itself', () => {
    it.each([null, [], 'maxPerHost=6', 6, true])('rejects options %s', (value) => {
      expectInvalid(value, 'options', value, /an object/)
    })
  })
})

describe('unknown keys are invalid, nested ones too, with a suggestion', () => {
  it('top level typo suggests the option', () => {
    const e = thrown(() => resolveOptions({ maxPerhost: 3 }))
    expect(e.message).toContain('`maxPerhost`')
    expect(e.message).toMatch(/did you mean `maxPerHost`\?/)
  })

  it.each([
    ['maxPerHots', 'maxPerHost'],
    ['max_total', 'maxTotal'],
    ['connecttimeout', 'connectTimeout'],
    ['reconect', 'reconnect'],
    ['protocol', 'protocols'],
    ['websocket', 'WebSocket'],
    ['requestTimout', 'requestTimeout'],
  ])('top level %s suggests %s', (typo, hint) => {
    const e = thrown(() => resolveOptions({ [typo]: 1 }))
    expect(e.message).toContain(`\`${typo}\``)
    expect(e.message).toContain(`did you mean \`${hint}\``)
  })

  it('a key far from every option gets no suggestion, but is still named', () => {
    const e = thrown(() => resolveOptions({ frobnicate: 1 }))
    expect(e.message).toContain('`frobnicate`')
    expect(e.message).not.toMatch(/did you mean/)
  })

  it.each([
    ['reconnect', { maxDelays: 10 }, 'maxDelays', 'maxDelay'],
    ['reconnect', { intialDelay: 10 }, 'intialDelay', 'initialDelay'],
    ['reconnect', { shouldreconnect: () => true }, 'shouldreconnect', 'shouldReconnect'],
    ['heartbeat', { intervall: 10 }, 'intervall', 'interval'],
    ['heartbeat', { ispong: () => true }, 'ispong', 'isPong'],
    ['buffer', { maxMessage: 10 }, 'maxMessage', 'maxMessages'],
    ['breaker', { cooldwn: 10 }, 'cooldwn', 'cooldown'],
    ['breaker', { failure: 10 }, 'failure', 'failures'],
  ] as const)('nested %s key %s suggests %s', (option, value, typo, hint) => {
    const e = thrown(() => resolveOptions({ [option]: value }))
    expect(e.message).toContain(`\`${option}\``)
    expect(e.message).toContain(`\`${typo}\``)
    expect(e.message).toContain(`did you mean \`${hint}\``)
  })

  it('a nested key far from every name is refused without a suggestion', () => {
    const e = thrown(() => resolveOptions({ reconnect: { banana: 1 } }))
    expect(e.message).toContain('`reconnect`')
    expect(e.message).toContain('`banana`')
    expect(e.message).not.toMatch(/did you mean/)
  })
})

describe('checkMinIdle', () => {
  it('passes when minIdlePerHost <= maxPerHost, throws otherwise', () => {
    expect(() => checkMinIdle(0, 1)).not.toThrow()
    expect(() => checkMinIdle(4, 4)).not.toThrow()
    const e = thrown(() => checkMinIdle(5, 4))
    expect(e.message).toContain('`minIdlePerHost`')
    expect(e.message).toContain('got 5')
  })
})
