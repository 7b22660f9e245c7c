/**
 * Keeps `minIdlePerHost` open idle connections warm for one origin once it has been used. They
 * open to the most recently acquired URL and protocols; never while acquires queue (those need the
 * room first), while the circuit is not closed, or once the pool drains or closes; and after a
 * warm or idle connection failed only after a backoff delay, so a server that accepts and then
 * drops is not hammered.
 */
import { backoffDelay } from '../core/backoff.js'
import type { ResolvedOptions } from '../core/options.js'
import type { PoolUrl } from '../core/url.js'
import type { TimerHandle, Timers } from '../runtime/clock.js'

/** What the warm set needs from its origin. */
export interface WarmHost {
  readonly options: ResolvedOptions
  readonly timers: Timers
  readonly minIdle: number
  /** Open idle connections. */
  readonly idleCount: number
  /** Warm connections still opening. */
  readonly warming: number
  readonly queued: number
  /** Whether warm connections are wanted at all now: circuit closed, pool neither draining nor closed. */
  warmable(): boolean
  /** Whether one more connection fits under the caps. */
  hasRoom(): boolean
  openWarm(url: PoolUrl, key: string, protocols: readonly string[]): void
}

export class WarmSet {
  /** The most recently acquired URL: where warm connections go. */
  #mru: { url: PoolUrl; key: string; protocols: readonly string[] } | undefined
  #failures = 0
  #timer: TimerHandle | undefined

  constructor(readonly host: WarmHost) {}

  /** A connection to `key` was leased: warm connections now go there. */
  used(url: PoolUrl, key: string, protocols: readonly string[]): void {
    if (this.#mru?.key !== key) this.#mru = { url, key, protocols }
  }

  /** Whether a warm connection still opening is needed (it counts itself). No side effects. */
  needed(): boolean {
    return this.host.idleCount + this.host.warming <= this.host.minIdle && this.host.warmable()
  }

  /** Opens warm connections up to `minIdlePerHost`, within the caps. */
  topUp(): void {
    const { host } = this
    const mru = this.#mru
    if (host.minIdle === 0 || mru === undefined || this.#timer !== undefined || host.queued > 0 || !host.warmable()) return
    for (let have = host.idleCount + host.warming; have < host.minIdle && host.hasRoom(); have++) {
      host.openWarm(mru.url, mru.key, mru.protocols)
    }
  }

  /** An idle or warm connection failed (`openedAt`: when it last opened, 0 if never): top up again after a backoff delay. */
  failed(openedAt: number): void {
    const { host } = this
    const policy = host.options.reconnect
    if (!policy || host.minIdle === 0) return
    if (openedAt > 0 && host.timers.now() - openedAt >= policy.minUptime) this.#failures = 0
    if (this.#failures >= policy.maxAttempts) return
    this.#failures++
    host.timers.cancel(this.#timer)
    this.#timer = host.timers.set(() => {
      this.#timer = undefined
      this.topUp()
    }, Math.round(backoffDelay(this.#failures, policy, () => host.timers.random())))
  }

  /** Whether a top-up waits out a delay. */
  get waiting(): boolean {
    return this.#timer !== undefined
  }

  stop(): void {
    this.host.timers.cancel(this.#timer)
    this.#timer = undefined
  }
}
