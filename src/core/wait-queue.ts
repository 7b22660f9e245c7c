/**
 * A priority queue of waiters: higher priority first, FIFO within a priority.
 *
 * Each priority owns a doubly-linked list, so push, shift and remove of a known node are O(1);
 * the distinct priorities sit in a binary max-heap (O(log p), p = distinct priorities in use,
 * usually 1). A list that empties stays in the heap until it reaches the top, where it is
 * discarded: the map of lists and the heap always hold the same priorities, never duplicates.
 */

/** Handle of a queued value; pass it to {@link WaitQueue.remove}. */
export interface WaitNode<T> {
  readonly value: T
  /** @internal */ prev: WaitNode<T> | null
  /** @internal */ next: WaitNode<T> | null
  /** @internal null once the node left the queue. */ list: WaitList<T> | null
}

interface WaitList<T> {
  readonly priority: number
  head: WaitNode<T> | null
  tail: WaitNode<T> | null
}

export class WaitQueue<T> {
  #lists = new Map<number, WaitList<T>>()
  #heap: number[] = []
  #size = 0

  /** Number of queued values. */
  get size(): number {
    return this.#size
  }

  /** Appends `value` behind every value of the same or higher priority. O(1), O(log p) for a new priority. */
  push(value: T, priority = 0): WaitNode<T> {
    let list = this.#lists.get(priority)
    if (list === undefined) {
      list = { priority, head: null, tail: null }
      this.#lists.set(priority, list)
      this.#heapPush(priority)
    }
    const node: WaitNode<T> = { value, prev: list.tail, next: null, list }
    if (list.tail === null) list.head = node
    else list.tail.next = node
    list.tail = node
    this.#size++
    return node
  }

  /** The value that {@link shift} would return, without removing it. */
  peek(): T | undefined {
    return this.#front()?.head?.value
  }

  /** Removes and returns the first value: highest priority, oldest within it. */
  shift(): T | undefined {
    const node = this.#front()?.head
    if (!node) return undefined
    this.remove(node)
    return node.value
  }

  /** Removes a queued node in O(1). Returns false if it already left the queue. */
  remove(node: WaitNode<T>): boolean {
    const list = node.list
    if (list === null) return false
    if (node.prev === null) list.head = node.next
    else node.prev.next = node.next
    if (node.next === null) list.tail = node.prev
    else node.next.prev = node.prev
    node.prev = node.next = node.list = null
    this.#size--
    return true
  }

  /** Removes every value and returns them in queue order. */
  drain(): T[] {
    const out: T[] = []
    for (let v = this.shift(); v !== undefined; v = this.shift()) out.push(v)
    return out
  }

  /** The non-empty list of highest priority, discarding empty lists that reached the top. */
  #front(): WaitList<T> | undefined {
    while (this.#heap.length > 0) {
      const list = this.#lists.get(this.#heap[0])!
      if (list.head !== null) return list
      this.#lists.delete(list.priority)
      this.#heapPop()
    }
    return undefined
  }

  #heapPush(p: number): void {
    const h = this.#heap
    let i = h.push(p) - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (h[parent] >= p) break
      h[i] = h[parent]
      i = parent
    }
    h[i] = p
  }

  #heapPop(): void {
    const h = this.#heap
    const last = h.pop()!
    if (h.length === 0) return
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= h.length) break
      const c = l + 1 < h.length && h[l + 1] > h[l] ? l + 1 : l
      if (h[c] <= last) break
      h[i] = h[c]
      i = c
    }
    h[i] = last
  }
}
