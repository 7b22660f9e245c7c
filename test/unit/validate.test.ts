/**
 * The validation helpers behind resolveOptions and per-call arguments: count, duration, range,
 * plainObject (unknown keys with a suggestion) and fail (STYLE principle 2: messages say the
 * option, the value and the expectation).
 */
import { describe, expect, it } from 'vitest'
import { MAX_DELAY, count, duration, fail, plainObject, range } from '../../src/core/validate.js'
import { PoolError } from '../../src/core/errors.js'

function thrown(fn: () => unknown): PoolError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(PoolError)
    return e as PoolError
  }
  throw new Error('expected a throw')
}

describe('MAX_DELAY', () => {
  it('is the largest 32-bit signed timer delay', () => {
    expect(MAX_DELAY).toBe(2147483647)
    expect(MAX_DELAY).toBe(2 ** 31 - 1)
  })
})

describe('fail', () => {
  it('throws ERR_INVALID_OPTION with "Expected `name` to be X, got V"', () => {
    const e = thrown(() => fail('maxPerHost', 0, 'an integer >= 1'))
    expect(e.code).toBe('ERR_INVALID_OPTION')
    expect(e.message).toBe('Expected `maxPerHost` to be an integer >= 1, got 0')
    expect(e.name).toBe('PoolError')
  })

  it('can throw ERR_INVALID_ARGUMENT instead', () => {
    const e = thrown(() => fail('timeout', 'x', 'a duration', 'ERR_INVALID_ARGUMENT'))
    expect(e.code).toBe('ERR_INVALID_ARGUMENT')
    expect(e.message).toBe('Expected `timeout` to be a duration, got "x"')
  })
})

describe('count', () => {
  it('returns integers >= min', () => {
    expect(count('n', 1, 1)).toBe(1)
    expect(count('n', 0, 0)).toBe(0)
    expect(count('n', 2 ** 40, 1)).toBe(2 ** 40)
  })

  it('allows Infinity only when infinite is true (the default)', () => {
    expect(count('n', Infinity, 1)).toBe(Infinity)
    const e = thrown(() => count('n', Infinity, 0, false))
    expect(e.message).toBe('Expected `n` to be an integer >= 0, got Infinity')
  })

  it.each([0, -1, 0.5, 1.0000001, NaN, -Infinity, '1', null, undefined, true, [1], {}])('rejects %s for min 1', (v) => {
    const e = thrown(() => count('maxUses', v, 1))
    expect(e.code).toBe('ERR_INVALID_OPTION')
    expect(e.message).toMatch(/^Expected `maxUses` to be an integer >= 1 or Infinity, got /)
  })

  it('describes the rejected value', () => {
    expect(thrown(() => count('n', -0.5, 0)).message).toMatch(/got -0\.5$/)
    expect(thrown(() => count('n', '3', 0)).message).toMatch(/got "3"$/)
    expect(thrown(() => count('n', null, 0)).message).toMatch(/got null$/)
    expect(thrown(() => count('n', NaN, 0)).message).toMatch(/got NaN$/)
    expect(thrown(() => count('n', [], 0)).message).toMatch(/got an array$/)
  })

  it('passes a custom code through', () => {
    expect(thrown(() => count('n', -1, 0, true, 'ERR_INVALID_ARGUMENT')).code).toBe('ERR_INVALID_ARGUMENT')
  })
})

describe('duration', () => {
  it('accepts [1, 2147483647], fractions included', () => {
    for (const v of [1, 1.5, 250, 2147483647]) expect(duration('d', v, false)).toBe(v)
  })

  it('accepts Infinity only when allowed', () => {
    expect(duration('d', Infinity, true)).toBe(Infinity)
    expect(thrown(() => duration('d', Infinity, false)).message).toBe(
      'Expected `d` to be a duration in ms between 1 and 2147483647, got Infinity',
    )
  })

  it.each([0, -0, 0.999, -1, NaN, -Infinity, 2147483648, Number.MAX_VALUE, '100', null, undefined, false, {}])(
    'rejects %s',
    (v) => {
      const e = thrown(() => duration('idleTimeout', v, true))
      expect(e.code).toBe('ERR_INVALID_OPTION')
      expect(e.message).toMatch(/^Expected `idleTimeout` to be a duration in ms between 1 and 2147483647 or Infinity, got /)
    },
  )

  it('names -0 distinctly', () => {
    expect(thrown(() => duration('d', -0, true)).message).toMatch(/got -0$/)
  })

  it('passes a custom code through', () => {
    expect(thrown(() => duration('timeout', 0, true, 'ERR_INVALID_ARGUMENT')).code).toBe('ERR_INVALID_ARGUMENT')
  })
})

describe('range', () => {
  it('accepts the bounds and values between', () => {
    for (const v of [0, 0.25, 1]) expect(range('jitter', v, 0, 1)).toBe(v)
  })

  it.each([-0.0001, 1.0001, NaN, Infinity, -Infinity, '0.5', null])('rejects %s', (v) => {
    const e = thrown(() => range('jitter', v, 0, 1))
    expect(e.message).toMatch(/^Expected `jitter` to be a number between 0 and 1, got /)
  })
})

describe('plainObject', () => {
  it('returns the object itself when every key is known', () => {
    const o = { a: 1, b: undefined }
    expect(plainObject('x', o, ['a', 'b', 'c'])).toBe(o)
    expect(plainObject('x', {}, [])).toEqual({})
  })

  it.each([null, undefined, [], 'str', 1, true])('rejects non-objects: %s', (v) => {
    const e = thrown(() => plainObject('buffer', v, ['maxBytes']))
    expect(e.message).toMatch(/^Expected `buffer` to be an object, got /)
  })

  it('names an unknown top-level key as an option, with a suggestion and the known list', () => {
    const e = thrown(() => plainObject('options', { maxPerhost: 1 }, ['maxPerHost', 'maxTotal']))
    expect(e.code).toBe('ERR_INVALID_OPTION')
    expect(e.message).toContain('Unknown option `maxPerhost`')
    expect(e.message).toContain('did you mean `maxPerHost`?')
    expect(e.message).toContain('maxPerHost, maxTotal')
  })

  it('names an unknown nested key with its parent', () => {
    const e = thrown(() => plainObject('reconnect', { factr: 1 }, ['factor', 'jitter']))
    expect(e.message).toContain('`reconnect`')
    expect(e.message).toContain('`factr`')
    expect(e.message).toContain('did you mean `factor`?')
  })

  it('suggests case-insensitively and within two edits, the closest first', () => {
    const known = ['interval', 'timeout', 'message', 'isPong']
    const hint = (key: string) => /did you mean `([^`]+)`/.exec(thrown(() => plainObject('heartbeat', { [key]: 1 }, known)).message)?.[1]
    expect(hint('ISPONG')).toBe('isPong')
    expect(hint('timout')).toBe('timeout')
    expect(hint('tmeout')).toBe('timeout')
    expect(hint('tmout')).toBe('timeout') // two deletions
    expect(hint('messages')).toBe('message')
    expect(hint('tmt')).toBeUndefined() // four edits away
    expect(hint('zzzzzzz')).toBeUndefined()
  })

  it('uses the given code for unknown keys', () => {
    const e = thrown(() => plainObject('acquire options', { signl: 1 }, ['signal'], 'ERR_INVALID_ARGUMENT'))
    expect(e.code).toBe('ERR_INVALID_ARGUMENT')
    expect(e.message).toContain('did you mean `signal`?')
  })
})
