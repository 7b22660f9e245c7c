/**
 * The idle side of one origin: its idle connections (reused most recently used first, evicted
 * least recently used first), their expiry after `idleTimeout`, and the warm connections that
 * keep `minIdlePerHost` of them open once the origin has been used.
 *
 * Expiry: one sweep every quarter of `idleTimeout`, while connections above `minIdlePerHost`
 * idle, rather than a timer or a clock read per release. Each sweep counts a tick on every idle
 * connection (a release resets its count); one idle for five ticks has been idle for more than
 * `idleTimeout` and at most a quarter more. Idle order is age order: the oldest go first.
 *
 * Warm connections open to the most recently acquired URL and protocols; never while acquires
 * queue (they need the room first), while the circuit is not closed, or once the pool drains or
 * closes; and after a warm or idle connection failed, only after a backoff delay, so a server
 * that accepts and then drops is not hammered.
 */
import { retryDelay } from '../core/backoff.js'
import type { ResolvedOptions } from '../core/options.js'
import type { StatsRecord } from '../core/stats.js'
import type { PoolUrl } from '../core/url.js'
import type { TimerHandle, Timers } from '../runtime/clock.js'
import type { Admission } from './admission.js'
import type { EvictReason } from './events.js'
import { IdleSet } from './idle-set.js'
import type { Slot } from './slot.js'

/** What the idle side needs from its origin. */
export interface IdleHost {
  readonly options: ResolvedOptions
  readonly timers: Timers
  readonly admission: Admission
  readonly stats: StatsRecord
  readonly minIdle: number
  readonly queued: number
  /** Whether warm connections are wanted at all now: circuit closed, pool neither draining nor closed. */
  warmable(): boolean
  /** Whether one more connection fits under the caps. */
  hasRoom(): boolean
  openWarm(url: PoolUrl, key: string, protocols: readonly string[]): void
  evict(s: Slot, reason: EvictReason): void
}

export class IdlePool {
  readonly #set = new IdleSet<Slot>()
  #sweep: TimerHandle | undefined
  /** Warm connections still opening. */
  warming = 0
  /** Where warm connections go: the most recently acquired URL. */
  #mru: Slot | undefined
  #failures = 0
  /** When the current run of top-up failures began (the backoff clock). */
  #failingSince = 0
  #topUp: TimerHandle | undefined

  constructor(readonly host: IdleHost) {}

  get size(): number {
    return this.#set.size
  }

  /** Whether a top-up waits out a delay. */
  get waiting(): boolean {
    return this.#topUp !== undefined
  }

  /** The most recently used idle connection for `key` (one past `maxLifetime` is evicted instead). */
  take(key: string): Slot | undefined {
    const { options, timers, admission, stats } = this.host
    for (let s = this.#set.take(key); s; s = this.#set.take(key)) {
      admission.idle(s, false)
      stats.idle(-1)
      if (options.maxLifetime === Infinity || timers.now() - s.createdAt < options.maxLifetime) return s
      this.host.evict(s, 'lifetime')
    }
  }

  add(s: Slot): void {
    this.#set.add(s)
    s.idleTicks = 0
    this.host.admission.idle(s, true)
    this.host.stats.idle(1)
    this.sweepSoon()
  }

  /** Takes `s` out if it is idle; returns whether it was. */
  remove(s: Slot): boolean {
    if (!this.#set.delete(s)) return false
    this.host.admission.idle(s, false)
    this.host.stats.idle(-1)
    return true
  }

  /** The least recently used idle connection. */
  oldest(): Slot | undefined {
    return this.#set.oldest()
  }

  /** Idle connections, least recently used first. */
  values(): IterableIterator<Slot> {
    return this.#set.values()
  }

  /** Starts the expiry sweep if connections above `minIdlePerHost` idle. */
  sweepSoon(): void {
    const { host } = this
    const { idleTimeout } = host.options
    if (this.#sweep !== undefined || idleTimeout === Infinity || this.size <= host.minIdle) return
    this.#sweep = host.timers.set(() => {
      this.#sweep = undefined
      for (const s of this.values()) s.idleTicks++
      for (let s = this.oldest(); s && s.idleTicks > 4 && this.size > host.minIdle; s = this.oldest()) host.evict(s, 'idle')
      this.sweepSoon()
    }, Math.max(1, idleTimeout / 4))
  }

  // warm connections --------------------------------------------------------------------------

  /** `s` was leased: warm connections now go to its URL. */
  used(s: Slot): void {
    if (this.#mru?.key !== s.key) this.#mru = s
  }

  /** Whether a warm connection still opening is needed (it counts itself). No side effects. */
  needed(): boolean {
    return this.size + this.warming <= this.host.minIdle && this.host.warmable()
  }

  /** Opens warm connections up to `minIdlePerHost`, within the caps. */
  topUp(): void {
    const { host } = this
    const mru = this.#mru
    if (host.minIdle === 0 || !mru || this.#topUp !== undefined || host.queued > 0 || !host.warmable()) return
    for (let have = this.size + this.warming; have < host.minIdle && host.hasRoom() && host.warmable(); have++) host.openWarm(mru.url, mru.key, mru.conn.protocols)
  }

  /** An idle or warm connection failed (`openedAt`: when it last opened, 0 if never): top up again after a backoff delay. */
  failed(openedAt: number): void {
    const { options, timers, minIdle } = this.host
    const policy = options.reconnect
    if (!policy || minIdle === 0) return
    if (openedAt > 0 && timers.now() - openedAt >= policy.minUptime) this.#failures = 0
    if (this.#failures >= policy.maxAttempts) return
    if (this.#failures++ === 0) this.#failingSince = timers.now()
    timers.cancel(this.#topUp)
    this.#topUp = timers.set(() => {
      this.#topUp = undefined
      this.topUp()
    }, Math.round(retryDelay(timers.now() - this.#failingSince, policy, () => timers.random())))
  }

  stop(): void {
    this.host.timers.cancel(this.#topUp)
    this.#topUp = undefined
  }
}
