/**
 * The clock seam: a Timers set keeps every live handle so clear() cancels them all; Infinity
 * never fires; background timers are unref'd on Node (STYLE principles 4 and 10).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Timers, now, random } from '../../src/runtime/clock.js'

describe('Timers (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('fires after exactly ms, once, and forgets the handle', () => {
    const t = new Timers()
    const fn = vi.fn()
    t.set(fn, 100)
    expect(t.size).toBe(1)
    vi.advanceTimersByTime(99)
    expect(fn).not.toHaveBeenCalled()
    expect(t.size).toBe(1)
    vi.advanceTimersByTime(1)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(t.size).toBe(0)
    vi.advanceTimersByTime(10_000)
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('fires several timers in due order and counts them down', () => {
    const t = new Timers()
    const order: string[] = []
    t.set(() => order.push('c'), 300)
    t.set(() => order.push('a'), 100)
    t.set(() => order.push('b'), 200)
    expect(t.size).toBe(3)
    vi.advanceTimersByTime(150)
    expect(order).toEqual(['a'])
    expect(t.size).toBe(2)
    vi.advanceTimersByTime(150)
    expect(order).toEqual(['a', 'b', 'c'])
    expect(t.size).toBe(0)
  })

  it('cancel stops a pending timer and shrinks size', () => {
    const t = new Timers()
    const fn = vi.fn()
    const keep = vi.fn()
    const h = t.set(fn, 100)
    t.set(keep, 100)
    t.cancel(h)
    expect(t.size).toBe(1)
    vi.advanceTimersByTime(1000)
    expect(fn).not.toHaveBeenCalled()
    expect(keep).toHaveBeenCalledTimes(1)
    expect(t.size).toBe(0)
  })

  it('cancel accepts undefined, a fired handle and a handle cancelled twice', () => {
    const t = new Timers()
    t.cancel(undefined)
    const fn = vi.fn()
    const h = t.set(fn, 10)
    vi.advanceTimersByTime(10)
    t.cancel(h)
    t.cancel(h)
    expect(t.size).toBe(0)
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('clear cancels every pending timer at once', () => {
    const t = new Timers()
    const fns = Array.from({ length: 10 }, () => vi.fn())
    fns.forEach((fn, i) => t.set(fn, 10 * (i + 1), i % 2 === 0))
    vi.advanceTimersByTime(25) // two have fired
    expect(t.size).toBe(8)
    t.clear()
    expect(t.size).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(10_000)
    expect(fns.filter((f) => f.mock.calls.length > 0)).toHaveLength(2)
  })

  it('the set stays usable after clear', () => {
    const t = new Timers()
    t.set(() => {}, 50)
    t.clear()
    const fn = vi.fn()
    t.set(fn, 50)
    expect(t.size).toBe(1)
    vi.advanceTimersByTime(50)
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('Infinity never fires, returns undefined and holds nothing', () => {
    const t = new Timers()
    const fn = vi.fn()
    expect(t.set(fn, Infinity)).toBeUndefined()
    expect(t.set(fn, Infinity, true)).toBeUndefined()
    expect(t.size).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(2 ** 31)
    vi.runAllTimers()
    expect(fn).not.toHaveBeenCalled()
  })

  it('the maximum delay (2147483647) fires at that time, not at once', () => {
    const t = new Timers()
    const fn = vi.fn()
    t.set(fn, 2147483647)
    vi.advanceTimersByTime(2147483646)
    expect(fn).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('a timer set from inside a callback is tracked', () => {
    const t = new Timers()
    const inner = vi.fn()
    t.set(() => t.set(inner, 10), 10)
    vi.advanceTimersByTime(10)
    expect(t.size).toBe(1)
    vi.advanceTimersByTime(10)
    expect(inner).toHaveBeenCalledTimes(1)
    expect(t.size).toBe(0)
  })

  it('a callback that throws still leaves the set consistent', () => {
    const t = new Timers()
    t.set(() => {
      throw new Error('boom')
    }, 10)
    expect(() => vi.advanceTimersByTime(10)).toThrow('boom')
    expect(t.size).toBe(0)
  })

  it('separate sets are independent', () => {
    const a = new Timers()
    const b = new Timers()
    const fa = vi.fn()
    const fb = vi.fn()
    a.set(fa, 10)
    b.set(fb, 10)
    a.clear()
    vi.advanceTimersByTime(10)
    expect(fa).not.toHaveBeenCalled()
    expect(fb).toHaveBeenCalledTimes(1)
  })
})

describe('Timers (real timers, Node)', () => {
  it('background timers are unref\'d; keepAlive timers are not', () => {
    const t = new Timers()
    const bg = t.set(() => {}, 60_000) as unknown as NodeJS.Timeout
    const held = t.set(() => {}, 60_000, true) as unknown as NodeJS.Timeout
    try {
      expect(bg.hasRef()).toBe(false)
      expect(held.hasRef()).toBe(true)
    } finally {
      t.clear()
    }
    expect(t.size).toBe(0)
  })

  it('a real timer fires and is forgotten', async () => {
    const t = new Timers()
    const fired = await new Promise<boolean>((resolve) => {
      t.set(() => resolve(true), 5, true)
    })
    expect(fired).toBe(true)
    expect(t.size).toBe(0)
  })
})

describe('now and random', () => {
  it('now is a non-decreasing number', () => {
    let prev = now()
    expect(typeof prev).toBe('number')
    for (let i = 0; i < 1000; i++) {
      const n = now()
      expect(n).toBeGreaterThanOrEqual(prev)
      prev = n
    }
  })

  it('random stays in [0, 1)', () => {
    for (let i = 0; i < 1000; i++) {
      const r = random()
      expect(r).toBeGreaterThanOrEqual(0)
      expect(r).toBeLessThan(1)
    }
  })
})
