/**
 * Every failure wspool reports is a {@link PoolError} with a stable string `code`.
 * @packageDocumentation
 */

/** The stable error codes. Match on `error.code`, never on the message. */
export type PoolErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_URL'
  | 'ERR_ACQUIRE_TIMEOUT'
  | 'ERR_QUEUE_FULL'
  | 'ERR_POOL_CLOSED'
  | 'ERR_CONNECT_FAILED'
  | 'ERR_LEASE_RELEASED'
  | 'ERR_LEASE_CLOSED'
  | 'ERR_BUFFER_FULL'
  | 'ERR_REQUEST_TIMEOUT'
  | 'ERR_CIRCUIT_OPEN'
  | 'ERR_CONNECTION_LOST'
  | 'ERR_INVALID_ARGUMENT'

/** Extra facts a {@link PoolError} may carry. */
export interface PoolErrorDetails {
  /** The pool key (WHATWG origin) the failure concerns. */
  origin?: string
  /** The redacted URL the failure concerns. */
  url?: string
  /** Close code of the last socket close, where a socket closed. */
  closeCode?: number
  /** Close reason of the last socket close, where a socket closed. */
  closeReason?: string
  /** `ERR_CIRCUIT_OPEN`: ms until the circuit's trial connection may start (0 while a trial is under way). */
  retryAfter?: number
  /** The underlying failure. */
  cause?: unknown
}

/** The one error class wspool throws and rejects with (abort aside: that rejects with `signal.reason`). */
export class PoolError extends Error {
  /** Stable machine-readable code. */
  readonly code: PoolErrorCode
  /** The origin concerned, where known. */
  readonly origin?: string
  /** The redacted URL concerned, where known. */
  readonly url?: string
  /** The last close code seen, where a socket closed. */
  readonly closeCode?: number
  /** The last close reason seen, where a socket closed. */
  readonly closeReason?: string
  /** `ERR_CIRCUIT_OPEN`: ms until the circuit's trial connection may start (0 while a trial is under way). */
  readonly retryAfter?: number

  constructor(code: PoolErrorCode, message: string, details: PoolErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = 'PoolError'
    this.code = code
    // Only facts that are known become set; the fields above exist (undefined) either way.
    for (const key of DETAIL_KEYS) if (details[key] !== undefined) (this as PoolErrorDetails)[key] = details[key] as never
  }
}

/** The details copied onto the error (`cause` goes to the standard `Error` option instead). */
const DETAIL_KEYS = ['origin', 'url', 'closeCode', 'closeReason', 'retryAfter'] as const

/** Renders a user-supplied value for an error message: `0`, `-0`, `"abc"`, `null`, `an array`, `an object` (never its contents). */
export function describeValue(value: unknown): string {
  const type = typeof value
  return type === 'string' ? JSON.stringify(value)
    : Object.is(value, -0) ? '-0'
    : type === 'function' || type === 'symbol' ? `a ${type}`
    : Array.isArray(value) ? 'an array'
    : value && type === 'object' ? 'an object'
    : String(value) // numbers, booleans, bigints, null and undefined
}
