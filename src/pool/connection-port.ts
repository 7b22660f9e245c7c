/**
 * What a connection shares with its pool ({@link ConnectionEnv}) and what it tells, and asks, its
 * owner ({@link ConnectionPort}): the interfaces the connection layer declares and the layers
 * above implement.
 */
import type { Failure } from '../core/failure.js'
import type { ResolvedOptions } from '../core/options.js'
import type { WebSocketConstructor } from '../core/socket.js'
import type { StatsRecord } from '../core/stats.js'
import type { Timers } from '../runtime/clock.js'
import type { PoolEvents } from './events.js'

/** States of a pooled connection. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed'

/** What every connection of a pool shares. */
export interface ConnectionEnv {
  readonly options: ResolvedOptions
  readonly timers: Timers
  readonly ctor: WebSocketConstructor
  /** The constructor is `ws` (its own message event and buffer sends are used). */
  readonly nodeWs: boolean
  emit<K extends keyof PoolEvents>(type: K, event: PoolEvents[K]): void
  /** Runs `fn` as one batch of changes (events go out when it returns). */
  run(fn: () => void): void
  /** The page is in the back/forward cache: no connection attempt until it comes back. */
  readonly frozen: boolean
}

/** What a connection tells, and asks, its owner (the host's record of it). */
export interface ConnectionPort {
  readonly stats: StatsRecord
  /** Whether someone still wants this connection (a holder, a waiter, the warm set). No side effects. */
  wanted(): boolean
  /** Whether a caller awaits this connection (its timers then keep a Node process alive). */
  awaited(): boolean
  /** Takes the origin's attempt if one may start now (single-flight while the circuit is not closed). */
  claim(): boolean
  stateChanged(prev: ConnectionState, next: ConnectionState): void
  opened(reopened: boolean): void
  attemptFailed(failure: Failure): void
  /** An open socket closed unexpectedly (before the retry decision). */
  dropped(): void
  /** An inbound message (heartbeat replies excluded). */
  message(data: unknown): void
  /** A held message sent with `tag` went out (the socket opened). */
  flushed(tag: object): void
  /** A holder-level event: `reconnecting`, `error`, or `open` after a reconnect. */
  notify(type: 'reconnecting' | 'error' | 'open', event: unknown): void
  /** Final: the connection is gone; `failure` is set when it ended because connecting gave up. */
  closed(failure: Failure | undefined): void
}
