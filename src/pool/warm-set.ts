/**
 * Keeps `minIdlePerHost` open idle connections warm for one origin once it has been used. They
 * open to the most recently acquired URL and protocols, never while acquires queue (those need the
 * room first), and after a warm or idle connection failed only after a backoff delay, so a server
 * that accepts and then drops is not hammered.
 */
import { backoffDelay } from '../core/backoff.js'
import type { PoolUrl } from '../core/url.js'
import { now, random, type TimerHandle } from '../runtime/clock.js'
import type { Connection } from './connection.js'
import type { PoolContext } from './pool-context.js'

/** What the warm set needs from its origin's HostPool. */
export interface WarmHost {
  readonly ctx: PoolContext
  readonly idleCount: number
  readonly queued: number
  connections(): Iterable<Connection>
  hasRoom(): boolean
  openWarm(url: PoolUrl, key: string, protocols: readonly string[]): void
}

export class WarmSet {
  /** The most recently acquired URL: where warm connections go. */
  #mru: { url: PoolUrl; key: string; protocols: readonly string[] } | undefined
  #failures = 0
  #timer: TimerHandle | undefined

  constructor(readonly host: WarmHost) {}

  /** `c` was leased: warm connections now go to its URL. */
  used(c: Connection): void {
    if (this.#mru?.key !== c.key) this.#mru = { url: c.url, key: c.key, protocols: c.protocols }
  }

  /** Whether a warm connection still being opened is needed (it counts itself). */
  needed(): boolean {
    return this.host.idleCount + this.#warming() <= this.host.ctx.limits.minIdlePerHost
  }

  /** Opens warm connections up to `minIdlePerHost`, within the caps. */
  topUp(): void {
    const { ctx } = this.host
    const min = ctx.limits.minIdlePerHost
    const mru = this.#mru
    if (min === 0 || mru === undefined || ctx.closing || this.#timer !== undefined || this.host.queued > 0) return
    for (let have = this.host.idleCount + this.#warming(); have < min && this.host.hasRoom(); have++) {
      this.host.openWarm(mru.url, mru.key, mru.protocols)
    }
  }

  /** An idle or warm connection failed: top up again after a backoff delay, not at once. */
  failed(c: Connection): void {
    const { ctx } = this.host
    const policy = ctx.options.reconnect
    if (!policy || ctx.limits.minIdlePerHost === 0) return
    if (c.openedAt > 0 && now() - c.openedAt >= policy.minUptime) this.#failures = 0
    if (this.#failures >= policy.maxAttempts) return
    this.#failures++
    ctx.timers.cancel(this.#timer)
    this.#timer = ctx.timers.set(() => {
      this.#timer = undefined
      this.topUp()
    }, Math.round(backoffDelay(this.#failures, policy, random)))
  }

  stop(): void {
    this.host.ctx.timers.cancel(this.#timer)
    this.#timer = undefined
  }

  #warming(): number {
    let n = 0
    for (const c of this.host.connections()) if (c.warm) n++
    return n
  }
}
