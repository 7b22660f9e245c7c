import { PoolError, describeValue } from './errors.js'

/** A URL accepted by the pool, parsed once. */
export interface PoolUrl {
  /** Normalised URL used to connect (WHATWG serialisation, fragment removed; keeps credentials). */
  readonly href: string
  /** Pool key: the WHATWG origin, e.g. `wss://a.example` (default port elided). */
  readonly origin: string
  /** Safe form for events, stats, errors and logs: no userinfo, query values replaced by `***`. */
  readonly redacted: string
}

/**
 * Redacts a URL for display: userinfo removed, every query value replaced by `***`, keys without a
 * value kept, fragment removed. `wss://u:p@h/p?token=abc&flag#x` -> `wss://h/p?token=***&flag`.
 */
export function redactUrl(url: URL): string {
  // Opaque URLs (`javascript:x`, `mailto:y`) have no host and no `//`.
  let out = url.host === '' && !url.href.startsWith(`${url.protocol}//`) ? `${url.protocol}${url.pathname}` : `${url.protocol}//${url.host}${url.pathname}`
  const search = url.search
  if (search.length > 1) {
    const parts = search.slice(1).split('&')
    for (let i = 0; i < parts.length; i++) {
      const eq = parts[i].indexOf('=')
      if (eq !== -1) parts[i] = `${parts[i].slice(0, eq)}=***`
    }
    out += `?${parts.join('&')}`
  }
  return out
}

/** Redacts any string that may be a URL; falls back to a fixed placeholder when it does not parse. */
export function redactString(input: string): string {
  try {
    return redactUrl(new URL(input))
  } catch {
    return '<invalid url>'
  }
}

/**
 * Parses and checks a URL given to the pool. Only absolute `ws:` and `wss:` URLs pass: `http:` and
 * `https:` are refused rather than silently rewritten, as are relative and malformed ones.
 * @throws PoolError `ERR_INVALID_URL`
 */
export function parsePoolUrl(input: unknown, requireSecure: boolean): PoolUrl {
  if (input instanceof URL) input = input.href
  if (typeof input !== 'string') {
    throw new PoolError('ERR_INVALID_URL', `Expected the URL to be a string or URL, got ${describeValue(input)}`)
  }
  let url: URL
  try {
    url = new URL(input)
  } catch {
    // No `cause`: the runtime's TypeError quotes the input, credentials and all.
    throw new PoolError('ERR_INVALID_URL', 'Expected an absolute ws: or wss: URL, got a relative or malformed URL')
  }
  const redacted = redactUrl(url)
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new PoolError('ERR_INVALID_URL', `Expected a ws: or wss: URL, got ${url.protocol} in ${redacted}`, { url: redacted })
  }
  if (requireSecure && url.protocol === 'ws:') {
    throw new PoolError('ERR_INVALID_URL', `Expected a wss: URL because \`requireSecure\` is true, got ${redacted}`, {
      url: redacted,
      origin: url.origin,
    })
  }
  url.hash = ''
  return { href: url.href, origin: url.origin, redacted }
}
