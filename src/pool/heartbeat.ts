/**
 * Liveness probe of one open socket. After `interval` ms without any inbound message it sends a
 * probe (the configured message, or a protocol ping frame on `ws`); if nothing at all arrives
 * within `timeout` ms after that, the socket is half-open and `onDead` runs.
 *
 * Inbound traffic only stamps a time (`seen`), so the receive path stays cheap: the timer
 * re-arms itself for the remaining silence rather than being reset per message.
 */
import type { ResolvedHeartbeat } from '../core/options.js'
import type { WebSocketLike } from '../core/socket.js'
import { now, type TimerHandle, type Timers } from '../runtime/clock.js'

export class Heartbeat {
  #lastSeen = now()
  #probeAt = -1
  #timer: TimerHandle | undefined

  constructor(
    readonly policy: ResolvedHeartbeat,
    readonly timers: Timers,
    readonly socket: WebSocketLike,
    readonly onDead: () => void,
  ) {
    // Protocol pongs count as life; `ws` exposes them only through its emitter API.
    if (policy.message === undefined && typeof socket.ping === 'function') socket.on?.('pong', () => this.seen())
    this.#arm(policy.interval)
  }

  /** Any inbound message: a sign of life. */
  seen(): void {
    this.#lastSeen = now()
  }

  /** Whether `data` is a probe reply (not delivered, not counted). */
  isPong(data: unknown): boolean {
    const match = this.policy.isPong
    if (match === undefined) return false
    try {
      return match(data) === true
    } catch {
      return false
    }
  }

  stop(): void {
    this.timers.cancel(this.#timer)
    this.#timer = undefined
  }

  #arm(ms: number): void {
    this.#timer = this.timers.set(() => this.#tick(), Math.max(1, ms))
  }

  #tick(): void {
    this.#timer = undefined
    const t = now()
    const { interval, timeout } = this.policy
    if (this.#probeAt >= 0) {
      if (this.#lastSeen >= this.#probeAt) this.#probeAt = -1 // answered: silence counts from the reply
      else if (t - this.#probeAt >= timeout) return this.onDead()
      else return this.#arm(Math.min(interval, timeout - (t - this.#probeAt)))
    }
    const silent = t - this.#lastSeen
    if (silent < interval) return this.#arm(interval - silent)
    this.#probeAt = t
    try {
      const { message } = this.policy
      if (message === undefined && typeof this.socket.ping === 'function') this.socket.ping()
      else this.socket.send(message ?? 'ping')
    } catch {
      // A socket that cannot send is as good as dead: the timeout decides.
    }
    // Check back within `interval` too, so an early reply restarts the cadence from itself.
    this.#arm(Math.min(interval, timeout))
  }
}
