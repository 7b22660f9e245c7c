/**
 * The host's record of one connection: who holds it (an exclusive lease today; shared holders and
 * requests in flight plug in here), what it is being opened for (a waiter, or the warm set), how
 * often it was leased, and its place among the idle. It is the connection's port, so the one
 * inbound message tap of a connection routes through here to its holder, and it is the handle the
 * holder's lease drives (release and destroy run as one batch of changes).
 */
import type { Failure } from '../core/failure.js'
import type { SendData } from '../core/socket.js'
import type { StatsRecord } from '../core/stats.js'
import type { PoolUrl } from '../core/url.js'
import type { Evictable } from './admission.js'
import type { Holder, LeaseHandle } from './backend.js'
import type { Breaker } from './breaker.js'
import { Connection } from './connection.js'
import type { ConnectionEnv, ConnectionPort, ConnectionState } from './connection-port.js'
import type { EvictReason, Notifier, PoolEvents } from './events.js'
import type { Idler } from './idle-set.js'
import type { Waiter } from './waiter.js'

/** What every slot of a pool shares: the connection's environment, and what holders need. */
export interface SlotEnv extends ConnectionEnv {
  /** Delivers events to holders' listeners once the pool's state is consistent. */
  readonly notifier: Notifier
  /** Opens and closes a batch of changes around a holder's call (`run` without a closure). */
  enter(): void
  exit(): void
  /** Whether anyone listens to a pool event (hot paths skip building its payload). */
  listens(type: keyof PoolEvents): boolean
  /** A waiter or a lease ended (drain and close may complete). */
  settled(): void
}

/** What a slot needs from its origin. */
export interface SlotOwner {
  readonly stats: StatsRecord
  readonly breaker: Breaker
  /** Whether the warm set still needs a warm connection that is opening. */
  warmNeeded(): boolean
  stateChanged(prev: ConnectionState, next: ConnectionState): void
  opened(s: Slot, reopened: boolean): void
  attemptFailed(s: Slot, failure: Failure): void
  dropped(s: Slot): void
  closed(s: Slot, failure: Failure | undefined): void
  /** `s` came free: recycle it, hand it on, or idle it. */
  free(s: Slot): void
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
  /** Idle sweeps since it last went idle (see HostPool). */
  idleTicks = 0
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

  // ConnectionPort ----------------------------------------------------------------------------

  wanted(): boolean {
    return !!this.lease || this.awaited() || (this.warm && this.owner.warmNeeded())
  }

  awaited(): boolean {
    return !!this.waiter && !this.waiter.settled
  }

  claim(): boolean {
    return this.owner.breaker.mayAttempt(this)
  }

  stateChanged(prev: ConnectionState, next: ConnectionState): void {
    this.owner.stateChanged(prev, next)
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
    if (target) this.env.notifier.emit(target, 'message', data)
  }

  notify(type: string, event: unknown): void {
    const target = this.lease?._events
    if (target) this.env.notifier.emit(target, type, event)
  }

  closed(failure: Failure | undefined): void {
    this.owner.closed(this, failure)
  }

  // LeaseHandle -------------------------------------------------------------------------------

  send(holder: Holder, data: SendData, hold: boolean): boolean {
    // A former holder (its connection closed for good) gets ERR_LEASE_CLOSED from the connection.
    return holder !== this.lease || hold || this.conn.writable ? this.conn.send(data) : false
  }

  release(holder: Holder): void {
    if (holder !== this.lease) return
    const { env, conn } = this
    env.enter()
    try {
      this.#unhold()
      if (conn.writable) this.owner.free(this)
      else {
        // Not open (or closing under the pool): close it, reporting what it held for the holder.
        conn.drop('released')
        conn.shutdown()
      }
      env.settled()
    } finally {
      env.exit()
    }
  }

  destroy(holder: Holder, code: number, reason: string): void {
    if (holder !== this.lease) return
    const { env, conn } = this
    env.enter()
    try {
      conn.drop('destroyed')
      this.#close(holder, code, reason, true)
      this.#unhold()
      conn.shutdown(code, reason)
      env.settled()
    } finally {
      env.exit()
    }
  }

  // Evictable ---------------------------------------------------------------------------------

  evict(reason: EvictReason): void {
    this.owner.evict(this, reason)
  }

  /** The connection ended for good: its holder is told (`close`), with what it held dropped. */
  ended(poolClosed: boolean): void {
    const lease = this.lease
    if (!lease) return
    this.lease = null
    this.stats.active(-1)
    this.conn.drop(poolClosed ? 'closed' : 'gave-up')
    const info = this.conn.lastFailure ?? this.conn.lastClose
    this.#close(lease, info?.code ?? 1006, info?.reason ?? '', info?.wasClean ?? false)
  }

  #unhold(): void {
    this.lease = null
    this.stats.active(-1)
    if (this.env.listens('release')) this.env.emit('release', this.conn.ref)
  }

  #close(holder: Holder, code: number, reason: string, wasClean: boolean): void {
    holder._closed()
    const target = holder._events
    if (target) this.env.notifier.emit(target, 'close', { code, reason, wasClean })
  }
}
