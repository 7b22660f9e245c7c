import { PoolError, describeValue, type PoolErrorDetails } from './errors.js'

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
  const { protocol, host, pathname } = url
  // `search` is serialised (percent-encoded), so `&` and `=` are real separators; an empty query
  // (`?` alone) is ''. Opaque URLs (`mailto:x`) have no host and no `//`.
  const base = host === '' && !url.href.startsWith(`${protocol}//`) ? protocol : `${protocol}//${host}`
  return base + pathname + url.search.replace(/=[^&]*/g, '=***')
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
  const refuse = (expected: string, details?: PoolErrorDetails): never => {
    throw new PoolError('ERR_INVALID_URL', `Expected ${expected}`, details)
  }
  if (typeof input !== 'string' && !(input instanceof URL)) refuse(`the URL to be a string or URL, got ${describeValue(input)}`)
  let url: URL
  try {
    url = new URL(input as string | URL)
  } catch {
    // No `cause`: the runtime's TypeError quotes the input, credentials and all.
    return refuse(`an absolute ${WS_URL}, got a relative or malformed URL`)
  }
  const { protocol, origin } = url
  const redacted = redactUrl(url)
  if (!/^wss?:$/.test(protocol)) refuse(`a ${WS_URL}, got ${protocol} in ${redacted}`, { url: redacted })
  if (requireSecure && protocol === 'ws:') {
    refuse(`a wss: URL because \`requireSecure\` is true, got ${redacted}`, { url: redacted, origin })
  }
  url.hash = ''
  return { href: url.href, origin, redacted }
}

const WS_URL = 'ws: or wss: URL'
