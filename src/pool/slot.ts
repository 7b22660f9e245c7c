/**
 * The host's record of one connection: who holds it (an exclusive lease, or shared holders and
 * requests), what it is being opened for (a waiter, or the warm set), how often it was leased,
 * and its place among the idle. It is the connection's port, so the one inbound message tap of a
 * connection routes through here (an exclusive holder gets every message; on a shared connection
 * the origin matches replies first), and it is the handle its holders' leases drive (release and
 * destroy run as one batch of changes).
 */
import type { Failure } from '../core/failure.js'
import type { SendData } from '../core/socket.js'
import type { StatsRecord } from '../core/stats.js'
import type { PoolUrl } from '../core/url.js'
import type { Evictable } from './admission.js'
import type { Holder, LeaseHandle, Replica } from './backend.js'
import type { Breaker } from './breaker.js'
import { Connection } from './connection.js'
import type { ConnectionEnv, ConnectionPort, ConnectionState } from './connection-port.js'
import type { EvictReason, Notifier, PoolEvents } from './events.js'
import type { Idler } from './idle-set.js'
import type { Request } from './request.js'
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
  /** A message on a connection without an exclusive holder: replies to match, the rest to every shared holder. */
  inbound(s: Slot, data: unknown): void
  /** A shared holder or a request left `s`: serve waiters with its capacity, or free it if nobody is left. */
  unloaded(s: Slot): void
  /** A request lost its connection (`s` dropped or ended; `gaveUp`: its reconnect policy gave up): send it again or reject it. */
  lose(r: Request<Slot>, poolClosed: boolean, gaveUp?: boolean): void
  /** `s` (held from a list) moves to another replica, if one has room. */
  relocate(s: Slot): void
  /** `s` came free: recycle it, hand it on, or idle it. */
  free(s: Slot): void
  evict(s: Slot, reason: EvictReason): void
}

export class Slot implements ConnectionPort, LeaseHandle, Idler, Evictable {
  readonly conn: Connection
  /** Its origin's stats, and its origin: both change when it moves to another replica. */
  stats: StatsRecord
  /** The exclusive holder. */
  lease: Holder | null = null
  /** Shared holders: leases that share this connection with each other and with requests. */
  holders: Set<Holder> | null = null
  /** Requests placed on this connection, in order: buffered (not sent yet) or in flight. */
  requests: Set<Request<Slot>> | null = null
  /** The acquire this connection is being opened for. */
  waiter: Waiter<Slot> | null = null
  /** Shared acquires that joined it while it was not open: they become holders when it opens. */
  joiners: Waiter<Slot>[] | null = null
  /** Opened to keep `minIdlePerHost` warm connections, and not yet open. */
  warm = false
  /** It was idle when its socket dropped (top up after it). */
  droppedIdle = false
  uses = 0
  /** In shared mode (see Roster.share): counted active and shared, listed for least-loaded picks. */
  sharing = false
  /** The replicas its holders acquired from a list: once its origin's circuit opens, it moves to another. */
  replicas: readonly Replica[] | null = null
  readonly createdAt: number
  /** Idle sweeps since it last went idle (see HostPool). */
  idleTicks = 0
  idleIn: object | null = null
  idlePrev: Slot | null = null
  idleNext: Slot | null = null

  constructor(
    public owner: SlotOwner,
    readonly env: SlotEnv,
    public key: string,
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

  /** Shared holders plus requests: what least-loaded spreading compares (0 when not shared). */
  get load(): number {
    return (this.holders?.size ?? 0) + (this.requests?.size ?? 0) + (this.joiners?.length ?? 0)
  }

  /** Whether shared demand may use it: not held or being opened exclusively, not closing. */
  get shareable(): boolean {
    const { state } = this.conn
    return !this.lease && !(this.waiter && !this.waiter.shared) && state !== 'closing' && state !== 'closed'
  }

  // ConnectionPort ----------------------------------------------------------------------------

  wanted(): boolean {
    return !!this.lease || this.load > 0 || this.awaited() || (this.warm && this.owner.warmNeeded())
  }

  awaited(): boolean {
    return (!!this.waiter && !this.waiter.settled) || !!this.requests?.size || !!this.joiners?.length
  }

  claim(): boolean {
    // Held from a list and its origin's circuit is open: the next attempt goes to another replica.
    if (this.replicas && this.owner.breaker.state === 'open') this.owner.relocate(this)
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
    // What was in flight is lost with the socket (buffered requests wait for the reopen).
    if (this.requests) for (const r of [...this.requests]) if (r.sent) this.owner.lose(r, false)
  }

  /** The connection's one inbound tap. */
  message(data: unknown): void {
    const lease = this.lease
    if (lease) {
      const target = lease._events
      if (target) this.env.notifier.emit(target, 'message', data)
    } else this.owner.inbound(this, data)
  }

  notify(type: string, event: unknown): void {
    const target = this.lease?._events
    if (target) this.env.notifier.emit(target, type, event)
    if (this.holders) for (const h of this.holders) if (h._events) this.env.notifier.emit(h._events, type, event)
  }

  closed(failure: Failure | undefined): void {
    this.owner.closed(this, failure)
  }

  // LeaseHandle -------------------------------------------------------------------------------

  send(holder: Holder, data: SendData, hold: boolean): boolean {
    // A former holder (its connection closed for good) gets ERR_LEASE_CLOSED from the connection.
    return !this.#holds(holder) || hold || this.conn.writable ? this.conn.send(data) : false
  }

  release(holder: Holder): void {
    if (!this.#holds(holder)) return
    const { env, conn } = this
    env.enter()
    try {
      if (holder !== this.lease) {
        this.holders!.delete(holder)
        this.#released()
        this.owner.unloaded(this)
      } else {
        this.lease = null
        this.stats.active(-1)
        this.#released()
        if (conn.writable) this.owner.free(this)
        else {
          // Not open (or closing under the pool): close it, reporting what it held for the holder.
          conn.drop('released')
          conn.shutdown()
        }
      }
      env.settled()
    } finally {
      env.exit()
    }
  }

  /** Closes the connection for good: for every holder of a shared one (its requests are lost). */
  destroy(holder: Holder, code: number, reason: string): void {
    if (!this.#holds(holder)) return
    const { env, conn } = this
    env.enter()
    try {
      // Buffered requests are not dropped messages: they are placed again, or rejected, below.
      if (this.requests) for (const r of this.requests) if (!r.sent) conn.withdraw(r)
      conn.drop('destroyed')
      this.#closeHolders(code, reason, true)
      conn.shutdown(code, reason)
      this.#loseRequests(false)
      env.settled()
    } finally {
      env.exit()
    }
  }

  // Requests ----------------------------------------------------------------------------------

  /**
   * Places `r` here: sent at once if the socket is open, else held with the connection's other
   * buffered messages, in order, for the next open.
   * @throws PoolError `ERR_BUFFER_FULL` (then `r` is not placed)
   */
  attach(r: Request<Slot>): void {
    const sent = this.conn.send(r.data, r)
    ;(this.requests ??= new Set()).add(r)
    r.slot = this
    if (sent) this.flushed(r)
  }

  /** Takes `r` off (answered, timed out, aborted, lost): withdrawn from the buffer if it was still held. */
  detach(r: Request<Slot>): void {
    this.requests?.delete(r)
    r.slot = null
    if (!r.sent) return this.conn.withdraw(r)
    r.sent = false
    this.stats.sent(-1)
  }

  /** A held request went out. */
  flushed(tag: object): void {
    const r = tag as Request<Slot>
    r.sent = true
    this.stats.sent(1)
  }

  // Evictable ---------------------------------------------------------------------------------

  evict(reason: EvictReason): void {
    this.owner.evict(this, reason)
  }

  /** The connection ended for good: its holders are told (`close`), with what it held dropped; its requests are lost. */
  ended(poolClosed: boolean): void {
    if (!this.lease && !this.load) return
    this.#loseRequests(poolClosed, true)
    this.conn.drop(poolClosed ? 'closed' : 'gave-up')
    const info = this.conn.lastFailure ?? this.conn.lastClose
    this.#closeHolders(info?.code ?? 1006, info?.reason ?? '', info?.wasClean ?? false)
  }

  #holds(holder: Holder): boolean {
    return holder === this.lease || !!this.holders?.has(holder)
  }

  #released(): void {
    if (this.env.listens('release')) this.env.emit('release', this.conn.ref)
  }

  /** Every holder is told the connection closed for good. */
  #closeHolders(code: number, reason: string, wasClean: boolean): void {
    const lease = this.lease
    if (lease) {
      this.lease = null
      this.stats.active(-1)
      this.#close(lease, code, reason, wasClean)
    }
    const holders = this.holders
    this.holders = null
    if (holders) for (const h of holders) this.#close(h, code, reason, wasClean)
  }

  #loseRequests(poolClosed: boolean, gaveUp?: boolean): void {
    if (this.requests) for (const r of [...this.requests]) this.owner.lose(r, poolClosed, gaveUp)
  }

  #close(holder: Holder, code: number, reason: string, wasClean: boolean): void {
    holder._closed()
    const target = holder._events
    if (target) this.env.notifier.emit(target, 'close', { code, reason, wasClean })
  }
}
