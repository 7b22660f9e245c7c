/**
 * parsePoolUrl (origin key, normalisation, refusals) and redaction (SPEC "Keys and reuse",
 * "Redaction format": `wss://host:port/path?token=***&flag`, userinfo removed, each query value
 * replaced by `***`, keys without a value kept, fragment removed).
 */
import { describe, expect, it } from 'vitest'
import { parsePoolUrl, redactString, redactUrl } from '../../src/core/url.js'
import { PoolError } from '../../src/core/errors.js'

function refused(input: unknown, requireSecure = false): PoolError {
  try {
    parsePoolUrl(input, requireSecure)
  } catch (e) {
    expect(e).toBeInstanceOf(PoolError)
    expect((e as PoolError).code).toBe('ERR_INVALID_URL')
    return e as PoolError
  }
  throw new Error(`expected ${String(input)} to be refused`)
}

describe('parsePoolUrl: origin key', () => {
  it('wss://a.example:443 and wss://a.example are one origin', () => {
    expect(parsePoolUrl('wss://a.example:443', false).origin).toBe('wss://a.example')
    expect(parsePoolUrl('wss://a.example', false).origin).toBe('wss://a.example')
    expect(parsePoolUrl('wss://a.example:443/x', false).href).toBe('wss://a.example/x')
  })

  it('ws://h:80 elides the default port', () => {
    const u = parsePoolUrl('ws://h:80/path', false)
    expect(u.origin).toBe('ws://h')
    expect(u.href).toBe('ws://h/path')
  })

  it('non-default ports stay in the origin; ws and wss are different origins', () => {
    expect(parsePoolUrl('wss://a.example:8443/', false).origin).toBe('wss://a.example:8443')
    expect(parsePoolUrl('ws://a.example:443/', false).origin).toBe('ws://a.example:443')
    expect(parsePoolUrl('wss://a.example:80/', false).origin).toBe('wss://a.example:80')
    expect(parsePoolUrl('ws://a.example/', false).origin).not.toBe(parsePoolUrl('wss://a.example/', false).origin)
  })

  it('scheme and host are case-insensitive; path and query are not', () => {
    const u = parsePoolUrl('WSS://A.Example/Path?Q=V', false)
    expect(u.origin).toBe('wss://a.example')
    expect(u.href).toBe('wss://a.example/Path?Q=V')
  })

  it('path and query do not change the origin', () => {
    const a = parsePoolUrl('wss://a.example/one?x=1', false)
    const b = parsePoolUrl('wss://a.example/two', false)
    expect(a.origin).toBe(b.origin)
    expect(a.href).not.toBe(b.href)
  })

  it('IPv6 and IDN hosts', () => {
    expect(parsePoolUrl('ws://[::1]:9000/x', false).origin).toBe('ws://[::1]:9000')
    expect(parsePoolUrl('wss://ü.example/', false).origin).toBe('wss://xn--tda.example')
  })

  it('userinfo is kept in href (to connect) but never in origin or redacted', () => {
    const u = parsePoolUrl('wss://user:secret@a.example/p', false)
    expect(u.href).toBe('wss://user:secret@a.example/p')
    expect(u.origin).toBe('wss://a.example')
    expect(u.redacted).toBe('wss://a.example/p')
  })
})

describe('parsePoolUrl: normalisation', () => {
  it('removes the fragment from href', () => {
    expect(parsePoolUrl('wss://a.example/p?q=1#frag', false).href).toBe('wss://a.example/p?q=1')
    expect(parsePoolUrl('wss://a.example/p#', false).href).toBe('wss://a.example/p')
  })

  it('adds the root path and percent-encodes spaces', () => {
    expect(parsePoolUrl('wss://a.example', false).href).toBe('wss://a.example/')
    expect(parsePoolUrl('ws://h/p q?x=a b', false).href).toBe('ws://h/p%20q?x=a%20b')
  })

  it('accepts a URL object like its string', () => {
    const fromObject = parsePoolUrl(new URL('wss://a.example:443/p?t=1#f'), false)
    expect(fromObject).toEqual(parsePoolUrl('wss://a.example/p?t=1', false))
  })

  it('returns redacted alongside', () => {
    expect(parsePoolUrl('wss://u:p@a.example:8443/s?token=abc&flag#x', false)).toEqual({
      href: 'wss://u:p@a.example:8443/s?token=abc&flag',
      origin: 'wss://a.example:8443',
      redacted: 'wss://a.example:8443/s?token=***&flag',
    })
  })
})

describe('parsePoolUrl: refusals (ERR_INVALID_URL)', () => {
  it.each(['http://a.example/', 'https://a.example/socket', 'HTTPS://a.example'])('refuses %s (no silent rewriting)', (url) => {
    const e = refused(url)
    expect(e.message).toMatch(/ws: or wss:/)
    expect(e.message).toMatch(/https?:/i)
  })

  it.each(['ftp://a.example/', 'file:///tmp/x', 'javascript:alert(1)', 'data:text/plain,hi', 'mailto:a@b.example'])(
    'refuses other schemes: %s',
    (url) => {
      refused(url)
    },
  )

  it.each(['/socket', 'socket', '//a.example/x', '?q=1', '', '   ', 'garbage', 'ws://', 'wss://', 'wss://a b.example/', 'ws://[::1/'])(
    'refuses relative or malformed %j',
    (url) => {
      const e = refused(url)
      expect(e.message).toMatch(/ws: or wss: URL/)
    },
  )

  it.each([undefined, null, 42, {}, [], true, Symbol('x')])('refuses the non-string %s', (value) => {
    const e = refused(value)
    expect(e.message).toMatch(/string/)
  })

  it('a refused URL never leaks credentials or query values in message or fields', () => {
    const e = refused('https://user:hunter2@a.example/p?token=s3cret#frag')
    const text = `${e.message} ${JSON.stringify(e)} ${String(e.cause ?? '')}`
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('s3cret')
    expect(text).not.toContain('user:')
    expect(e.url).toBe('https://a.example/p?token=***')
  })

  it('a malformed URL is not quoted (it may hold secrets) and carries no cause', () => {
    const e = refused('ws://user:hunter2@[bad/?token=s3cret')
    expect(e.message).not.toContain('hunter2')
    expect(e.message).not.toContain('s3cret')
    expect(e.cause).toBeUndefined()
  })
})

describe('parsePoolUrl: requireSecure', () => {
  it('refuses ws: when requireSecure is true, with origin and redacted url', () => {
    const e = refused('ws://u:pw@a.example:8080/p?token=abc', true)
    expect(e.message).toContain('requireSecure')
    expect(e.message).not.toContain('abc')
    expect(e.message).not.toContain('pw')
    expect(e.origin).toBe('ws://a.example:8080')
    expect(e.url).toBe('ws://a.example:8080/p?token=***')
  })

  it('accepts wss: when requireSecure is true, and ws: when it is false', () => {
    expect(parsePoolUrl('wss://a.example/', true).origin).toBe('wss://a.example')
    expect(parsePoolUrl('ws://a.example/', false).origin).toBe('ws://a.example')
  })

  it('still refuses http(s) with requireSecure', () => {
    refused('https://a.example/', true)
  })
})

describe('redactUrl / redactString: SPEC "Redaction format"', () => {
  const r = (s: string) => redactUrl(new URL(s))

  it('the SPEC example: wss://host:port/path?token=***&flag', () => {
    expect(r('wss://host:8443/path?token=abc&flag')).toBe('wss://host:8443/path?token=***&flag')
  })

  it('removes userinfo (user only, user and password)', () => {
    expect(r('wss://user:pass@h.example/p')).toBe('wss://h.example/p')
    expect(r('wss://user@h.example/p')).toBe('wss://h.example/p')
    expect(r('wss://:pass@h.example/p')).toBe('wss://h.example/p')
  })

  it('replaces every query value, keeps keys without a value and the order', () => {
    expect(r('wss://h/p?a=1&b&c=3&d')).toBe('wss://h/p?a=***&b&c=***&d')
    expect(r('wss://h/p?flag')).toBe('wss://h/p?flag')
  })

  it('empty values and repeated keys are replaced too', () => {
    expect(r('wss://h/p?token=&x=1&x=2')).toBe('wss://h/p?token=***&x=***&x=***')
  })

  it('percent-encoded values are replaced whole; encoded keys kept as written', () => {
    expect(r('wss://h/p?token=a%20b%26c%3Dd&t%6Fk=%E2%9C%93')).toBe('wss://h/p?token=***&t%6Fk=***')
    expect(r('wss://h/p?q=a b')).toBe('wss://h/p?q=***')
    expect(r('wss://h/p?q=é')).toBe('wss://h/p?q=***')
  })

  it('a value containing "=" is replaced whole', () => {
    expect(r('wss://h/p?jwt=eyJ.a=b=c&x')).toBe('wss://h/p?jwt=***&x')
  })

  it('removes the fragment', () => {
    expect(r('wss://h/p?token=abc#secret')).toBe('wss://h/p?token=***')
    expect(r('wss://h/p#secret')).toBe('wss://h/p')
  })

  it('keeps non-default ports, drops default ones, keeps path as serialised', () => {
    expect(r('wss://h:443/a/b')).toBe('wss://h/a/b')
    expect(r('ws://h:80/')).toBe('ws://h/')
    expect(r('ws://127.0.0.1:45678/echo?delay=5')).toBe('ws://127.0.0.1:45678/echo?delay=***')
  })

  it('an empty query is dropped', () => {
    expect(r('wss://h/p?')).toBe('wss://h/p')
  })

  it('the result never contains any secret of a busy URL', () => {
    const out = r('wss://alice:pa55@api.example:9443/v1/socket?token=T0K3N&session=S3SS&debug#F4AG')
    expect(out).toBe('wss://api.example:9443/v1/socket?token=***&session=***&debug')
    for (const secret of ['alice', 'pa55', 'T0K3N', 'S3SS', 'F4AG']) expect(out).not.toContain(secret)
  })

  it('redactString parses and redacts; unparsable input becomes a fixed placeholder', () => {
    expect(redactString('wss://u:p@h/p?token=abc&flag#x')).toBe('wss://h/p?token=***&flag')
    const bad = redactString('not a url ?token=abc')
    expect(bad).not.toContain('abc')
    expect(bad).toBe('<invalid url>')
    expect(redactString('')).toBe('<invalid url>')
  })
})
