/**
 * PoolError and describeValue (SPEC "Errors": one base class with a string code; errors carry
 * the origin and, where known, the last close code and reason; the underlying failure as cause).
 */
import { describe, expect, it } from 'vitest'
import { PoolError, describeValue, type PoolErrorCode } from '../../src/core/errors.js'

const ALL_CODES: PoolErrorCode[] = [
  'ERR_INVALID_OPTION', 'ERR_INVALID_URL', 'ERR_ACQUIRE_TIMEOUT', 'ERR_QUEUE_FULL', 'ERR_POOL_CLOSED',
  'ERR_CONNECT_FAILED', 'ERR_LEASE_RELEASED', 'ERR_LEASE_CLOSED', 'ERR_BUFFER_FULL',
  'ERR_REQUEST_TIMEOUT', 'ERR_CIRCUIT_OPEN', 'ERR_CONNECTION_LOST', 'ERR_INVALID_ARGUMENT',
]

describe('PoolError', () => {
  it('is an Error with name PoolError, its code and message', () => {
    const e = new PoolError('ERR_QUEUE_FULL', 'queue full')
    expect(e).toBeInstanceOf(Error)
    expect(e).toBeInstanceOf(PoolError)
    expect(e.name).toBe('PoolError')
    expect(e.code).toBe('ERR_QUEUE_FULL')
    expect(e.message).toBe('queue full')
    expect(String(e)).toBe('PoolError: queue full')
    expect(e.stack).toContain('queue full')
    expect(Object.prototype.toString.call(e)).toBe('[object Error]')
  })

  it.each(ALL_CODES)('carries code %s', (code) => {
    expect(new PoolError(code, 'm').code).toBe(code)
  })

  it('carries origin, url, closeCode, closeReason and cause', () => {
    const cause = new Error('socket hang up')
    const e = new PoolError('ERR_CONNECT_FAILED', 'failed', {
      origin: 'wss://a.example',
      url: 'wss://a.example/p?token=***',
      closeCode: 1008,
      closeReason: 'policy',
      cause,
    })
    expect(e.origin).toBe('wss://a.example')
    expect(e.url).toBe('wss://a.example/p?token=***')
    expect(e.closeCode).toBe(1008)
    expect(e.closeReason).toBe('policy')
    expect(e.cause).toBe(cause)
  })

  it('keeps an empty close reason that is set', () => {
    const e = new PoolError('ERR_CONNECT_FAILED', 'failed', { closeCode: 1006, closeReason: '' })
    expect(e.closeCode).toBe(1006)
    expect(e.closeReason).toBe('')
    expect('closeReason' in e).toBe(true)
  })

  it('leaves absent details undefined, with no own cause', () => {
    const e = new PoolError('ERR_POOL_CLOSED', 'closed')
    expect(e.origin).toBeUndefined()
    expect(e.url).toBeUndefined()
    expect(e.closeCode).toBeUndefined()
    expect(e.closeReason).toBeUndefined()
    expect(e.cause).toBeUndefined()
    expect(Object.hasOwn(e, 'cause')).toBe(false)
  })

  it('accepts a non-Error cause (e.g. a close event)', () => {
    const cause = { code: 1006, reason: '' }
    expect(new PoolError('ERR_ACQUIRE_TIMEOUT', 't', { cause }).cause).toBe(cause)
  })

  it('serialises code and details to JSON (message via the own field it has)', () => {
    const e = new PoolError('ERR_CIRCUIT_OPEN', 'open', { origin: 'wss://a.example', closeCode: 1011 })
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ code: 'ERR_CIRCUIT_OPEN', origin: 'wss://a.example', closeCode: 1011, name: 'PoolError' })
  })

  it('is the class the public entry exports', async () => {
    const pub = await import('../../src/index.js')
    expect(pub.PoolError).toBe(PoolError)
  })
})

describe('describeValue', () => {
  it.each([
    [0, '0'],
    [-0, '-0'],
    [1.5, '1.5'],
    [-7, '-7'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [2147483648, '2147483648'],
    ['abc', '"abc"'],
    ['', '""'],
    ['say "hi"', '"say \\"hi\\""'],
    [null, 'null'],
    [undefined, 'undefined'],
    [true, 'true'],
    [false, 'false'],
    [10n, '10'],
    [[], 'an array'],
    [[1, 2], 'an array'],
    [{}, 'an object'],
    [{ a: 1 }, 'an object'],
    [() => 1, 'a function'],
    [class X {}, 'a function'],
    [Symbol('s'), 'a symbol'],
    [new Date(0), 'an object'],
  ] as const)('describes %s as %s', (value, text) => {
    expect(describeValue(value)).toBe(text)
  })

  it('never dumps object contents (no secrets in messages)', () => {
    expect(describeValue({ token: 'secret' })).not.toContain('secret')
    expect(describeValue(['secret'])).not.toContain('secret')
  })
})
