/**
 * Liveness probe of one open socket. After `interval` ms without any inbound message it sends a
 * probe (the configured message, or a protocol ping frame on `ws`); if nothing at all arrives
 * within `timeout` ms after that, the socket is half-open and `onDead` runs.
 *
 * Inbound traffic only sets a flag (`seen`): no clock read per message. A timer checks the flag
 * every half interval and adds up the silence it has waited through, so a probe follows between
 * `interval` and 1.5 x `interval` of silence. Elapsed time is counted from the delays the timer
 * was armed with, never from the wall clock: a timer that a hidden page throttled fires late, and
 * that can delay a probe or a verdict, never hasten one.
 */
import type { ResolvedHeartbeat } from '../core/options.js'
import type { WebSocketLike } from '../core/socket.js'
import type { TimerHandle, Timers } from '../runtime/clock.js'
import { BROWSER } from '../runtime/platform.js'

export class Heartbeat {
  /** Inbound traffic since the last check. */
  #heard = false
  /** ms of silence counted so far; while a probe is out, ms since the probe (negative: none out). */
  #quiet = 0
  #probe = -1
  #armed = 0
  /** When the pending check was armed (`timers.now()`). */
  #armedAt = 0
  #timer: TimerHandle | undefined

  constructor(
    readonly policy: ResolvedHeartbeat,
    readonly timers: Timers,
    readonly socket: WebSocketLike,
    readonly onDead: () => void,
  ) {
    // Protocol pongs count as life; `ws` exposes them only through its emitter API.
    if (!BROWSER && policy.message === undefined && typeof socket.ping === 'function') socket.on?.('pong', () => this.seen())
    this.#arm(this.#step())
  }

  /** Any inbound message: a sign of life. */
  seen(): void {
    this.#heard = true
  }

  stop(): void {
    this.timers.cancel(this.#timer)
    this.#timer = undefined
  }

  /**
   * The page became visible: a socket silent for longer than `interval` is probed at once (a
   * hidden page's throttled timers may not have noticed). Silence is what the checks counted plus
   * the wall time since the last check (a clock read per check, never per message).
   */
  wake(): void {
    if (this.#heard || this.#probe >= 0 || this.#timer === undefined) return
    if (this.#quiet + this.timers.now() - this.#armedAt < this.policy.interval) return
    this.timers.cancel(this.#timer)
    this.#quiet = this.policy.interval
    this.#armed = 0
    this.#tick()
  }

  #step(): number {
    return Math.max(1, this.policy.interval / 2)
  }

  #arm(ms: number): void {
    this.#armed = ms
    this.#armedAt = this.timers.now()
    this.#timer = this.timers.set(() => this.#tick(), ms)
  }

  #tick(): void {
    this.#timer = undefined
    const { interval, timeout } = this.policy
    const step = this.#step()
    if (this.#heard) {
      // Alive (a probe, if one was out, is answered): silence counts from this check.
      this.#heard = false
      this.#quiet = 0
      this.#probe = -1
      return this.#arm(step)
    }
    if (this.#probe >= 0) {
      this.#probe += this.#armed
      if (this.#probe >= timeout) return this.onDead()
      // Check back within a step too, so an early reply restarts the cadence from itself.
      return this.#arm(Math.min(step, timeout - this.#probe))
    }
    this.#quiet += this.#armed
    if (this.#quiet < interval) return this.#arm(Math.min(step, interval - this.#quiet))
    this.#probe = 0
    try {
      const { message } = this.policy
      if (!BROWSER && message === undefined && typeof this.socket.ping === 'function') this.socket.ping()
      else this.socket.send(message ?? 'ping')
    } catch {
      // A socket that cannot send is as good as dead: the timeout decides.
    }
    this.#arm(Math.min(step, timeout))
  }
}
