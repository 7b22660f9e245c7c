/**
 * How an attempt or a socket ended, and how errors quote it.
 */
import { PoolError, type PoolErrorCode } from './errors.js'

/** How an attempt or a socket ended. */
export interface Failure {
  code: number
  reason: string
  wasClean: boolean
  error?: Error
}

/** An abnormal closure (1006: no close frame), with the error that caused it. */
export function lost(error?: Error): Failure {
  return { code: 1006, reason: '', wasClean: false, error }
}

/** `value` as an Error: itself, or a new one with its text (or `fallback`). */
export function asError(value: unknown, fallback: string): Error {
  if (value instanceof Error) return value
  return new Error(typeof value === 'string' && value ? value : fallback)
}

/** `connect ECONNREFUSED 127.0.0.1:1 (close code 1006)`: a failure as error messages quote it. */
export function describeFailure(f: Failure): string {
  return `${f.error?.message ?? 'connection closed'} (close code ${f.code}${f.reason ? `, reason "${f.reason}"` : ''})`
}

/** A `PoolError` about `url` of `origin` that carries `f` (if any): its error as `cause`, its close code and reason. */
export function failureError(code: PoolErrorCode, message: string, origin: string, url: string, f?: Failure, retryAfter?: number): PoolError {
  return new PoolError(code, message, { origin, url, cause: f?.error, closeCode: f?.code, closeReason: f?.reason, retryAfter })
}
