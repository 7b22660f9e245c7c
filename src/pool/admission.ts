/**
 * Admission to the caps: `maxPerHost` live connections per origin and `maxTotal` in all, where a
 * connection counts from its first attempt until its socket has fully closed (so the server never
 * sees more than the cap, closing sockets included). At `maxTotal` it closes the least recently
 * used idle connection of any origin to make room, and remembers which origins wait for room, to
 * serve them when some frees.
 */
import type { Limits } from './backend.js'

/** An origin, as admission sees it. */
export interface Tenant {
  /** Its connections counting toward the caps, closing ones included. */
  readonly live: number
  /** Of those, the ones closing. */
  readonly closing: number
  /** Acquires waiting for room. */
  readonly queued: number
  /** Serves queued acquires: room may have freed. */
  dispatch(): void
}

/** An idle connection that may be closed to make room. */
export interface Evictable {
  evict(reason: 'capacity' | 'resize'): void
}

export class Admission {
  #live = 0
  #closing = 0
  /** Idle connections of every origin, least recently used first; kept only while `maxTotal` is finite. */
  #idle = new Set<Evictable>()
  /** Origins waiting for room under `maxTotal`. */
  #blocked = new Set<Tenant>()

  constructor(readonly limits: Limits) {}

  /** Whether one more connection of `t` fits under both caps. */
  fits(t: Tenant): boolean {
    return t.live < this.limits.maxPerHost && this.#live < this.limits.maxTotal
  }

  /** Whether `t`, or the pool, keeps more connections (closing ones aside) than the caps allow. */
  over(t: Tenant): boolean {
    return t.live - t.closing > this.limits.maxPerHost || this.#live - this.#closing > this.limits.maxTotal
  }

  /** Counts connections in or out (`live`), and into or out of closing (`closing`). */
  count(live: number, closing: number): void {
    this.#live += live
    this.#closing += closing
  }

  /** An idle connection came (`on`) or went. */
  idle(e: Evictable, on: boolean): void {
    if (this.limits.maxTotal === Infinity) return
    if (on) this.#idle.add(e)
    else this.#idle.delete(e)
  }

  /** `maxTotal` changed between unlimited and finite: rebuild (or drop) the idle LRU from `all`. */
  retrack(all: Iterable<Evictable>): void {
    this.#idle.clear()
    if (this.limits.maxTotal !== Infinity) for (const e of all) this.#idle.add(e)
  }

  /** `t` waits for room under `maxTotal`: close the least recently used idle connection, unless enough are closing already. */
  makeRoom(t: Tenant): void {
    this.#blocked.add(t)
    if (this.#closing < this.#blocked.size) this.#evictOldest('capacity')
  }

  /** A connection went idle: if origins wait for room under `maxTotal`, that room is its. */
  idled(): void {
    if (this.#blocked.size === 0 || this.#live < this.limits.maxTotal) return
    for (const t of this.#blocked) if (t.queued === 0) this.#blocked.delete(t)
    if (this.#blocked.size > this.#closing) this.#evictOldest('capacity')
  }

  /** A connection is gone: its origin first, then origins waiting for room, are served. */
  freed(t: Tenant): void {
    t.dispatch()
    for (const b of this.#blocked) {
      if (this.#live >= this.limits.maxTotal) break
      this.#blocked.delete(b)
      b.dispatch()
    }
  }

  /** Closes idle connections, least recently used first, while over `maxTotal` (after a resize). */
  shrink(): void {
    while (this.#live - this.#closing > this.limits.maxTotal && this.#idle.size > 0) this.#evictOldest('resize')
  }

  forget(t: Tenant): void {
    this.#blocked.delete(t)
  }

  #evictOldest(reason: 'capacity' | 'resize'): void {
    const oldest = this.#idle.values().next().value
    if (oldest !== undefined) oldest.evict(reason)
  }
}
