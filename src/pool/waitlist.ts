/**
 * The acquires queued at one origin, in priority order (higher first, FIFO within a priority),
 * and in the same order per key (URL + protocols), so the oldest waiter of a key is found at once
 * when a connection of that key comes free. Every operation is O(1), O(log p) for a new priority.
 */
import { WaitQueue, type WaitNode } from '../core/wait-queue.js'

/** What the waitlist keeps: its places in the two orders live in the waiter. */
export interface Queued {
  readonly key: string
  readonly priority: number
  node: WaitNode<any> | null
  keyNode: WaitNode<any> | null
}

export class Waitlist<W extends Queued> {
  #all = new WaitQueue<W>()
  #byKey = new Map<string, WaitQueue<W>>()

  get size(): number {
    return this.#all.size
  }

  /** The first waiter: the one room goes to. */
  head(): W | undefined {
    return this.#all.peek()
  }

  /** The first waiter for `key`: the one a connection of that key goes to. */
  first(key: string): W | undefined {
    return this.#byKey.get(key)?.peek()
  }

  add(w: W): void {
    w.node = this.#all.push(w, w.priority)
    let q = this.#byKey.get(w.key)
    if (q === undefined) this.#byKey.set(w.key, (q = new WaitQueue()))
    w.keyNode = q.push(w, w.priority)
  }

  /** Takes `w` out (a no-op if it is not in). */
  remove(w: W): void {
    if (w.node === null) return
    this.#all.remove(w.node)
    const q = this.#byKey.get(w.key)!
    q.remove(w.keyNode!)
    if (q.size === 0) this.#byKey.delete(w.key)
    w.node = w.keyNode = null
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
}
