/**
 * The acquires queued at one origin, in priority order (higher first, FIFO within a priority),
 * and in the same order per key (URL + protocols), so the oldest waiter of a key is found at once
 * when a connection of that key comes free. Every operation is O(1) (O(log p) for a new priority).
 *
 * The per-key index exists only while waiters of two keys or more are queued: with one key (the
 * common case) the first waiter of the key is the head. It is built when a second key arrives, in
 * one pass over the queue, and dropped when the queue empties, so its cost is O(1) per waiter.
 */
import { WaitQueue, type WaitNode } from '../core/wait-queue.js'

/** What the waitlist keeps: a waiter is its own node in the queue; its node in its key's queue, if indexed. */
export interface Queued extends WaitNode<any> {
  readonly key: string
  readonly priority: number
  keyNode: WaitNode<any> | null
}

export class Waitlist<W extends Queued> {
  #all = new WaitQueue<W>()
  #byKey: Map<string, WaitQueue<W>> | null = null
  /** The one key queued while there is no index. */
  #key = ''

  get size(): number {
    return this.#all.size
  }

  /** The first waiter: the one room goes to. */
  head(): W | undefined {
    return this.#all.peek()
  }

  /** The first waiter for `key`: the one a connection of that key goes to. */
  first(key: string): W | undefined {
    const byKey = this.#byKey
    if (byKey === null) return key === this.#key ? this.head() : undefined
    return byKey.get(key)?.peek()
  }

  add(w: W): void {
    this.#all.insert(w, w.priority)
    if (this.#byKey !== null) return this.#index(w)
    if (this.#all.size === 1) this.#key = w.key
    if (w.key === this.#key) return
    this.#byKey = new Map()
    for (const x of this.#all.values()) this.#index(x)
  }

  /** Takes `w` out (a no-op if it is not in). */
  remove(w: W): void {
    if (!this.#all.remove(w)) return
    const byKey = this.#byKey
    if (byKey === null) return
    if (this.#all.size === 0) this.#byKey = null
    else {
      const q = byKey.get(w.key)!
      q.remove(w.keyNode!)
      if (q.size === 0) byKey.delete(w.key)
    }
    w.keyNode = null
  }

  /** Takes every waiter out, in order. */
  drain(): W[] {
    const all: W[] = []
    for (let w = this.head(); w !== undefined; w = this.head()) {
      this.remove(w)
      all.push(w)
    }
    return all
  }

  #index(w: W): void {
    let q = this.#byKey!.get(w.key)
    if (q === undefined) this.#byKey!.set(w.key, (q = new WaitQueue()))
    w.keyNode = q.push(w, w.priority)
  }
}
