/**
 * The host's record of one connection: who holds it (an exclusive lease today; shared holders and
 * requests in flight plug in here), what it is being opened for (a waiter, or the warm set), how
 * often it was leased, and its place among the idle. It is the connection's port, so the one
 * inbound message tap of a connection routes through here to its holder, and it is the handle
 * the holder's lease drives.
 */
import type { SendData } from '../core/socket.js'
import type { StatsRecord } from '../core/stats.js'
import type { PoolUrl } from '../core/url.js'
import type { TimerHandle } from '../runtime/clock.js'
import type { Evictable } from './admission.js'
import type { Holder, LeaseHandle } from './backend.js'
import type { Breaker } from './breaker.js'
import type { Failure } from '../core/failure.js'
import { Connection } from './connection.js'
import type { ConnectionEnv, ConnectionPort, ConnectionState } from './connection-port.js'
import type { EvictReason, Target } from './events.js'
import type { Idler } from './idle-set.js'
import type { Waiter } from './waiter.js'

/** What every slot of a pool shares: the connection's environment, plus event delivery to holders. */
export interface SlotEnv extends ConnectionEnv {
  /** Delivers `event` to a holder's listeners once the pool's state is consistent. */
  notify(target: Target, type: string, event: unknown): void
  /** Opens and closes a batch of changes around a call from a holder (see `run`, without a closure). */
  enter(): void
  exit(): void
}

/** What a slot needs from its origin. */
export interface SlotOwner {
  readonly stats: StatsRecord
  readonly breaker: Breaker
  /** Whether the warm set still needs a warm connection that is opening. */
  warmNeeded(): boolean
  stateChanged(s: Slot, prev: ConnectionState, next: ConnectionState): void
  opened(s: Slot, reopened: boolean): void
  attemptFailed(s: Slot, failure: Failure): void
  dropped(s: Slot): void
  closed(s: Slot, failure: Failure | undefined): void
  release(s: Slot): void
  destroy(s: Slot, code: number, reason: string): void
  evict(s: Slot, reason: EvictReason): void
}

export class Slot implements ConnectionPort, LeaseHandle, Idler, Evictable {
  readonly conn: Connection
  readonly stats: StatsRecord
  /** The exclusive holder. */
  lease: Holder | null = null
  /** The acquire this connection is being opened for. */
  waiter: Waiter<Slot> | null = null
  /** Opened to keep `minIdlePerHost` warm connections, and not yet open. */
  warm = false
  /** It was idle when its socket dropped (top up after it). */
  droppedIdle = false
  uses = 0
  readonly createdAt: number
  /** The idle timer (lazy: may outlive a reuse; see HostPool) and when the connection last went idle. */
  idleTimer: TimerHandle | undefined
  idleSince = 0
  idleIn: object | null = null
  idlePrev: Slot | null = null
  idleNext: Slot | null = null

  constructor(
    readonly owner: SlotOwner,
    readonly env: SlotEnv,
    readonly key: string,
    id: number,
    url: PoolUrl,
    protocols: readonly string[],
  ) {
    this.stats = owner.stats
    this.createdAt = env.timers.now()
    this.conn = new Connection(id, url, protocols, env, this)
  }

  // ConnectionPort ----------------------------------------------------------------------------

  wanted(): boolean {
    return this.lease !== null || this.awaited() || (this.warm && this.owner.warmNeeded())
  }

  awaited(): boolean {
    return this.waiter !== null && !this.waiter.settled
  }

  claim(): boolean {
    return this.owner.breaker.mayAttempt(this)
  }

  stateChanged(prev: ConnectionState, next: ConnectionState): void {
    this.owner.stateChanged(this, prev, next)
  }

  opened(reopened: boolean): void {
    this.owner.opened(this, reopened)
  }

  attemptFailed(failure: Failure): void {
    this.owner.attemptFailed(this, failure)
  }

  dropped(): void {
    this.owner.dropped(this)
  }

  /** The connection's one inbound tap: the holder gets every message. */
  message(data: unknown): void {
    const target = this.lease?._events
    if (target) this.env.notify(target, 'message', data)
  }

  notify(type: string, event: unknown): void {
    const target = this.lease?._events
    if (target) this.env.notify(target, type, event)
  }

  closed(failure: Failure | undefined): void {
    this.owner.closed(this, failure)
  }

  // LeaseHandle -------------------------------------------------------------------------------

  get id(): number {
    return this.conn.id
  }

  get url(): PoolUrl {
    return this.conn.url
  }

  get protocol(): string {
    return this.conn.protocol
  }

  get bufferedAmount(): number {
    return this.conn.bufferedAmount
  }

  get state(): 'connecting' | 'open' | 'reconnecting' | 'closed' {
    const s = this.conn.state
    return s === 'closing' ? 'closed' : s
  }

  send(holder: Holder, data: SendData, hold: boolean): boolean {
    // A former holder (its connection closed for good) gets ERR_LEASE_CLOSED from the connection.
    return holder !== this.lease || hold || this.conn.writable ? this.conn.send(data) : false
  }

  release(holder: Holder): void {
    if (holder !== this.lease) return
    const { env } = this
    env.enter()
    try {
      this.owner.release(this)
    } finally {
      env.exit()
    }
  }

  destroy(holder: Holder, code: number, reason: string): void {
    if (holder !== this.lease) return
    const { env } = this
    env.enter()
    try {
      this.owner.destroy(this, code, reason)
    } finally {
      env.exit()
    }
  }

  // Evictable ---------------------------------------------------------------------------------

  evict(reason: EvictReason): void {
    this.owner.evict(this, reason)
  }

  /** Tells the holder its connection closed for good, with a `close` event. */
  closeHolder(holder: Holder, event: { code: number; reason: string; wasClean: boolean }): void {
    holder._closed()
    const target = holder._events
    if (target) this.env.notify(target, 'close', event)
  }
}
