/**
 * When a connection tries again: its retry timer, the retries since its last stable open, and
 * the backoff clock the delays are keyed to (see {@link retryDelay}). The clock runs from when
 * the trouble began (the drop, or the first failure since the last stable open) and stops while
 * the connection is parked (offline, or the page frozen): parked time is not backoff time, so a
 * connection back online after an hour is not made to wait as if the server had failed for one.
 *
 * Invariants: at most one timer is pending, and its handle is kept until it fires or is
 * cancelled (`waiting` says whether one is); the clock and the parked mark are -1 when unset.
 */
import { retryDelay } from '../core/backoff.js'
import type { Failure } from '../core/failure.js'
import type { ResolvedReconnect } from '../core/options.js'
import type { TimerHandle } from '../runtime/clock.js'
import { isOffline } from '../runtime/environment.js'
import type { ConnectionEnv, ConnectionPort } from './connection-port.js'
import type { ConnectionRef } from './events.js'

/** ms between checks of `navigator.onLine` while offline (the `online` event normally comes first). */
const OFFLINE_CHECK = 10_000

/** One connection's retry timer, attempt count and backoff clock. */
export class RetrySchedule {
  /** Retries since the last stable open (reset after `minUptime`). */
  attempt = 0
  readonly #env: ConnectionEnv
  readonly #port: ConnectionPort
  readonly #due: () => void
  #timer: TimerHandle | undefined
  #retryAt = 0
  /** When the trouble began, or -1: the backoff clock. */
  #since = -1
  /** When it parked offline or frozen, or -1. */
  #parkedAt = -1

  /** `due` runs when the timer fires: the connection attempts, or waits again. */
  constructor(env: ConnectionEnv, port: ConnectionPort, due: () => void) {
    this.#env = env
    this.#port = port
    this.#due = due
  }

  /** Whether it waits out a delay (the connection then has no socket). */
  get waiting(): boolean {
    return this.#timer !== undefined
  }

  /**
   * Whether an attempt may start now; if not, it waits again. Offline or frozen, it parks: no
   * attempt and no backoff step spent (the pool's `online` and `pageshow` listeners wake it, the
   * slow check covers an event never seen). While another attempt to this failing origin is in
   * flight (`claim` fails), it skips this turn and keeps the same pace.
   */
  ready(): boolean {
    const env = this.#env
    const now = env.timers.now()
    if (isOffline() || env.frozen) {
      if (this.#parkedAt < 0) this.#parkedAt = now
      this.wait()
      return false
    }
    if (this.#parkedAt >= 0) {
      if (this.#since >= 0) this.#since += now - this.#parkedAt
      this.#parkedAt = -1
    }
    if (this.#port.claim()) return true
    const policy = env.options.reconnect
    this.wait(policy ? this.#backoff(policy) : 1000)
    return false
  }

  /**
   * Counts the next retry after `failure`, announces it (the pool's `reconnecting` event about
   * `ref`, and the holders') and waits out its delay; the backoff clock starts with the first.
   */
  retry(failure: Failure, policy: ResolvedReconnect, ref: ConnectionRef): void {
    const attempt = ++this.attempt
    if (this.#since < 0) this.#since = this.#env.timers.now()
    const delay = this.#backoff(policy)
    const info = { attempt, delay, code: failure.code, reason: failure.reason }
    this.#env.emit('reconnecting', { ...ref, ...info })
    this.#port.notify('reconnecting', info)
    this.wait(delay)
  }

  /** An open socket dropped (it opened at `openedAt`): after `minUptime` open, the trouble starts afresh. */
  dropped(openedAt: number): void {
    const env = this.#env
    const policy = env.options.reconnect
    if (policy && env.timers.now() - openedAt >= policy.minUptime) this.reset()
  }

  /** No failure behind the next attempt: the backoff starts afresh if it fails. */
  reset(): void {
    this.attempt = 0
    this.#since = -1
  }

  /** Runs `due` in `ms` (by default a slow check, until woken by `soon`). */
  wait(ms = OFFLINE_CHECK): void {
    const { timers } = this.#env
    this.#retryAt = timers.now() + ms
    this.#timer = timers.set(() => {
      this.#timer = undefined
      this.#due()
    }, ms, this.#port.awaited())
  }

  /** Waiting out a delay: try within `window` ms instead (jittered, never later than planned). */
  soon(window: number): void {
    if (this.#timer === undefined) return
    const { timers } = this.#env
    this.stop()
    this.wait(Math.round(timers.random() * Math.max(0, Math.min(this.#retryAt - timers.now(), window))))
  }

  /** No attempt is due any more (the connection closes, or moves on). */
  stop(): void {
    this.#env.timers.cancel(this.#timer)
    this.#timer = undefined
  }

  /** The next retry's delay, from the time since the trouble began. */
  #backoff(policy: ResolvedReconnect): number {
    const { timers } = this.#env
    return Math.round(retryDelay(this.#since < 0 ? 0 : timers.now() - this.#since, policy, () => timers.random()))
  }
}
