/**
 * What `acquire` and `request` accept, checked before anything is queued, opened or sent: every
 * bad argument is a `PoolError` `ERR_INVALID_ARGUMENT` (`ERR_INVALID_URL` for URLs) naming it.
 */
import { resolveProtocols } from '../core/options.js'
import { duration, fail, plainObject } from '../core/validate.js'

/** Options of one `acquire`. */
export interface AcquireOptions {
  /** Aborts the wait; the acquire rejects with `signal.reason`. @default none */
  signal?: AbortSignal
  /** ms this acquire may wait in total. @default the pool's `acquireTimeout` */
  timeout?: number
  /** Higher is served first; FIFO within a priority. Any finite number. @default 0 */
  priority?: number
  /** Subprotocols for this URL (idle connections are reused only for the same ones). @default the pool's `protocols` */
  protocols?: string | string[]
  /**
   * A lease on a connection shared with other shared leases and requests (least loaded first);
   * every holder receives every message that is not a matched reply. @default false
   */
  shared?: boolean
}

/** Options of one `request`. */
export interface RequestOptions {
  /** ms the request may take, from the call to its reply, queueing included. @default the pool's `requestTimeout` */
  timeout?: number
  /** Aborts the request; it rejects with `signal.reason`. @default none */
  signal?: AbortSignal
  /**
   * Safe to send twice: if its connection drops before the reply, it is sent once more (on the
   * reopened or another connection) instead of rejecting with `ERR_CONNECTION_LOST`. @default false
   */
  idempotent?: boolean
  /** Higher is served first while requests queue; FIFO within a priority. @default 0 */
  priority?: number
}

/** Checked options: what the backend gets. */
export interface Checked {
  timeout: number
  priority: number
  protocols: readonly string[] | undefined
  signal: AbortSignal | undefined
  /** `shared` for an acquire, `idempotent` for a request. */
  flag: boolean
}

const ACQUIRE_KEYS = ['signal', 'timeout', 'priority', 'protocols', 'shared']
const REQUEST_KEYS = ['signal', 'timeout', 'priority', 'idempotent']
const ARG = 'ERR_INVALID_ARGUMENT'

/** Checks the options of an acquire (`request` false) or a request; `timeout` is the pool's default. */
export function checkOptions(options: unknown, request: boolean, timeout: number): Checked {
  const what = request ? 'request options' : 'acquire options'
  const known = request ? REQUEST_KEYS : ACQUIRE_KEYS
  if (typeof options !== 'object' || options === null || Array.isArray(options)) fail(what, options, 'an object', ARG)
  for (const k in options) if (!known.includes(k)) plainObject(what, options, known, ARG)
  const o = options as Record<string, unknown>
  const priority = o.priority === undefined ? 0 : o.priority
  if (typeof priority !== 'number' || !Number.isFinite(priority)) fail('priority', priority, 'a finite number', ARG)
  const flagName = request ? 'idempotent' : 'shared'
  const flag = o[flagName] === undefined ? false : o[flagName]
  if (typeof flag !== 'boolean') fail(flagName, flag, 'a boolean', ARG)
  const signal = o.signal as Partial<AbortSignal> | undefined
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function' || typeof signal.removeEventListener !== 'function' || !('aborted' in signal))) {
    fail('signal', signal, 'an AbortSignal', ARG)
  }
  return {
    timeout: o.timeout === undefined ? timeout : duration('timeout', o.timeout, true, ARG),
    priority,
    protocols: o.protocols === undefined ? undefined : resolveProtocols('protocols', o.protocols, ARG),
    signal: signal as AbortSignal | undefined,
    flag,
  }
}
