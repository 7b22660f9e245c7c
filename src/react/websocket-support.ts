/**
 * What `useWebSocket` needs that is not React: react-use-websocket's defaults, its argument
 * checks, the DOM events it hands to callbacks, and URL helpers. Pure: no state, no globals
 * read at import time.
 */
import { PoolError } from 'wspool'
import { ReadyState, type WebSocketHook } from './websocket-types.js'

/** What `useWebSocket` accepts as `url`: react-use-websocket's. */
export type WebSocketUrl = string | (() => string | Promise<string>) | null

export type Data = Parameters<WebSocketHook['sendMessage']>[0]

/** react-use-websocket's defaults. */
export const ATTEMPTS = 20
export const INTERVAL = 5000
/** Messages queued by `sendMessage` before there is a connection (the pool's default `buffer`). */
export const MAX_QUEUE = 1000
/** What `lastJsonMessage` is for a message that is not JSON (react-use-websocket's). */
export const UNPARSABLE = {}
export const READY: Record<string, ReadyState> = { connecting: 0, open: 1, reconnecting: 0, closed: 3, released: 3 }
const CALLBACKS = ['onOpen', 'onClose', 'onMessage', 'onError', 'onReconnectStop', 'shouldReconnect', 'filter'] as const

/** A DOM event of class `C` where the runtime has it, else an `Event` carrying the same fields. */
export const make = (C: unknown, type: string, init: object): any =>
  typeof C === 'function' ? new (C as new (t: string, i: object) => Event)(type, init) : Object.assign(new Event(type), init)
export const closeEvent = (code: number, reason: string, wasClean: boolean): CloseEvent =>
  make(globalThis.CloseEvent, 'close', { code, reason, wasClean })

const bad = (name: string, value: unknown, expected: string): never => {
  throw new PoolError('ERR_INVALID_ARGUMENT', `Expected \`${name}\` to be ${expected}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`)
}

/** Checks what the hook itself reads (the pool checks the URL and `protocols`). */
export function check(url: unknown, options: unknown): void {
  if (typeof url !== 'string' && typeof url !== 'function') bad('url', url, 'a string, a function or null')
  if (typeof options !== 'object' || !options) bad('options', options, 'an object')
  const o = options as Record<string, unknown>
  for (const k of CALLBACKS) if (o[k] !== undefined && typeof o[k] !== 'function') bad(k, o[k], 'a function')
  const n = o.reconnectAttempts
  if (n !== undefined && !(Number.isInteger(n) && (n as number) >= 0)) bad('reconnectAttempts', n, 'an integer >= 0')
  const i = o.reconnectInterval
  if (i !== undefined && typeof i !== 'function' && !(typeof i === 'number' && i >= 0 && i <= 2147483647)) {
    bad('reconnectInterval', i, 'a function or a number of ms in [0, 2147483647]')
  }
}

/** `url` with `queryParams` added to its query (an unparsable URL is the pool's to refuse). */
export function withQuery(url: string, params: Record<string, string | number> | undefined): string {
  if (!params) return url
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return url
  }
  for (const k in params) u.searchParams.set(k, String(params[k]))
  return u.href
}

/** Whether two URLs name the same origin and path (event URLs are redacted: their query values are not compared). */
export function sameUrl(a: string, b: string): boolean {
  try {
    const x = new URL(a)
    const y = new URL(b)
    return x.origin === y.origin && x.pathname === y.pathname
  } catch {
    return false
  }
}

/** A value for the effect's dependencies that changes when the value of `v` does. */
export const valueKey = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? ''
  } catch {
    return 'invalid' // checked (and reported) in the effect
  }
}
