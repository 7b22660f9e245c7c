/**
 * A tab's life as a Web Lock: each tab's shared pool holds a lock named after the tab for as long
 * as it is open, and the host asks for the same lock. The browser releases a tab's locks when the
 * tab closes, crashes or is discarded, so the host is granted it then and forgets the tab at once,
 * instead of after the silence timeout. Nothing happens where Web Locks are missing.
 */

interface Locks {
  request(name: string, options: { signal?: AbortSignal }, fn: () => Promise<void>): Promise<unknown>
}

const locks = (): Locks | undefined => (globalThis as { navigator?: { locks?: Locks } }).navigator?.locks

/** The lock a tab holds while its pool is open. */
export class TabLock {
  readonly name: string
  /** Granted: the host may watch it now (asked earlier, the host would be granted it at once). */
  held = false
  #release: (() => void) | undefined

  constructor(base: string, id: string, onHeld: () => void) {
    this.name = `${base}:tab:${id}`
    locks()?.request(this.name, {}, () => new Promise<void>((release) => {
      this.#release = release
      this.held = true
      onHeld()
    })).catch(() => {})
  }

  release(): void {
    this.#release?.()
  }
}

/** The host's watch on a tab's lock: `gone` runs when the tab releases it. Returns the way to stop watching. */
export function watchTabLock(name: string, gone: () => void): () => void {
  const l = locks()
  if (!l) return () => {}
  const stop = new AbortController()
  l.request(name, { signal: stop.signal }, async () => {
    if (!stop.signal.aborted) gone()
  }).catch(() => {})
  return () => stop.abort()
}
