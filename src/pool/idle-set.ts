/**
 * Idle connections of one origin: reuse by key (most recently used first, so the rest can time
 * out) and eviction by age (least recently used first). The age order is an intrusive
 * doubly-linked list through the connections themselves: release and reuse (the hot path) touch
 * two pointers, with no hashing.
 */
/** What the idle set keeps: anything with a reuse key and the links of the age order. */
export interface Idler {
  readonly key: string
  idleIn: object | null
  idlePrev: Idler | null
  idleNext: Idler | null
}

export class IdleSet<C extends Idler> {
  #byKey = new Map<string, C[]>()
  #oldest: C | null = null
  #newest: C | null = null
  #size = 0

  get size(): number {
    return this.#size
  }

  has(c: C): boolean {
    return c.idleIn === this
  }

  add(c: C): void {
    if (c.idleIn === this) return
    c.idleIn = this
    c.idlePrev = this.#newest
    c.idleNext = null
    if (this.#newest === null) this.#oldest = c
    else this.#newest.idleNext = c
    this.#newest = c
    this.#size++
    const stack = this.#byKey.get(c.key)
    if (stack) stack.push(c)
    else this.#byKey.set(c.key, [c])
  }

  /** Removes and returns the most recently used idle connection for `key`. */
  take(key: string): C | undefined {
    const stack = this.#byKey.get(key)
    const c = stack?.pop()
    if (c === undefined) return undefined
    if (stack!.length === 0) this.#byKey.delete(key)
    this.#unlink(c)
    return c
  }

  delete(c: C): boolean {
    if (c.idleIn !== this) return false
    const stack = this.#byKey.get(c.key)!
    stack.splice(stack.lastIndexOf(c), 1)
    if (stack.length === 0) this.#byKey.delete(c.key)
    this.#unlink(c)
    return true
  }

  /** The least recently used idle connection. */
  oldest(): C | undefined {
    return this.#oldest ?? undefined
  }

  /** Idle connections, least recently used first. */
  *values(): IterableIterator<C> {
    for (let c = this.#oldest; c !== null; ) {
      const next = c.idleNext as C | null
      yield c
      c = next
    }
  }

  #unlink(c: C): void {
    if (c.idlePrev === null) this.#oldest = c.idleNext as C | null
    else c.idlePrev.idleNext = c.idleNext
    if (c.idleNext === null) this.#newest = c.idlePrev as C | null
    else c.idleNext.idlePrev = c.idlePrev
    c.idlePrev = c.idleNext = null
    c.idleIn = null
    this.#size--
  }
}
