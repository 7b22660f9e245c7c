/**
 * Idle connections of one origin: reuse by key (most recently used first, so the rest can time
 * out) and eviction by age (least recently used first, via the Set's insertion order).
 */
import type { Connection } from './connection.js'

export class IdleSet {
  #byKey = new Map<string, Connection[]>()
  #lru = new Set<Connection>()

  get size(): number {
    return this.#lru.size
  }

  has(c: Connection): boolean {
    return this.#lru.has(c)
  }

  add(c: Connection): void {
    this.#lru.add(c)
    const stack = this.#byKey.get(c.key)
    if (stack) stack.push(c)
    else this.#byKey.set(c.key, [c])
  }

  /** Removes and returns the most recently used idle connection for `key`. */
  take(key: string): Connection | undefined {
    const stack = this.#byKey.get(key)
    const c = stack?.pop()
    if (c === undefined) return undefined
    if (stack!.length === 0) this.#byKey.delete(key)
    this.#lru.delete(c)
    return c
  }

  delete(c: Connection): boolean {
    if (!this.#lru.delete(c)) return false
    const stack = this.#byKey.get(c.key)!
    stack.splice(stack.indexOf(c), 1)
    if (stack.length === 0) this.#byKey.delete(c.key)
    return true
  }

  /** The least recently used idle connection. */
  oldest(): Connection | undefined {
    return this.#lru.values().next().value
  }

  values(): IterableIterator<Connection> {
    return this.#lru.values()
  }
}
