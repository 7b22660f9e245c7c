/**
 * The errors an acquire can end with, worded from what the pool knows at that moment: every
 * message says what happened, to which URL, and why (the last failure, the queue, the caps).
 */
import { PoolError, type PoolErrorDetails } from './errors.js'
import { asError, describeFailure, failureError, type Failure } from './failure.js'

/** `ERR_POOL_CLOSED`: the pool is closed or draining. */
export function poolClosed(origin: string, closed: boolean): PoolError {
  return new PoolError('ERR_POOL_CLOSED', `The pool is ${closed ? 'closed' : 'draining'}: no new connections to ${origin}`, { origin })
}

/** `ERR_QUEUE_FULL`: `maxQueue` acquires already wait for `url`'s origin. */
export function queueFull(origin: string, url: string, maxQueue: number): PoolError {
  return failureError('ERR_QUEUE_FULL', `Cannot queue another acquire for ${url}: ${maxQueue} already queued (maxQueue ${maxQueue})`, origin, url)
}

/**
 * `ERR_ACQUIRE_TIMEOUT` after `wait` ms of `timeout`: quoting the last failure, else whether a
 * connection is opening for it, else the queue and the cap.
 */
export function acquireTimedOut(origin: string, url: string, wait: number, timeout: number, f: Failure | undefined, opening: boolean, queued: number, live: number, max: number): PoolError {
  const why = f ? `last connection attempt failed: ${describeFailure(f)}`
    : opening ? 'the connection is still opening'
    : `${queued} acquires queued, ${live} connections live (maxPerHost ${max})`
  return failureError('ERR_ACQUIRE_TIMEOUT', `Timed out after ${wait} ms (acquireTimeout ${timeout} ms) acquiring a connection to ${url}; ${why}`, origin, url, f)
}

/** `ERR_CONNECT_FAILED`: the reconnect policy gave up before the acquire's deadline. */
export function connectFailed(origin: string, url: string, f: Failure | undefined): PoolError {
  return failureError('ERR_CONNECT_FAILED', `Could not connect to ${url}: ${f ? describeFailure(f) : 'connection closed'}`, origin, url, f)
}

/** `ERR_CIRCUIT_OPEN` after `failures` consecutive failures; the next trial in `left` ms, or under way (half-open). */
export function circuitOpen(origin: string, url: string, failures: number, halfOpen: boolean, left: number, f: Failure | undefined): PoolError {
  return failureError('ERR_CIRCUIT_OPEN', `Circuit open for ${origin}: ${failures} consecutive connection attempts failed${f?.error ? ` (last: ${f.error.message})` : ''}; ${halfOpen ? 'a trial connection is under way' : `next trial in ${left} ms`}`, origin, url, f, halfOpen ? 0 : left)
}

/**
 * Calls a predicate from the pool's options (`reconnect.shouldReconnect`, `heartbeat.isPong`),
 * which is user code. If it throws, `report` gets a `PoolError` that carries the thrown value as
 * `cause`, and the answer is `false`.
 */
export function ask<T>(option: string, fn: (arg: T) => unknown, arg: T, details: PoolErrorDetails, report: (error: PoolError) => void): unknown {
  try {
    return fn(arg)
  } catch (thrown) {
    report(callbackError(option, thrown, details, ' (taken as false)'))
    return false
  }
}

/** `ERR_INVALID_OPTION`: a callback of the pool's options threw; carries what it threw as `cause`. */
export function callbackError(option: string, thrown: unknown, details: PoolErrorDetails, outcome = ''): PoolError {
  return new PoolError('ERR_INVALID_OPTION', `\`${option}\` threw${outcome}: ${asError(thrown, String(thrown)).message}`, { ...details, cause: thrown })
}

/** `ERR_CONNECTION_LOST`: the connection closed after request `id` went out and before its reply (it may or may not have been processed). */
export function connectionLost(origin: string, url: string, id: number, f: Failure | undefined): PoolError {
  return failureError('ERR_CONNECTION_LOST', `The connection to ${url} closed before the reply to request ${id} came (it may or may not have been processed): ${f ? describeFailure(f) : 'connection closed'}`, origin, url, f)
}

/** `ERR_REQUEST_TIMEOUT` after `wait` ms: request `id` got no reply within its `timeout` (queueing included). */
export function requestTimedOut(origin: string, url: string, id: number, wait: number, timeout: number, sent: boolean): PoolError {
  return failureError('ERR_REQUEST_TIMEOUT', `Request ${id} to ${url} got no reply within ${wait} ms (timeout ${timeout} ms); it ${sent ? 'was sent and is still unanswered' : 'was never sent: no connection could be had in time'}`, origin, url)
}
