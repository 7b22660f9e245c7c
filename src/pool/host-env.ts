/**
 * What an origin ({@link HostConnections} and the classes built on it) needs from its pool: the
 * interface this layer declares and the pool ({@link LocalPool}) implements, so that no origin
 * ever imports the pool.
 */
import type { Admission } from './admission.js'
import type { Holder, Limits } from './backend.js'
import type { Requests } from './request.js'
import type { Roster } from './roster.js'
import type { Slot, SlotEnv } from './slot.js'
import type { Waiter, WaiterEnv } from './waiter.js'

/** What an origin needs from its pool. */
export interface HostEnv extends SlotEnv, WaiterEnv {
  readonly admission: Admission
  readonly limits: Readonly<Limits>
  /** The pool is closed (`close()`), or draining. */
  readonly closing: boolean
  readonly draining: boolean
  nextId(): number
  /** The public lease for a slot. */
  lease(s: Slot): Holder
  /** The origin holds nothing any more (no connection, waiter or timer): the pool may forget it. */
  vacant(origin: string): void
  /** Pending requests by id (replies are matched here). */
  readonly requests: Requests<Slot>
  /** Routing across replica lists. */
  readonly replicas: {
    /** A list waiter whose attempt failed moves on to the next replica. */
    reroute(w: Waiter<Slot>): void
    /** `s`, held from a list, moves from the origin `from` (its roster counts `s`) to another replica with room. */
    relocate(s: Slot, from: { readonly origin: string; readonly roster: Roster }): void
  }
}
