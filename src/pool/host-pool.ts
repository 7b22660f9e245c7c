/**
 * One origin's pool: its connections and waitlist ({@link HostWaiters}), and where shared demand
 * rides. Shared leases and requests join the least loaded shareable connection of their key (an
 * idle one first), up to `sharedLimit` holders plus requests; a new connection opens within the
 * caps only when none is open (a shared acquire joins one still opening first); otherwise they
 * queue like acquires. A request answered, a holder gone: its capacity goes to queued shared
 * waiters, and a connection left with nobody is free again.
 */
import { connectionLost } from '../core/refusals.js'
import type { Slot } from './slot.js'
import { HostWaiters, type W } from './host-waiters.js'
import { Request } from './request.js'

export class HostPool extends HostWaiters {
  /** Connections held from a replica list, waiting to move here once an idle connection closed for them. */
  #arrivals: Slot[] | null = null

  /**
   * `s` (held from a list, its origin's circuit open) finds no room here: the least recently
   * used idle connection closes for it, and once that one is gone `s` tries again at once (and
   * moves here). False when there is no idle connection to close.
   */
  makeRoomFor(s: Slot): boolean {
    if (this.#arrivals?.includes(s)) return true
    const victim = this.idle.oldest()
    if (!victim || this.env.closing) return false
    ;(this.#arrivals ??= []).push(s)
    this.evict(victim, 'capacity')
    return true
  }

  override dispatch(): void {
    const arrivals = this.#arrivals
    if (arrivals && this.hasRoom()) {
      this.#arrivals = null
      for (const s of arrivals) s.conn.retrySoon(0)
    }
    super.dispatch()
  }

  /** `s` has capacity: queued shared waiters of its key join it, in order, up to `sharedLimit`. */
  offer(s: Slot): void {
    const limit = this.options.sharedLimit
    for (let w = this.waiting.first(s.key); w?.shared && s.shareable && s.conn.writable && s.load < limit; w = this.waiting.first(s.key)) this.join(s, w)
  }

  /** A message on a connection with no exclusive holder: a reply to a pending request, or for every shared holder. */
  inbound(s: Slot, data: unknown): void {
    const { env } = this
    env.enter()
    try {
      const reply = env.requests.size ? env.requests.match(data, s.conn) : undefined
      if (reply) return (reply[0].host as HostPool).answered(reply[0], reply[1])
      if (env.listens('message')) env.emit('message', { ...s.conn.ref, data })
      if (s.holders) for (const h of s.holders) if (h._events) env.notifier.emit(h._events, 'message', data)
    } finally {
      env.exit()
    }
  }

  /** Request `r` got its reply. */
  answered(r: Request<Slot>, payload: unknown): void {
    const s = r.slot
    if (s) s.detach(r)
    this.settle(r)
    this.stats.answered(this.timers.now() - r.start)
    r.resolve(payload)
    if (s) this.unloaded(s)
    this.env.settled()
  }

  /** A shared holder or a request left `s`: waiters get its capacity; with nobody left it is free. */
  unloaded(s: Slot): void {
    if (s.load) return this.offer(s)
    this.unshare(s)
    if (s.conn.writable) return this.free(s)
    // Not open, and nobody left (as a released exclusive lease's): what it held for its holders
    // is reported, and it closes.
    if (!s.lease && !s.waiter) {
      s.conn.drop('released')
      s.conn.shutdown()
    }
  }

  /** `r`'s connection dropped after it went out, or ended: it goes out once more if it may, else it is rejected. */
  lose(r: Request<Slot>, poolClosed: boolean, gaveUp?: boolean): void {
    const s = r.slot!
    if (poolClosed) return this.abandon(r, this.closedError())
    // Never sent, and the policy gave up on its connection: it ends as an acquire would, rather
    // than opening a new connection at once (no backoff: a storm, or unbounded recursion).
    if (gaveUp && !r.sent) return this.giveUp(r)
    if (r.sent && (!r.idempotent || r.resent)) {
      return this.abandon(r, connectionLost(this.origin, r.url.redacted, r.id, s.conn.lastClose ?? s.conn.lastFailure))
    }
    if (r.sent) r.resent = true
    s.detach(r)
    if (!s.load) this.unshare(s)
    this.#placeAgain(r)
  }

  protected acquireShared(w: W, again?: boolean): void {
    // The signal's addEventListener is user code: decide only after it.
    w.arm(this.env)
    if (w.settled) return
    if (this.env.closing) return this.abandon(w, this.closedError())
    if (this.#place(w, true)) return
    // A shared acquire joins a connection that is opening (or reopening) for shared use: churn
    // (acquire, release, acquire again) never opens a second one.
    if (!(w instanceof Request) && this.#joinOpening(w)) return
    if (!this.breaker.allowsAcquire()) return this.refuse(w, this.circuitError(w))
    const waiting = this.waiting
    if ((waiting.size > 0 || !this.hasRoom()) && this.full(w, again)) return
    if (waiting.size === 0 && this.hasRoom()) return this.connectFor(w)
    // A request may ride a connection that is opening or reopening (buffered until it opens).
    if (w instanceof Request && this.#place(w, false)) return
    this.enqueue(w)
  }

  /** A request placed again after a loss: it keeps its deadline, and is never refused for a full queue. */
  #placeAgain(r: Request<Slot>): void {
    if (this.#place(r, true)) return
    if (this.waiting.size === 0 && this.hasRoom() && !this.env.closing) return this.connectFor(r)
    if (this.#place(r, false)) return
    this.enqueue(r)
  }

  /** Joins `w` to the least loaded shareable connection of its key (open ones only, or opening too). */
  #place(w: W, open: boolean): boolean {
    const limit = this.options.sharedLimit
    let best = open ? this.idle.take(w.key) : undefined
    if (!best) {
      for (const s of this.sharing.get(w.key) ?? []) {
        if (s.shareable && s.load < limit && (!open || s.conn.writable) && (!best || s.load < best.load)) best = s
      }
    }
    if (best) this.join(best, w)
    return !!best
  }

  /** A shared acquire waits for the least loaded connection of its key that is opening for shared use. */
  #joinOpening(w: W): boolean {
    const limit = this.options.sharedLimit
    let best: Slot | undefined
    for (const s of this.slots) {
      if (s.key !== w.key || !s.shareable || s.conn.writable || s.load >= limit || !(s.waiter?.shared || s.load)) continue
      if (!best || s.load < best.load) best = s
    }
    if (!best) return false
    ;(best.joiners ??= []).push(w)
    w.slot = best
    return true
  }

  /** `w` rides `s`: a request is placed on it (sent when it is open); a shared acquire becomes a holder of it (it is open). */
  protected join(s: Slot, w: W): void {
    this.waiting.remove(w)
    if (w.replicas) s.replicas ??= w.replicas
    if (w instanceof Request) {
      try {
        s.attach(w)
      } catch (error) {
        return this.abandon(w, error) // the connection's buffer is full
      }
      return this.share(s)
    }
    this.share(s)
    this.settle(w)
    if (this.env.closing) return w.reject(this.closedError())
    const lease = this.env.lease(s)
    ;(s.holders ??= new Set()).add(lease)
    this.granted(s, this.timers.now() - w.start)
    w.resolve(lease)
  }
}
