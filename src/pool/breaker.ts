/**
 * Per-origin circuit breaker. After `failures` consecutive failed attempts the circuit opens:
 * acquires fail at once and every connection that wants to attempt is parked. After `cooldown`
 * ms it is half-open: one parked (or new) connection makes the trial attempt. Success closes the
 * circuit and resumes every parked connection; failure opens it for another cooldown.
 */
import type { BreakerOptions } from '../core/options.js'
import type { TimerHandle, Timers } from '../runtime/clock.js'
import type { Connection } from './connection.js'

/** Circuit states, as reported in stats. */
export type CircuitState = 'closed' | 'open' | 'half-open'

export class Breaker {
  state: CircuitState = 'closed'
  failures = 0
  openedAt = 0
  #timer: TimerHandle | undefined
  #trial: Connection | null = null
  #parked = new Set<Connection>()

  constructor(
    readonly policy: Readonly<Required<BreakerOptions>> | false,
    readonly timers: Timers,
    readonly onChange: (state: CircuitState) => void,
  ) {}

  /** Whether an acquire that needs a new connection may proceed. */
  allowsAcquire(): boolean {
    return this.state === 'closed' || (this.state === 'half-open' && this.#trial === null)
  }

  /** Whether `c` may attempt now; if not, it is parked until `resume()`. */
  mayAttempt(c: Connection): boolean {
    if (this.state === 'closed') return true
    if (this.state === 'half-open' && (this.#trial === null || this.#trial === c)) {
      this.#trial = c
      return true
    }
    this.#parked.add(c)
    return false
  }

  failure(c: Connection, now: number): void {
    if (!this.policy) return
    if (this.state === 'half-open') {
      if (this.#trial === c) this.#open(now)
      return
    }
    if (++this.failures >= this.policy.failures && this.state === 'closed') this.#open(now)
  }

  success(): void {
    this.failures = 0
    if (this.state === 'closed') return
    this.#set('closed')
    this.#trial = null
    this.timers.cancel(this.#timer)
    this.#timer = undefined
    const parked = [...this.#parked]
    this.#parked.clear()
    for (const c of parked) c.resume()
  }

  /** `c` is gone: it no longer waits, and if it was the trial another parked one takes its place. */
  forget(c: Connection): void {
    this.#parked.delete(c)
    if (this.#trial === c) {
      this.#trial = null
      if (this.state === 'half-open') this.#nextTrial()
    }
  }

  stop(): void {
    this.timers.cancel(this.#timer)
    this.#timer = undefined
    this.#parked.clear()
  }

  #open(now: number): void {
    const { cooldown } = this.policy as Required<BreakerOptions>
    this.#trial = null
    this.openedAt = now
    this.#set('open')
    this.timers.cancel(this.#timer)
    this.#timer = this.timers.set(() => {
      this.#timer = undefined
      this.#set('half-open')
      this.#nextTrial()
    }, cooldown)
  }

  #nextTrial(): void {
    const next = this.#parked.values().next().value
    if (next === undefined) return
    this.#parked.delete(next)
    this.#trial = next
    next.resume()
  }

  #set(state: CircuitState): void {
    this.state = state
    this.onChange(state)
  }
}
