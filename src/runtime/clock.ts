/**
 * The one place wspool touches timers, the current time and randomness.
 *
 * A {@link Timers} set belongs to one pool and keeps every live handle, so `stop()` cancels all
 * of them in one go and refuses new ones: nothing can fire, or be scheduled, after the pool
 * closed (partysocket's untracked backoff timer is the bug this avoids). Background timers are
 * unref'd on Node so they never keep a process alive; timers that a caller is awaiting (an
 * acquire's deadline, a retry it waits on) stay ref'd, so `await pool.acquire()` cannot be cut
 * short by the process exiting under it.
 *
 * Time and randomness come from a {@link ClockSource}, replaceable in tests (a fake clock).
 */

/** An opaque timer handle. */
export type TimerHandle = ReturnType<typeof setTimeout>

/** Where time, randomness and timers come from. @default the runtime's own ({@link realClock}) */
export interface ClockSource {
  /** Milliseconds from an arbitrary origin, monotonic. */
  now(): number
  /** A uniform random number in [0, 1). */
  random(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

let clock: (() => number) | undefined

/** Milliseconds from an arbitrary origin, monotonic and sub-ms where the runtime allows. */
export function now(): number {
  // Chosen on first use, not at import time; bound once so each call is a plain call.
  clock ??= typeof performance !== 'undefined' ? performance.now.bind(performance) : Date.now
  return clock()
}

/** A uniform random number in [0, 1): the jitter source. */
export function random(): number {
  return Math.random()
}

/** The runtime's clock: `performance.now`, `Math.random` and the global timers. */
export const realClock: ClockSource = {
  now,
  random,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h),
}

/** The live timers of one pool. */
export class Timers {
  #live = new Set<TimerHandle>()
  #stopped = false

  /**
   * @param source time, randomness and timers
   * @param run wraps every callback (the pool runs them as one batch of changes)
   */
  constructor(
    readonly source: ClockSource = realClock,
    readonly run: (fn: () => void) => void = (fn) => fn(),
  ) {}

  now(): number {
    return this.source.now()
  }

  random(): number {
    return this.source.random()
  }

  /**
   * Runs `fn` after `ms`. `Infinity` means never, and after `stop()` nothing is scheduled (both
   * return `undefined`).
   * @param keepAlive keep a Node process alive while this timer is pending
   */
  set(fn: () => void, ms: number, keepAlive = false): TimerHandle | undefined {
    if (ms === Infinity || this.#stopped) return undefined
    const handle = this.source.setTimeout(() => {
      this.#live.delete(handle)
      this.run(fn)
    }, ms)
    if (!keepAlive) this.keepAlive(handle, false)
    this.#live.add(handle)
    return handle
  }

  /** Cancels a timer; accepts `undefined`. */
  cancel(handle: TimerHandle | undefined): void {
    if (handle === undefined) return
    this.source.clearTimeout(handle)
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

  /** Cancels every pending timer; with `stop`, refuses new ones from then on. */
  clear(stop = false): void {
    for (const h of this.#live) this.source.clearTimeout(h)
    this.#live.clear()
    this.#stopped ||= stop
  }
}
