/**
 * The wire protocol between a tab's shared pool (the client, {@link RemoteBackend}) and the pool
 * that holds the connections (the host, {@link PoolHost}, in a SharedWorker or the leader tab).
 * Every message is structured-cloned; errors travel as {@link WireError} and are rebuilt as
 * `PoolError`s on the other side.
 *
 * Ids: a client names itself (`c`, random per tab and attach) and each of its operations (`r`, an
 * integer it counts); a lease is named by the operation that acquired it, so a client can acquire
 * it again under the same name after a hand-over. Sends are numbered per lease (`s`), and the host
 * acknowledges the highest number handed to an open socket, so a client re-sends only what a
 * host that died never wrote.
 */
import { PoolError, type PoolErrorCode } from '../core/errors.js'
import type { SendData } from '../core/socket.js'
import type { PoolStats } from '../core/stats.js'
import type { Limits } from '../pool/backend.js'

/** Acquire options as they cross (the signal stays in the tab: an abort becomes `cancel`). */
export interface WireAcquire {
  priority: number
  timeout: number
  protocols: readonly string[]
  shared: boolean
}

/** Request options as they cross. */
export interface WireRequest {
  priority: number
  timeout: number
  idempotent: boolean
}

/** Messages from a tab to the host. */
export type ToHost =
  | { k: 'hello'; c: string; options?: Record<string, unknown> }
  | { k: 'acquire'; c: string; r: number; url: string | string[]; o: WireAcquire }
  | { k: 'request'; c: string; r: number; url: string | string[]; p: unknown; o: WireRequest }
  | { k: 'cancel'; c: string; r: number }
  | { k: 'send'; c: string; l: number; s: number; d: SendData }
  | { k: 'release'; c: string; l: number }
  | { k: 'destroy'; c: string; l: number; code: number; reason: string }
  | { k: 'resize'; c: string; v: Limits }
  | { k: 'ping'; c: string }
  | { k: 'bye'; c: string }
  | { k: 'watch'; c: string; lock: string }
  | { k: 'batch'; c: string; m: ToHost[] }

/** A lease's state as the host last saw it. */
export interface WireLease {
  id: number
  url: string
  protocol: string
  state: 'connecting' | 'open' | 'reconnecting' | 'closed'
}

/** Messages from the host to one tab (`to`) or to all (`to` absent). */
export type ToClient =
  | { k: 'welcome'; to: string; limits: Limits; stats: PoolStats; host: string; fresh: boolean; tabs: number }
  | { k: 'leased'; to: string; r: number; lease: WireLease }
  | { k: 'failed'; to: string; r: number; e: WireError }
  | { k: 'reply'; to: string; r: number; v: unknown }
  | { k: 'lease'; to: string; l: number; t: 'message' | 'open' | 'close' | 'reconnecting' | 'error'; e: unknown; lease: WireLease }
  | { k: 'ack'; to: string; l: number; s: number }
  | { k: 'pong'; to: string }
  | { k: 'unknown'; to: string }
  | { k: 'event'; t: string; e: unknown }
  | { k: 'stats'; s: PoolStats; limits: Limits; tabs: number }
  | { k: 'host'; host: string }
  | { k: 'batch'; to: string; m: ToClient[] }

/** An error as it crosses: enough to rebuild a `PoolError` (or a plain `Error`). */
export interface WireError {
  name: string
  message: string
  code?: PoolErrorCode
  details?: Record<string, unknown>
  cause?: WireError
}

const DETAILS = ['origin', 'url', 'closeCode', 'closeReason', 'retryAfter'] as const

/** Flattens an error (or any thrown value) for the wire. */
export function toWire(error: unknown, depth = 0): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) }
  const out: WireError = { name: error.name, message: error.message }
  if (error instanceof PoolError) {
    out.code = error.code
    out.details = {}
    for (const key of DETAILS) if (error[key] !== undefined) out.details[key] = error[key]
  }
  if (error.cause !== undefined && depth < 3) out.cause = toWire(error.cause, depth + 1)
  return out
}

/** Rebuilds an error from the wire: a `PoolError` when it was one. */
export function fromWire(w: WireError): Error {
  const cause = w.cause ? fromWire(w.cause) : undefined
  if (w.code) return new PoolError(w.code, w.message, { ...w.details, cause })
  const e = new Error(w.message, cause === undefined ? undefined : { cause })
  e.name = w.name
  return e
}

/** Event payloads carry errors (`error` events): flattened for the wire, rebuilt on arrival. */
export function eventToWire(e: unknown): unknown {
  if (e instanceof Error) return { $error: toWire(e) }
  if (e && typeof e === 'object' && 'error' in e && (e as { error: unknown }).error instanceof Error) {
    return { ...(e as object), error: { $error: toWire((e as { error: unknown }).error) } }
  }
  return e
}

/** The inverse of {@link eventToWire}. */
export function eventFromWire(e: unknown): unknown {
  if (e && typeof e === 'object') {
    if ('$error' in e) return fromWire((e as { $error: WireError }).$error)
    const inner = (e as { error?: unknown }).error
    if (inner && typeof inner === 'object' && '$error' in inner) return { ...(e as object), error: fromWire((inner as { $error: WireError }).$error) }
  }
  return e
}
