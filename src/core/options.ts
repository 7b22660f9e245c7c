import type { Codec } from './codec.js'
import { defaultShouldReconnect, type CloseInfo } from './backoff.js'
import {
  MAX_DELAY, OR_FALSE, TRUE_OR_FALSE, accept, count, duration, fail, group, ofType, ordered, plainObject,
  type InvalidCode, type Rule, type Table,
} from './validate.js'
import { isSendData, type SendData, type WebSocketConstructor } from './socket.js'

/**
 * Reconnect policy: jittered backoff keyed to the time since the trouble began (`t`): each retry
 * waits `min(maxDelay, max(initialDelay, (factor - 1) * t))` scaled by `1 - jitter * random()`.
 */
export interface ReconnectOptions {
  /** Delay before the first retry, and the least delay of any, ms. @default 1500 */
  initialDelay?: number
  /** Once `(factor - 1) * t` exceeds `initialDelay`, the delay grows by `factor` per retry (>= 1). @default 1.25 */
  factor?: number
  /** Upper bound of the un-jittered delay, ms. @default 30000 */
  maxDelay?: number
  /** Share of the delay that is random: 0 none, 1 "full jitter" (uniform in `[0, d]`). @default 0.6 */
  jitter?: number
  /** Retries before giving up (0 = never retry). @default Infinity */
  maxAttempts?: number
  /** ms a connection must stay open before the retry count and `t` reset (a flapping server keeps getting slower retries). @default 5000 */
  minUptime?: number
  /**
   * Whether to retry after a close; replaces the default close-code list.
   * @default defaultShouldReconnect (no retry after 1002, 1003, 1007, 1008, 1009, 1010)
   */
  shouldReconnect?: (info: CloseInfo) => boolean
}

/** Liveness probe for half-open connections. */
export interface HeartbeatOptions {
  /** ms of inbound silence before a probe is sent. @default 25000 */
  interval?: number
  /** ms to wait for any inbound message after a probe before the connection counts as dead. @default 10000 */
  timeout?: number
  /** Probe message. @default protocol ping frames on Node with `ws`, `'ping'` in browsers */
  message?: SendData
  /** Recognises probe replies, which are then not delivered to `message` listeners. @default none */
  isPong?: (data: unknown) => boolean
}

/** Limits of the outbound buffer held while a connection reconnects. */
export interface BufferOptions {
  /** Messages held at most. @default 1000 */
  maxMessages?: number
  /** Payload bytes held at most. @default 1048576 (1 MiB) */
  maxBytes?: number
}

/** Per-origin circuit breaker. */
export interface BreakerOptions {
  /** Consecutive failed attempts that open the circuit. @default 5 */
  failures?: number
  /** ms the circuit stays open before one trial connection. @default 30000 */
  cooldown?: number
}

export type { Codec }

/** Options of `createPool`. All optional; invalid values throw `ERR_INVALID_OPTION` at once. */
export interface PoolOptions {
  /** Live connections per origin (connecting + open + reconnecting + closing). @default 6 */
  maxPerHost?: number
  /** Live connections across all origins. @default Infinity */
  maxTotal?: number
  /** Open idle connections kept warm per origin once it has been used. @default 0 */
  minIdlePerHost?: number
  /** Queued acquires per origin; beyond it acquire rejects `ERR_QUEUE_FULL` at once. @default Infinity */
  maxQueue?: number
  /** ms an acquire may wait in total (queue + connect + retries). @default 10000 */
  acquireTimeout?: number
  /** ms one connection attempt may take, from the socket's construction. @default 10000 */
  connectTimeout?: number
  /** ms an idle connection above `minIdlePerHost` stays open. @default 30000 */
  idleTimeout?: number
  /** ms after which a connection is recycled when next released. @default Infinity */
  maxLifetime?: number
  /** Leases after which a connection is recycled. @default Infinity */
  maxUses?: number
  /** Backoff policy, `true` for the defaults, or `false` for no retries. @default true */
  reconnect?: ReconnectOptions | boolean
  /** Liveness probe, or `false`. @default false */
  heartbeat?: HeartbeatOptions | false
  /** Outbound buffer limits while reconnecting. @default { maxMessages: 1000, maxBytes: 1048576 } */
  buffer?: BufferOptions
  /** Subprotocols offered on every connection. @default none */
  protocols?: string | string[]
  /** How binary messages arrive. @default 'arraybuffer' */
  binaryType?: 'arraybuffer' | 'blob' | 'nodebuffer'
  /** ms a request waits for its reply. @default 10000 */
  requestTimeout?: number
  /** Request/reply encoding. @default JSON envelope `{ id, data }` */
  codec?: Codec
  /** Holders per shared connection. @default Infinity */
  sharedLimit?: number
  /** The WebSocket constructor. @default isomorphic-ws: native `WebSocket` in browsers, `ws` on Node */
  WebSocket?: WebSocketConstructor
  /** Node only: options passed to `ws` (headers, TLS `ca`, ...). Ignored in browsers. @default none */
  wsOptions?: Record<string, unknown>
  /** Refuse `ws:` URLs with `ERR_INVALID_URL`. @default false */
  requireSecure?: boolean
  /** Called before every connection attempt, reconnects included; the pool key stays the acquired URL. @default none */
  resolveUrl?: (url: string) => string | Promise<string>
  /** Per-origin circuit breaker, or `false`. @default { failures: 5, cooldown: 30000 } */
  breaker?: BreakerOptions | false
}

/** Reconnect policy with every field set. */
export type ResolvedReconnect = Readonly<Required<ReconnectOptions>>
/** Heartbeat with every field set (`message` undefined means protocol pings where possible). */
export interface ResolvedHeartbeat {
  readonly interval: number
  readonly timeout: number
  readonly message: SendData | undefined
  readonly isPong: ((data: unknown) => boolean) | undefined
}

/** Options after validation: complete and frozen. Nothing reads raw user options later. */
export interface ResolvedOptions {
  readonly maxPerHost: number
  readonly maxTotal: number
  readonly minIdlePerHost: number
  readonly maxQueue: number
  readonly acquireTimeout: number
  readonly connectTimeout: number
  readonly idleTimeout: number
  readonly maxLifetime: number
  readonly maxUses: number
  readonly reconnect: ResolvedReconnect | false
  readonly heartbeat: ResolvedHeartbeat | false
  readonly buffer: Readonly<Required<BufferOptions>>
  readonly protocols: readonly string[]
  readonly binaryType: 'arraybuffer' | 'blob' | 'nodebuffer'
  readonly requestTimeout: number
  readonly codec: Codec | undefined
  readonly sharedLimit: number
  readonly WebSocket: WebSocketConstructor | undefined
  readonly wsOptions: Readonly<Record<string, unknown>> | undefined
  readonly requireSecure: boolean
  readonly resolveUrl: ((url: string) => string | Promise<string>) | undefined
  readonly breaker: Readonly<Required<BreakerOptions>> | false
}

// How the options are checked: each option has a row `name: [rule, default]` in a table, which
// `group` (validate.ts) walks. The rules below are shared by several rows.

const FUNCTION = ofType('function')
/** Integer >= 1, or Infinity. */
const COUNT: Rule = (path, value) => count(path, value, 1)
/** Integer >= 0, or Infinity. */
const COUNT0: Rule = (path, value) => count(path, value, 0)
/** ms in [1, 2147483647], or Infinity ("no limit"). */
const TIMEOUT: Rule = (path, value) => duration(path, value, true)
/** ms in [1, 2147483647]. */
const DELAY: Rule = (path, value) => duration(path, value, false)

const RECONNECT: Table = {
  initialDelay: [DELAY, 1500],
  factor: [accept((v) => typeof v === 'number' && v >= 1 && v < Infinity, 'a finite number >= 1'), 1.25],
  maxDelay: [DELAY, 30000],
  jitter: [accept((v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number between 0 and 1'), 0.6],
  maxAttempts: [COUNT0, Infinity],
  minUptime: [DELAY, 5000],
  shouldReconnect: [FUNCTION, defaultShouldReconnect],
}

/** `initialDelay <= maxDelay`; a lone `maxDelay` below the default `initialDelay` lowers that default to it. */
const checkDelays = (r: { initialDelay: number; maxDelay: number }, given: Record<string, unknown>, path: string) => {
  if (given.initialDelay === undefined) r.initialDelay = Math.min(r.initialDelay, r.maxDelay)
  ordered(r.initialDelay, r.maxDelay, `${path}.initialDelay`, `${path}.maxDelay`, 'a duration')
}

const HEARTBEAT: Table = {
  interval: [DELAY, 25000],
  timeout: [DELAY, 10000],
  message: [accept(isSendData, 'a string, ArrayBuffer, typed array or Blob')],
  isPong: [FUNCTION],
}

const BINARY_TYPES = ['arraybuffer', 'blob', 'nodebuffer']

/** Every option of `createPool`, in the order of the resolved object. */
const OPTIONS: Table = {
  maxPerHost: [COUNT, 6],
  maxTotal: [COUNT, Infinity],
  minIdlePerHost: [(path, value) => count(path, value, 0, false), 0],
  maxQueue: [COUNT0, Infinity],
  acquireTimeout: [TIMEOUT, 10000],
  connectTimeout: [TIMEOUT, 10000],
  idleTimeout: [TIMEOUT, 30000],
  maxLifetime: [TIMEOUT, Infinity],
  maxUses: [COUNT, Infinity],
  reconnect: [group(RECONNECT, TRUE_OR_FALSE, checkDelays), true],
  heartbeat: [group(HEARTBEAT, OR_FALSE), false],
  buffer: [group({ maxMessages: [COUNT0, 1000], maxBytes: [COUNT0, 1048576] }), {}],
  protocols: [resolveProtocols, []],
  binaryType: [accept((v) => BINARY_TYPES.includes(v), '"arraybuffer", "blob" or "nodebuffer"'), BINARY_TYPES[0]],
  requestTimeout: [TIMEOUT, 10000],
  codec: [resolveCodec],
  sharedLimit: [COUNT, Infinity],
  WebSocket: [ofType('function', 'a WebSocket constructor')],
  wsOptions: [(path, value) => Object.freeze({ ...plainObject(path, value) })],
  requireSecure: [ofType('boolean'), false],
  resolveUrl: [FUNCTION],
  breaker: [group({ failures: [(path, value) => count(path, value, 1, false), 5], cooldown: [DELAY, 30000] }, OR_FALSE), {}],
}

const resolveAll = group(OPTIONS, '', (r: ResolvedOptions) => checkMinIdle(r.minIdlePerHost, r.maxPerHost))

/** Validates `createPool` options into a frozen, complete object. @throws PoolError `ERR_INVALID_OPTION` */
/** The caps `resize` may change, as resolved: a fresh object (the pool keeps and changes its own). */
export function limitsOf(o: ResolvedOptions): { maxPerHost: number; maxTotal: number; minIdlePerHost: number } {
  return { maxPerHost: o.maxPerHost, maxTotal: o.maxTotal, minIdlePerHost: o.minIdlePerHost }
}

export function resolveOptions(input: unknown = {}): ResolvedOptions {
  return resolveAll('options', input) as ResolvedOptions
}

/** `minIdlePerHost` must fit under `maxPerHost`. */
export const checkMinIdle = (minIdlePerHost: number, maxPerHost: number): void =>
  ordered(minIdlePerHost, maxPerHost, 'minIdlePerHost', 'maxPerHost', 'an integer >= 0 and')

/** A codec is an object implementing an interface (a class instance may carry more fields). */
function resolveCodec(path: string, value: any): Codec {
  if (typeof value !== 'object' || !value) fail(path, value, 'an object with `encode` and `decode` functions')
  for (const key of ['encode', 'decode']) FUNCTION(`${path}.${key}`, value[key])
  return value
}

/** RFC 6455 subprotocol names are HTTP tokens; duplicates are refused by browsers. */
const TOKEN = /^[\w!#$%&'*+.^`|~-]+$/
const SUBPROTOCOL_NAMES = 'subprotocol names'

/** Validates subprotocols (a string or an array of distinct tokens). */
export function resolveProtocols(name: string, value: unknown, code?: InvalidCode): readonly string[] {
  const list: unknown[] = typeof value === 'string' ? [value]
    : Array.isArray(value) ? [...value] // a copy: later changes to the input do not leak in
    : fail(name, value, 'a string or an array of strings', code)
  list.forEach((p, i) => {
    if (typeof p !== 'string' || !TOKEN.test(p)) fail(name, p, `${SUBPROTOCOL_NAMES} made of token characters`, code)
    if (list.indexOf(p) < i) fail(name, p, `distinct ${SUBPROTOCOL_NAMES} (this one is repeated)`, code)
  })
  return Object.freeze(list as string[])
}

export { MAX_DELAY }
