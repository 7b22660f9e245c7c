/**
 * The one place wspool touches timers and the current time.
 *
 * A {@link Timers} set belongs to one pool and keeps every live handle, so `clear()` cancels all
 * of them in one go: nothing can fire after the pool closed (partysocket's untracked backoff timer
 * is the bug this avoids). Background timers are unref'd on Node so they never keep a process
 * alive; timers that a caller is awaiting (an acquire's deadline, a retry it waits on) stay ref'd,
 * so `await pool.acquire()` cannot be cut short by the process exiting under it.
 */

/** An opaque timer handle. */
export type TimerHandle = ReturnType<typeof setTimeout>

let clock: (() => number) | undefined

/** Milliseconds from an arbitrary origin, monotonic and sub-ms where the runtime allows (latencies). */
export function now(): number {
  // Chosen on first use, not at import time; bound once so each call is a plain call.
  clock ??= typeof performance !== 'undefined' ? performance.now.bind(performance) : Date.now
  return clock()
}


/** A uniform random number in [0, 1): the jitter source. */
export function random(): number {
  return Math.random()
}

/** The live timers of one pool. */
export class Timers {
  #live = new Set<TimerHandle>()

  /**
   * Runs `fn` after `ms`. `Infinity` means never (returns `undefined`).
   * @param keepAlive keep a Node process alive while this timer is pending
   */
  set(fn: () => void, ms: number, keepAlive = false): TimerHandle | undefined {
    if (ms === Infinity) return undefined
    const handle: TimerHandle = setTimeout(() => {
      this.#live.delete(handle)
      fn()
    }, ms)
    if (!keepAlive && typeof (handle as { unref?: () => void }).unref === 'function') {
      ;(handle as { unref: () => void }).unref()
    }
    this.#live.add(handle)
    return handle
  }

  /** Cancels a timer; accepts `undefined`. */
  cancel(handle: TimerHandle | undefined): void {
    if (handle === undefined) return
    clearTimeout(handle)
    this.#live.delete(handle)
  }

  /** Lets a pending timer keep a Node process alive, or not (no-op elsewhere). */
  keepAlive(handle: TimerHandle, on: boolean): void {
    const h = handle as { ref?: () => void; unref?: () => void }
    if (on) h.ref?.()
    else h.unref?.()
  }

  /** Number of pending timers (for leak checks). */
  get size(): number {
    return this.#live.size
  }

  /** Cancels every pending timer. */
  clear(): void {
    for (const h of this.#live) clearTimeout(h)
    this.#live.clear()
  }
}
