/**
 * Replica lists: acquires and requests given several URLs for one service go to the replica
 * with the most free capacity, move on when an attempt fails (each replica once per round, then
 * a backoff delay), and connections held from a list move away from an origin whose circuit
 * opens. The pool's origins are reached through {@link Origins}; nothing here holds state.
 */
import { retryDelay } from '../core/backoff.js'
import type { ResolvedOptions } from '../core/options.js'
import type { Timers } from '../runtime/clock.js'
import type { Limits, Replica } from './backend.js'
import type { HostConnections } from './host-connections.js'
import type { HostPool } from './host-pool.js'
import type { Slot } from './slot.js'
import type { Waiter } from './waiter.js'

/** The pool's origins, as replica routing sees them. */
export interface Origins {
  readonly limits: Readonly<Limits>
  readonly options: ResolvedOptions
  readonly timers: Timers
  readonly closing: boolean
  /** The origin's pool if it exists. */
  find(origin: string): HostPool | undefined
  /** The origin's pool, created on first use. */
  host(origin: string): HostPool
}

export class Replicas {
  constructor(readonly pool: Origins) {}

  /** The replicas of a list, best first: most free capacity (cap minus live), then fewer pending, then list order; open circuits and `skip` left out. */
  rank(replicas: readonly Replica[], skip: Set<string> | null): Replica[] {
    const { maxPerHost } = this.pool.limits
    const ranked: { r: Replica; free: number; pending: number; i: number }[] = []
    replicas.forEach((r, i) => {
      const h = this.pool.find(r.url.origin)
      if (skip?.has(r.url.origin) || h?.breaker.state === 'open') return
      ranked.push({ r, free: maxPerHost - (h?.live ?? 0), pending: h?.queued ?? 0, i })
    })
    return ranked.sort((a, b) => b.free - a.free || a.pending - b.pending || a.i - b.i).map((x) => x.r)
  }

  /** The best replica to start with (the first when every circuit is open). */
  best(replicas: readonly Replica[]): Replica {
    return this.rank(replicas, null)[0] ?? replicas[0]
  }

  /**
   * A list waiter whose attempt failed moves on at once to the next replica not tried in this
   * round; when every one failed, another round starts after a backoff delay (or, without
   * reconnects, it fails). It stays counted pending where it was until it arrives.
   */
  reroute(w: Waiter<Slot>): void {
    const tried = (w.tried ??= new Set())
    tried.add(w.url.origin)
    const next = this.rank(w.replicas!, tried)[0]
    if (next) return this.#move(w, next)
    tried.clear()
    const { options, timers } = this.pool
    const policy = options.reconnect
    if (!policy || w.round >= policy.maxAttempts) return (w.host as HostPool).giveUp(w)
    w.round++
    // The backoff clock runs from the call: the caller has waited that long.
    const delay = Math.round(retryDelay(timers.now() - w.start, policy, () => timers.random()))
    timers.set(() => {
      if (!w.settled && !this.pool.closing) this.#move(w, this.best(w.replicas!))
    }, delay, true)
  }

  /**
   * A connection held from a list whose origin's circuit opened: it moves to the replica with
   * the most free capacity that has room (it keeps its id, buffer and holders), or has one make
   * room by closing an idle connection.
   */
  relocate(s: Slot, from: HostConnections): void {
    const ranked = this.rank(s.replicas!, new Set([from.origin]))
    for (const next of ranked) {
      const to = this.pool.host(next.url.origin)
      if (!to.hasRoom()) continue
      const sharing = from.roster.disown(s)
      s.conn.url = next.url
      s.key = next.key
      return to.roster.adopt(s, sharing)
    }
    // Every replica is at its cap: the best one that has an idle connection closes it for `s`,
    // as a queued acquire at the cap would have it.
    for (const next of ranked) if (this.pool.host(next.url.origin).makeRoomFor(s)) return
  }

  #move(w: Waiter<Slot>, to: Replica): void {
    ;(w.host as HostPool | null)?.stats.pending(-1)
    w.url = to.url
    w.key = to.key
    this.pool.host(to.url.origin).acquire(w)
  }
}
