/**
 * Deadlines of pending acquires: one FIFO list per timeout value, one timer per list.
 *
 * Waiters that share a timeout (the common case: the pool's `acquireTimeout`) expire in arrival
 * order, so each list is sorted by construction: adding and removing are O(1) and a queue of any
 * length needs one timer, not one per waiter (Node groups its own timers by duration the same
 * way). The lists are intrusive (the links live in the entries: no node object per waiter). The
 * timer is lazy: removing the head does not move it; when it fires it expires what is due and
 * re-arms for the new head. An empty list's timer no longer keeps Node alive.
 */
import type { TimerHandle, Timers } from '../runtime/clock.js'

/** Something with a deadline: it carries its own links. */
export interface Expiring {
  /** When it expires, in `timers.now()` time. */
  at: number
  dPrev: Expiring | null
  dNext: Expiring | null
  /** Its list while it is in one. */
  dList: object | null
  expire(): void
}

interface DeadlineList {
  readonly timeout: number
  head: Expiring | null
  tail: Expiring | null
  timer: TimerHandle | undefined
}

export class Deadlines {
  #lists = new Map<number, DeadlineList>()

  constructor(readonly timers: Timers) {}

  /** Calls `e.expire()` once `timeout` ms have passed since `start`, unless removed first. */
  add(e: Expiring, timeout: number, start: number): void {
    let list = this.#lists.get(timeout)
    if (list === undefined) {
      list = { timeout, head: null, tail: null, timer: undefined }
      this.#lists.set(timeout, list)
    }
    e.at = start + timeout
    e.dPrev = list.tail
    e.dNext = null
    e.dList = list
    if (list.tail === null) {
      list.head = e
      if (list.timer === undefined) this.#arm(list, timeout)
      else this.timers.keepAlive(list.timer, true)
    } else list.tail.dNext = e
    list.tail = e
  }

  remove(e: Expiring): void {
    const list = e.dList as DeadlineList | null
    if (list === null) return
    if (e.dPrev === null) list.head = e.dNext
    else e.dPrev.dNext = e.dNext
    if (e.dNext === null) list.tail = e.dPrev
    else e.dNext.dPrev = e.dPrev
    e.dPrev = e.dNext = e.dList = null
    if (list.head === null && list.timer !== undefined) this.timers.keepAlive(list.timer, false)
  }

  #arm(list: DeadlineList, ms: number): void {
    list.timer = this.timers.set(() => this.#fire(list), Math.max(1, ms), true)
  }

  #fire(list: DeadlineList): void {
    list.timer = undefined
    const t = this.timers.now()
    // Timers have ms resolution: a deadline within 1 ms counts as due.
    for (let e = list.head; e !== null && e.at - t <= 1; e = list.head) {
      this.remove(e)
      e.expire()
    }
    if (list.head !== null) {
      if (list.timer === undefined) this.#arm(list, list.head.at - t)
    } else if (list.timer === undefined) this.#lists.delete(list.timeout)
  }
}
