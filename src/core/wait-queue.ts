/**
 * A priority queue of waiters: higher priority first, FIFO within a priority.
 *
 * Each priority owns a circular doubly-linked list around a sentinel (the list itself), so push,
 * shift and remove of a known node are O(1) with no head/tail special cases; the distinct
 * priorities sit in a binary max-heap (O(log p), p = distinct priorities in use, usually 1). A list
 * that empties stays in the heap until it reaches the top, where it is discarded: the map of lists
 * and the heap always hold the same priorities, never duplicates.
 */

/** Links of a node, or of a list's sentinel. */
interface Links<T> {
  /** @internal null once the node left the queue. */ prev: Links<T> | null
  /** @internal */ next: Links<T> | null
}

/** Handle of a queued value; pass it to {@link WaitQueue.remove}. */
export interface WaitNode<T> extends Links<T> {
  readonly value: T
}

export class WaitQueue<T> {
  #lists = new Map<number, Links<T>>()
  #heap: number[] = []
  #size = 0

  /** Number of queued values. */
  get size(): number {
    return this.#size
  }

  /** Appends `value` behind every value of the same or higher priority. O(1), O(log p) for a new priority. */
  push(value: T, priority = 0): WaitNode<T> {
    return this.insert({ value, prev: null, next: null }, priority)
  }

  /** Appends a node the caller made (a value that carries its own links: no allocation here). */
  insert<N extends WaitNode<T>>(node: N, priority = 0): N {
    let list = this.#lists.get(priority)
    if (!list) {
      // An empty list is a sentinel linked to itself.
      this.#lists.set(priority, (list = {} as Links<T>))
      list.prev = list.next = list
      this.#heapPush(priority)
    }
    node.prev = list.prev
    node.next = list
    list.prev = list.prev!.next = node
    this.#size++
    return node
  }

  /** The queued values in order of arrival within each priority (priorities in no particular order). */
  *values(): IterableIterator<T> {
    for (const list of this.#lists.values()) for (let n = list.next; n !== list; n = n!.next) yield (n as WaitNode<T>).value
  }

  /** The value that {@link shift} would return, without removing it. */
  peek(): T | undefined {
    return this.#front()?.value
  }

  /** Removes and returns the first value: highest priority, oldest within it. */
  shift(): T | undefined {
    const node = this.#front()
    return node && (this.remove(node), node.value)
  }

  /** Removes a queued node in O(1). Returns false if it already left the queue. */
  remove(node: WaitNode<T>): boolean {
    const { prev, next } = node
    if (!prev) return false
    prev.next = next
    next!.prev = prev
    node.prev = node.next = null
    this.#size--
    return true
  }

  /** Removes every value and returns them in queue order. */
  drain(): T[] {
    const out: T[] = []
    while (this.#size) out.push(this.shift()!)
    return out
  }

  /** The first node of the highest non-empty priority, discarding empty lists that reached the top. */
  #front(): WaitNode<T> | undefined {
    for (const h = this.#heap; h.length; this.#heapPop()) {
      const list = this.#lists.get(h[0])!
      if (list.next !== list) return list.next as WaitNode<T>
      this.#lists.delete(h[0])
    }
  }

  // Both sifts move the hole, not the value: `h[i] = h[(i = j)]` copies slot j into slot i, then
  // continues from j (the left side is evaluated before `i` changes).

  #heapPush(p: number): void {
    const h = this.#heap
    let i = h.length
    let j
    while (i && h[(j = (i - 1) >> 1)] < p) h[i] = h[(i = j)]
    h[i] = p
  }

  #heapPop(): void {
    const h = this.#heap
    const last = h.pop()!
    const n = h.length
    let i = 0
    let j
    while ((j = 2 * i + 1) < n) {
      if (j + 1 < n && h[j + 1] > h[j]) j++
      if (h[j] <= last) break
      h[i] = h[(i = j)]
    }
    if (n) h[i] = last
  }
}
