/**
 * WaitQueue: higher priority first, FIFO within a priority, O(1) removal of a known node
 * (SPEC "Keys and reuse": queued acquires served in priority order, never a scan of the queue).
 */
import { describe, expect, it } from 'vitest'
import { WaitQueue, type WaitNode } from '../../src/core/wait-queue.js'
import { prng } from '../helpers/prng.js'


describe('WaitQueue basics', () => {
  it('is empty at first', () => {
    const q = new WaitQueue<string>()
    expect(q.size).toBe(0)
    expect(q.peek()).toBeUndefined()
    expect(q.shift()).toBeUndefined()
    expect(q.drain()).toEqual([])
  })

  it('is FIFO within the default priority', () => {
    const q = new WaitQueue<number>()
    for (let i = 0; i < 5; i++) q.push(i)
    expect(q.size).toBe(5)
    expect(q.peek()).toBe(0)
    expect(q.shift()).toBe(0)
    expect(q.shift()).toBe(1)
    expect(q.size).toBe(3)
    expect(q.drain()).toEqual([2, 3, 4])
    expect(q.size).toBe(0)
  })

  it('serves higher priority first, FIFO within each priority', () => {
    const q = new WaitQueue<string>()
    q.push('a0', 0)
    q.push('b5', 5)
    q.push('c0', 0)
    q.push('d5', 5)
    q.push('e1', 1)
    q.push('f10', 10)
    q.push('g1', 1)
    expect(q.drain()).toEqual(['f10', 'b5', 'd5', 'e1', 'g1', 'a0', 'c0'])
  })

  it('default priority is 0 and ranks between positive and negative', () => {
    const q = new WaitQueue<string>()
    q.push('neg', -1)
    q.push('zero')
    q.push('pos', 1)
    q.push('zero2', 0)
    expect(q.drain()).toEqual(['pos', 'zero', 'zero2', 'neg'])
  })

  it('handles negative and fractional priorities', () => {
    const q = new WaitQueue<string>()
    q.push('m1.5', -1.5)
    q.push('p0.25', 0.25)
    q.push('m1', -1)
    q.push('p0.5', 0.5)
    q.push('p0.25b', 0.25)
    q.push('m100', -100)
    q.push('p1e-9', 1e-9)
    expect(q.drain()).toEqual(['p0.5', 'p0.25', 'p0.25b', 'p1e-9', 'm1', 'm1.5', 'm100'])
  })

  it('treats -0 and 0 as the same priority (FIFO between them)', () => {
    const q = new WaitQueue<string>()
    q.push('a', 0)
    q.push('b', -0)
    q.push('c', 0)
    expect(q.drain()).toEqual(['a', 'b', 'c'])
  })

  it('peek does not remove and matches the next shift', () => {
    const q = new WaitQueue<string>()
    q.push('low', 1)
    q.push('high', 2)
    expect(q.peek()).toBe('high')
    expect(q.peek()).toBe('high')
    expect(q.size).toBe(2)
    expect(q.shift()).toBe('high')
    expect(q.peek()).toBe('low')
  })

  it('stores falsy values faithfully (0, empty string, false)', () => {
    const q = new WaitQueue<unknown>()
    q.push(0)
    q.push('')
    q.push(false)
    expect(q.size).toBe(3)
    expect(q.shift()).toBe(0)
    expect(q.shift()).toBe('')
    expect(q.shift()).toBe(false)
  })

  it('push returns a node holding the value', () => {
    const q = new WaitQueue<{ id: number }>()
    const v = { id: 7 }
    const node = q.push(v, 3)
    expect(node.value).toBe(v)
  })
})

describe('WaitQueue.remove', () => {
  const setup = () => {
    const q = new WaitQueue<string>()
    const nodes = ['a', 'b', 'c', 'd'].map((v) => q.push(v))
    return { q, nodes }
  }

  it('removes the head', () => {
    const { q, nodes } = setup()
    expect(q.remove(nodes[0])).toBe(true)
    expect(q.size).toBe(3)
    expect(q.peek()).toBe('b')
    expect(q.drain()).toEqual(['b', 'c', 'd'])
  })

  it('removes a middle node', () => {
    const { q, nodes } = setup()
    expect(q.remove(nodes[2])).toBe(true)
    expect(q.drain()).toEqual(['a', 'b', 'd'])
  })

  it('removes the tail, and later pushes append after the new tail', () => {
    const { q, nodes } = setup()
    expect(q.remove(nodes[3])).toBe(true)
    q.push('e')
    expect(q.drain()).toEqual(['a', 'b', 'c', 'e'])
  })

  it('removes the only node, leaving an empty queue that works again', () => {
    const q = new WaitQueue<string>()
    const n = q.push('only', 4)
    expect(q.remove(n)).toBe(true)
    expect(q.size).toBe(0)
    expect(q.peek()).toBeUndefined()
    expect(q.shift()).toBeUndefined()
    q.push('again', 4)
    q.push('lower', 1)
    expect(q.drain()).toEqual(['again', 'lower'])
  })

  it('removing twice returns false and does not change size', () => {
    const { q, nodes } = setup()
    expect(q.remove(nodes[1])).toBe(true)
    expect(q.remove(nodes[1])).toBe(false)
    expect(q.size).toBe(3)
    expect(q.drain()).toEqual(['a', 'c', 'd'])
  })

  it('remove after shift/drain returns false', () => {
    const { q, nodes } = setup()
    expect(q.shift()).toBe('a')
    expect(q.remove(nodes[0])).toBe(false)
    expect(q.size).toBe(3)
    q.drain()
    for (const n of nodes) expect(q.remove(n)).toBe(false)
    expect(q.size).toBe(0)
  })

  it('removing every node of the top priority falls through to the next one', () => {
    const q = new WaitQueue<string>()
    q.push('low', 1)
    const h1 = q.push('h1', 9)
    const h2 = q.push('h2', 9)
    q.remove(h2)
    q.remove(h1)
    expect(q.size).toBe(1)
    expect(q.peek()).toBe('low')
    expect(q.shift()).toBe('low')
    expect(q.shift()).toBeUndefined()
  })

  it('removing every node of a middle priority keeps the order of the rest', () => {
    const q = new WaitQueue<string>()
    q.push('top', 3)
    const m = [q.push('m1', 2), q.push('m2', 2)]
    q.push('bottom', 1)
    for (const n of m) q.remove(n)
    expect(q.drain()).toEqual(['top', 'bottom'])
  })
})

describe('WaitQueue: priorities that empty and refill', () => {
  it('an emptied priority that is refilled keeps order and yields no duplicates', () => {
    const q = new WaitQueue<string>()
    q.push('a5', 5)
    q.push('b3', 3)
    expect(q.shift()).toBe('a5') // priority 5 now empty (discarded at the top)
    q.push('c5', 5)
    q.push('d3', 3)
    const n = q.push('e4', 4)
    q.remove(n) // priority 4 empty, still below the top
    q.push('f4', 4) // refill the emptied-but-not-discarded list
    q.push('g5', 5)
    expect(q.size).toBe(5)
    expect(q.drain()).toEqual(['c5', 'g5', 'f4', 'b3', 'd3'])
    expect(q.size).toBe(0)
  })

  it('alternating fill/empty cycles over many priorities never duplicate or lose a value', () => {
    const q = new WaitQueue<number>()
    let next = 0
    for (let round = 0; round < 50; round++) {
      const pushed: Array<[number, number]> = []
      for (let i = 0; i < 20; i++) {
        const p = (i * 7 + round) % 5
        q.push(next, p)
        pushed.push([next++, p])
      }
      // Take half, then refill the same priorities, then take everything.
      const firstHalf: number[] = []
      for (let i = 0; i < 10; i++) firstHalf.push(q.shift()!)
      for (let i = 0; i < 5; i++) {
        q.push(next, i)
        pushed.push([next++, i])
      }
      const rest = q.drain()
      const got = [...firstHalf, ...rest]
      expect(new Set(got).size).toBe(got.length)
      expect(got.length).toBe(pushed.length)
      expect(q.size).toBe(0)
      // Within the second phase (rest), order is by priority desc then insertion.
      const prio = new Map(pushed)
      for (let i = 1; i < rest.length; i++) {
        const a = rest[i - 1]
        const b = rest[i]
        expect(prio.get(a)! > prio.get(b)! || (prio.get(a) === prio.get(b) && a < b)).toBe(true)
      }
    }
  })
})

/** The obvious reference: an array kept in service order with linear scans. */
class ReferenceQueue {
  items: Array<{ id: number; priority: number }> = []
  push(id: number, priority: number): void {
    let i = this.items.length
    while (i > 0 && this.items[i - 1].priority < priority) i--
    this.items.splice(i, 0, { id, priority })
  }
  shift(): number | undefined {
    return this.items.shift()?.id
  }
  peek(): number | undefined {
    return this.items[0]?.id
  }
  remove(id: number): boolean {
    const i = this.items.findIndex((x) => x.id === id)
    if (i === -1) return false
    this.items.splice(i, 1)
    return true
  }
}

describe('WaitQueue against a reference model', () => {
  it.each([1, 42, 2024, 987654321])('10k random ops agree with the reference (seed %i)', (seed) => {
    const rand = prng(seed)
    const q = new WaitQueue<number>()
    const ref = new ReferenceQueue()
    const nodes = new Map<number, WaitNode<number>>()
    const everPushed: number[] = []
    const priorities = [-2, -0.5, 0, 0, 0, 1, 1.5, 3, 10]
    let id = 0
    for (let op = 0; op < 10_000; op++) {
      const r = rand()
      if (r < 0.45) {
        const p = priorities[Math.floor(rand() * priorities.length)]
        nodes.set(id, q.push(id, p))
        ref.push(id, p)
        everPushed.push(id)
        id++
      } else if (r < 0.65) {
        const got = q.shift()
        expect(got).toBe(ref.shift())
        if (got !== undefined) nodes.delete(got)
      } else if (r < 0.9) {
        if (everPushed.length === 0) continue
        // Sometimes a stale node (already gone): both must report false.
        const target = everPushed[Math.floor(rand() * everPushed.length)]
        const node = nodes.get(target)
        const expected = ref.remove(target)
        if (node === undefined) {
          expect(expected).toBe(false)
        } else {
          expect(q.remove(node)).toBe(expected)
          nodes.delete(target)
        }
      } else if (r < 0.99) {
        expect(q.peek()).toBe(ref.peek())
      } else {
        expect(q.drain()).toEqual(ref.items.map((x) => x.id))
        ref.items = []
        nodes.clear()
      }
      expect(q.size).toBe(ref.items.length)
    }
    expect(q.drain()).toEqual(ref.items.map((x) => x.id))
  })

  it('agrees with the reference when every push has a distinct random priority', () => {
    const rand = prng(7)
    const q = new WaitQueue<number>()
    const ref = new ReferenceQueue()
    const nodes: WaitNode<number>[] = []
    for (let i = 0; i < 3000; i++) {
      const p = Math.floor(rand() * 2000) - 1000 + rand()
      nodes.push(q.push(i, p))
      ref.push(i, p)
      if (i % 3 === 0) {
        const k = Math.floor(rand() * nodes.length)
        expect(q.remove(nodes[k])).toBe(ref.remove(k))
      }
      if (i % 5 === 0) expect(q.shift()).toBe(ref.shift())
    }
    expect(q.size).toBe(ref.items.length)
    expect(q.drain()).toEqual(ref.items.map((x) => x.id))
  })
})

describe('WaitQueue at scale', () => {
  it('200k pushes then removal in random order stays fast and consistent', () => {
    const rand = prng(99)
    const n = 200_000
    const q = new WaitQueue<number>()
    const nodes: WaitNode<number>[] = new Array(n)
    const start = performance.now()
    for (let i = 0; i < n; i++) nodes[i] = q.push(i, i % 4)
    expect(q.size).toBe(n)
    // Fisher-Yates shuffle of the removal order.
    const order = Array.from({ length: n }, (_, i) => i)
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1))
      ;[order[i], order[j]] = [order[j], order[i]]
    }
    // Remove all but the last 10 in random order.
    let removed = 0
    for (let k = 0; k < n - 10; k++) if (q.remove(nodes[order[k]])) removed++
    expect(removed).toBe(n - 10)
    expect(q.size).toBe(10)
    const survivors = order.slice(n - 10)
    const expected = survivors.slice().sort((a, b) => (b % 4) - (a % 4) || a - b)
    expect(q.drain()).toEqual(expected)
    const elapsed = performance.now() - start
    // Hang guard only (a linear scan per removal would take minutes), not a benchmark.
    expect(elapsed).toBeLessThan(15_000)
  })

  it('200k pushes with distinct priorities, removed in random order, then reused', () => {
    const rand = prng(5)
    const n = 200_000
    const q = new WaitQueue<number>()
    const nodes: WaitNode<number>[] = []
    const start = performance.now()
    for (let i = 0; i < n; i++) nodes.push(q.push(i, rand() * 1e6))
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1))
      ;[nodes[i], nodes[j]] = [nodes[j], nodes[i]]
    }
    let removed = 0
    for (const node of nodes) if (q.remove(node)) removed++
    expect(removed).toBe(n)
    expect(q.size).toBe(0)
    expect(q.peek()).toBeUndefined()
    q.push(1, 0)
    q.push(2, 5)
    expect(q.drain()).toEqual([2, 1])
    expect(performance.now() - start).toBeLessThan(15_000)
  })
})
