/**
 * The books of one origin's connections: which ones it counts (toward its `maxPerHost` and,
 * through admission, the pool's `maxTotal`), the state gauges they move, and which are in shared
 * mode. A connection is counted in when it is created or arrives from another replica, and out
 * when it closed or leaves for another replica; every count moves here, in one place, so the set,
 * the gauges and admission's counts never disagree.
 */
import type { Admission } from './admission.js'
import type { ConnectionState } from './connection-port.js'
import type { Slot, SlotOwner } from './slot.js'

/**
 * The origin whose books these are: its stats and breaker, and the pool's admission. It owns the
 * slots it counts (a slot that arrives from another replica reports to it from then on).
 */
export interface RosterOwner extends SlotOwner {
  readonly admission: Admission
  /** The origin may hold nothing any more: it tells the pool if so. */
  vacate(): void
}

const GAUGE: Partial<Record<ConnectionState, 'connecting' | 'open' | 'reconnecting'>> = { connecting: 'connecting', open: 'open', reconnecting: 'reconnecting' }

/** One origin's connections, counted. */
export class Roster {
  /** The connections counted here, closing ones included. */
  readonly slots = new Set<Slot>()
  /** Connections in shared mode (shared holders or requests), per key: least-loaded picks look here. */
  readonly sharing = new Map<string, Set<Slot>>()
  /** Connections closing (they count toward the caps until closed). */
  closing = 0
  readonly #owner: RosterOwner

  constructor(owner: RosterOwner) {
    this.#owner = owner
  }

  /** A new connection (connecting): counted from now on. */
  add(s: Slot): void {
    const { stats } = this.#owner
    stats.add('created')
    stats.add('connecting')
    this.#in(s)
  }

  /** `s` closed for good. */
  closed(s: Slot): void {
    this.#owner.stats.add('closed')
    this.#out(s)
  }

  /** `s` arrives from another replica (see `disown`), in shared mode if it was there. */
  adopt(s: Slot, sharing: boolean): void {
    const owner = this.#owner
    s.owner = owner
    s.stats = owner.stats
    this.#in(s)
    this.stateChanged('closed', s.conn.state)
    if (s.lease) owner.stats.active(1)
    if (sharing) this.share(s)
  }

  /** `s` leaves for another replica: it is counted out here, not closed. Returns whether it was in shared mode. */
  disown(s: Slot): boolean {
    const owner = this.#owner
    const sharing = s.sharing
    this.unshare(s)
    this.#out(s)
    this.stateChanged(s.conn.state, 'closed')
    if (s.lease) owner.stats.active(-1)
    owner.vacate()
    return sharing
  }

  /** A connection's state changed: the gauges follow, and closing ones count for admission. */
  stateChanged(prev: ConnectionState, next: ConnectionState): void {
    const { stats, admission } = this.#owner
    const from = GAUGE[prev]
    const to = GAUGE[next]
    if (from) stats.add(from, -1)
    if (to) stats.add(to, 1)
    const closing = +(next === 'closing') - +(prev === 'closing')
    if (closing) {
      this.closing += closing
      admission.count(0, closing)
    }
  }

  /** `s` carries shared holders or requests from now on: never an exclusive lease until it is free again. */
  share(s: Slot): void {
    if (s.sharing) return
    s.sharing = true
    this.#owner.stats.shared(1)
    let set = this.sharing.get(s.key)
    if (!set) this.sharing.set(s.key, (set = new Set()))
    set.add(s)
  }

  unshare(s: Slot): void {
    if (!s.sharing) return
    s.sharing = false
    this.#owner.stats.shared(-1)
    const set = this.sharing.get(s.key)!
    set.delete(s)
    // An empty set stays while `s` is counted: it shares again soon (one request at a time takes
    // an idle connection and frees it at each reply). It goes when `s` leaves (`#out`).
    if (!set.size && !this.slots.has(s)) this.sharing.delete(s.key)
  }

  #in(s: Slot): void {
    this.slots.add(s)
    this.#owner.stats.add('connections')
    this.#owner.admission.count(1, 0)
  }

  #out(s: Slot): void {
    const owner = this.#owner
    this.slots.delete(s)
    if (this.sharing.get(s.key)?.size === 0) this.sharing.delete(s.key)
    owner.breaker.forget(s)
    owner.stats.add('connections', -1)
    owner.admission.count(-1, 0)
  }
}
