/**
 * Deadlines of pending acquires: one FIFO list per timeout value, one timer per list.
 *
 * Waiters that share a timeout (the common case: the pool's `acquireTimeout`) expire in arrival
 * order, so each list is sorted by construction: adding and removing are O(1) and a queue of any
 * length needs one timer, not one per waiter (Node groups its own timers by duration the same
 * way). The timer is lazy: removing the head does not move it; when it fires it expires what is
 * due and re-arms for the new head. An empty list's timer no longer keeps Node alive.
 */
import { now, type TimerHandle, type Timers } from '../runtime/clock.js'

/** A waiter's place in its deadline list. */
export interface DeadlineNode {
  readonly at: number
  readonly onExpire: () => void
  prev: DeadlineNode | null
  next: DeadlineNode | null
  list: DeadlineList | null
}

interface DeadlineList {
  readonly timeout: number
  head: DeadlineNode | null
  tail: DeadlineNode | null
  timer: TimerHandle | undefined
}

export class Deadlines {
  #lists = new Map<number, DeadlineList>()

  constructor(readonly timers: Timers) {}

  /** Calls `onExpire` once `timeout` ms have passed since `start`, unless removed first. */
  add(timeout: number, start: number, onExpire: () => void): DeadlineNode {
    let list = this.#lists.get(timeout)
    if (list === undefined) {
      list = { timeout, head: null, tail: null, timer: undefined }
      this.#lists.set(timeout, list)
    }
    const node: DeadlineNode = { at: start + timeout, onExpire, prev: list.tail, next: null, list }
    if (list.tail === null) {
      list.head = node
      if (list.timer === undefined) this.#arm(list, timeout)
      else this.timers.keepAlive(list.timer, true)
    } else list.tail.next = node
    list.tail = node
    return node
  }

  remove(node: DeadlineNode): void {
    const list = node.list
    if (list === null) return
    if (node.prev === null) list.head = node.next
    else node.prev.next = node.next
    if (node.next === null) list.tail = node.prev
    else node.next.prev = node.prev
    node.prev = node.next = node.list = null
    if (list.head === null && list.timer !== undefined) this.timers.keepAlive(list.timer, false)
  }

  #arm(list: DeadlineList, ms: number): void {
    list.timer = this.timers.set(() => this.#fire(list), Math.max(1, ms), true)
  }

  #fire(list: DeadlineList): void {
    list.timer = undefined
    const t = now()
    // Timers have ms resolution: a deadline within 1 ms counts as due.
    for (let node = list.head; node !== null && node.at - t <= 1; node = list.head) {
      this.remove(node)
      node.onExpire()
    }
    if (list.head !== null) {
      if (list.timer === undefined) this.#arm(list, list.head.at - t)
    } else if (list.timer === undefined) this.#lists.delete(list.timeout)
  }
}
