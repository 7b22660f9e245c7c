import { defaultShouldReconnect, type CloseInfo } from './backoff.js'
import { MAX_DELAY, count, duration, fail, plainObject, range } from './validate.js'
import { isSendData, type SendData, type WebSocketConstructor } from './socket.js'

/** Reconnect policy: exponential backoff with jitter. */
export interface ReconnectOptions {
  /** Delay before the first retry, ms. @default 500 */
  initialDelay?: number
  /** Growth of the delay per retry (>= 1). @default 2 */
  factor?: number
  /** Upper bound of the un-jittered delay, ms. @default 30000 */
  maxDelay?: number
  /** Share of the delay that is random: 0 none, 1 "full jitter" (uniform in `[0, d]`). @default 1 */
  jitter?: number
  /** Retries before giving up (0 = never retry). @default Infinity */
  maxAttempts?: number
  /** ms a connection must stay open before the retry count resets. @default 5000 */
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

/** Request/reply encoding. */
export interface Codec {
  /** Builds the message for request `id`. */
  encode(id: number, payload: unknown): SendData
  /** Extracts `{ id, payload }` from a reply, or `undefined` when it is not a reply. */
  decode(data: unknown): { id: number; payload: unknown } | undefined
}

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

const OPTION_KEYS = [
  'maxPerHost', 'maxTotal', 'minIdlePerHost', 'maxQueue', 'acquireTimeout', 'connectTimeout',
  'idleTimeout', 'maxLifetime', 'maxUses', 'reconnect', 'heartbeat', 'buffer', 'protocols',
  'binaryType', 'requestTimeout', 'codec', 'sharedLimit', 'WebSocket', 'wsOptions',
  'requireSecure', 'resolveUrl', 'breaker',
] as const

const RECONNECT_DEFAULTS: ResolvedReconnect = Object.freeze({
  initialDelay: 500, factor: 2, maxDelay: 30000, jitter: 1, maxAttempts: Infinity, minUptime: 5000,
  shouldReconnect: defaultShouldReconnect,
})

/** Validates `createPool` options into a frozen, complete object. @throws PoolError `ERR_INVALID_OPTION` */
export function resolveOptions(input: unknown = {}): ResolvedOptions {
  const o = plainObject('options', input, OPTION_KEYS)
  const get = <T>(key: string, fallback: T, check: (name: string, v: unknown) => T): T =>
    o[key] === undefined ? fallback : check(key, o[key])

  const maxPerHost = get('maxPerHost', 6, (n, v) => count(n, v, 1))
  const minIdlePerHost = get('minIdlePerHost', 0, (n, v) => count(n, v, 0, false))
  checkMinIdle(minIdlePerHost, maxPerHost)
  return Object.freeze({
    maxPerHost,
    maxTotal: get('maxTotal', Infinity, (n, v) => count(n, v, 1)),
    minIdlePerHost,
    maxQueue: get('maxQueue', Infinity, (n, v) => count(n, v, 0)),
    acquireTimeout: get('acquireTimeout', 10000, (n, v) => duration(n, v, true)),
    connectTimeout: get('connectTimeout', 10000, (n, v) => duration(n, v, true)),
    idleTimeout: get('idleTimeout', 30000, (n, v) => duration(n, v, true)),
    maxLifetime: get('maxLifetime', Infinity, (n, v) => duration(n, v, true)),
    maxUses: get('maxUses', Infinity, (n, v) => count(n, v, 1)),
    reconnect: get('reconnect', RECONNECT_DEFAULTS, resolveReconnect),
    heartbeat: get('heartbeat', false, resolveHeartbeat),
    buffer: get('buffer', Object.freeze({ maxMessages: 1000, maxBytes: 1048576 }), resolveBuffer),
    protocols: get('protocols', Object.freeze([]) as readonly string[], resolveProtocols),
    binaryType: get('binaryType', 'arraybuffer', (n, v) =>
      v === 'arraybuffer' || v === 'blob' || v === 'nodebuffer' ? v : fail(n, v, '"arraybuffer", "blob" or "nodebuffer"')),
    requestTimeout: get('requestTimeout', 10000, (n, v) => duration(n, v, true)),
    codec: get('codec', undefined, resolveCodec),
    sharedLimit: get('sharedLimit', Infinity, (n, v) => count(n, v, 1)),
    WebSocket: get('WebSocket', undefined, (n, v) => (typeof v === 'function' ? (v as WebSocketConstructor) : fail(n, v, 'a WebSocket constructor'))),
    wsOptions: get('wsOptions', undefined, (n, v) => Object.freeze({ ...plainObjectAny(n, v) })),
    requireSecure: get('requireSecure', false, (n, v) => (typeof v === 'boolean' ? v : fail(n, v, 'a boolean'))),
    resolveUrl: get('resolveUrl', undefined, (n, v) => (typeof v === 'function' ? (v as ResolvedOptions['resolveUrl']) : fail(n, v, 'a function'))),
    breaker: get('breaker', Object.freeze({ failures: 5, cooldown: 30000 }), resolveBreaker),
  })
}

/** `minIdlePerHost` must fit under `maxPerHost`. */
export function checkMinIdle(minIdlePerHost: number, maxPerHost: number): void {
  if (minIdlePerHost > maxPerHost) {
    fail('minIdlePerHost', minIdlePerHost, `an integer >= 0 and <= \`maxPerHost\` (${maxPerHost})`)
  }
}

function plainObjectAny(name: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(name, v, 'an object')
  return v as Record<string, unknown>
}

function resolveReconnect(name: string, v: unknown): ResolvedReconnect | false {
  if (v === false) return false
  if (v === true) return RECONNECT_DEFAULTS
  const o = plainObject(name, v, Object.keys(RECONNECT_DEFAULTS), undefined, ', true or false')
  const pick = <T>(key: keyof ResolvedReconnect, check: (n: string, x: unknown) => T): T =>
    o[key] === undefined ? (RECONNECT_DEFAULTS[key] as T) : check(`${name}.${key}`, o[key])
  const r: ResolvedReconnect = Object.freeze({
    initialDelay: pick('initialDelay', (n, x) => duration(n, x, false)),
    factor: pick('factor', (n, x) => (typeof x === 'number' && x >= 1 && x !== Infinity ? x : fail(n, x, 'a finite number >= 1'))),
    maxDelay: pick('maxDelay', (n, x) => duration(n, x, false)),
    jitter: pick('jitter', (n, x) => range(n, x, 0, 1)),
    maxAttempts: pick('maxAttempts', (n, x) => count(n, x, 0)),
    minUptime: pick('minUptime', (n, x) => duration(n, x, false)),
    shouldReconnect: pick('shouldReconnect', (n, x) => (typeof x === 'function' ? (x as ResolvedReconnect['shouldReconnect']) : fail(n, x, 'a function'))),
  })
  if (r.initialDelay > r.maxDelay) {
    // Blame the value the user set: a lone `maxDelay` below the default `initialDelay` is the error.
    if (o.initialDelay === undefined) {
      fail(`${name}.maxDelay`, r.maxDelay, `a duration >= \`${name}.initialDelay\` (${r.initialDelay}, the default)`)
    }
    fail(`${name}.initialDelay`, r.initialDelay, `a duration <= \`${name}.maxDelay\` (${r.maxDelay})`)
  }
  return r
}

function resolveHeartbeat(name: string, v: unknown): ResolvedHeartbeat | false {
  if (v === false) return false
  const o = plainObject(name, v, ['interval', 'timeout', 'message', 'isPong'], undefined, ' or false')
  const message = o.message
  if (message !== undefined && !isSendData(message)) {
    fail(`${name}.message`, message, 'a string, ArrayBuffer, typed array or Blob')
  }
  if (o.isPong !== undefined && typeof o.isPong !== 'function') fail(`${name}.isPong`, o.isPong, 'a function')
  return Object.freeze({
    interval: o.interval === undefined ? 25000 : duration(`${name}.interval`, o.interval, false),
    timeout: o.timeout === undefined ? 10000 : duration(`${name}.timeout`, o.timeout, false),
    message: message as SendData | undefined,
    isPong: o.isPong as ResolvedHeartbeat['isPong'],
  })
}

function resolveBuffer(name: string, v: unknown): Readonly<Required<BufferOptions>> {
  const o = plainObject(name, v, ['maxMessages', 'maxBytes'])
  return Object.freeze({
    maxMessages: o.maxMessages === undefined ? 1000 : count(`${name}.maxMessages`, o.maxMessages, 0),
    maxBytes: o.maxBytes === undefined ? 1048576 : count(`${name}.maxBytes`, o.maxBytes, 0),
  })
}

function resolveBreaker(name: string, v: unknown): Readonly<Required<BreakerOptions>> | false {
  if (v === false) return false
  const o = plainObject(name, v, ['failures', 'cooldown'], undefined, ' or false')
  return Object.freeze({
    failures: o.failures === undefined ? 5 : count(`${name}.failures`, o.failures, 1, false),
    cooldown: o.cooldown === undefined ? 30000 : duration(`${name}.cooldown`, o.cooldown, false),
  })
}

/** A codec is an object implementing an interface (a class instance may carry more fields). */
function resolveCodec(name: string, v: unknown): Codec {
  if (typeof v !== 'object' || v === null) fail(name, v, 'an object with `encode` and `decode` functions')
  const o = v as Record<string, unknown>
  if (typeof o.encode !== 'function') fail(`${name}.encode`, o.encode, 'a function')
  if (typeof o.decode !== 'function') fail(`${name}.decode`, o.decode, 'a function')
  return o as unknown as Codec
}

/** RFC 6455 subprotocol names are HTTP tokens; duplicates are refused by browsers. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** Validates subprotocols (a string or an array of distinct tokens). */
export function resolveProtocols(name: string, v: unknown, code?: 'ERR_INVALID_ARGUMENT'): readonly string[] {
  const list = typeof v === 'string' ? [v] : v
  if (!Array.isArray(list)) return fail(name, v, 'a string or an array of strings', code)
  for (const p of list) {
    if (typeof p !== 'string' || !TOKEN.test(p)) fail(name, p, 'subprotocol names made of token characters', code)
  }
  const dup = list.find((p, i) => list.indexOf(p) !== i)
  if (dup !== undefined) fail(name, dup, 'distinct subprotocol names (this one is repeated)', code)
  return Object.freeze([...list] as string[])
}

export { MAX_DELAY }
