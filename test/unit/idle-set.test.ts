/**
 * IdleSet: reuse by key, most recently used first; eviction candidate = least recently used
 * overall (SPEC "Keys and reuse": idle reuse only for the same URL and protocols; the least
 * recently used idle connection is closed to make room).
 */
import { describe, expect, it } from 'vitest'
import { IdleSet } from '../../src/pool/idle-set.js'
import type { Idler } from '../../src/pool/idle-set.js'

let nextId = 0
const conn = (key: string): Idler & { name: string } =>
  ({ key, name: `${key}#${nextId++}` }) as unknown as Idler & { name: string }

describe('IdleSet', () => {
  it('starts empty', () => {
    const s = new IdleSet()
    expect(s.size).toBe(0)
    expect(s.take('a')).toBeUndefined()
    expect(s.oldest()).toBeUndefined()
    expect([...s.values()]).toEqual([])
  })

  it('add / has / size', () => {
    const s = new IdleSet()
    const a = conn('a')
    const b = conn('b')
    s.add(a)
    s.add(b)
    expect(s.size).toBe(2)
    expect(s.has(a)).toBe(true)
    expect(s.has(b)).toBe(true)
    expect(s.has(conn('a'))).toBe(false)
  })

  it('take(key) returns the most recently added connection for that key only', () => {
    const s = new IdleSet()
    const a1 = conn('a')
    const b1 = conn('b')
    const a2 = conn('a')
    const a3 = conn('a')
    for (const c of [a1, b1, a2, a3]) s.add(c)
    expect(s.take('a')).toBe(a3)
    expect(s.take('a')).toBe(a2)
    expect(s.size).toBe(2)
    expect(s.has(a3)).toBe(false)
    expect(s.take('a')).toBe(a1)
    expect(s.take('a')).toBeUndefined()
    expect(s.take('c')).toBeUndefined()
    expect(s.take('b')).toBe(b1)
    expect(s.size).toBe(0)
  })

  it('oldest() is the least recently added overall, across keys', () => {
    const s = new IdleSet()
    const a1 = conn('a')
    const b1 = conn('b')
    const a2 = conn('a')
    for (const c of [a1, b1, a2]) s.add(c)
    expect(s.oldest()).toBe(a1)
    s.take('a') // takes a2 (MRU of a): oldest unchanged
    expect(s.oldest()).toBe(a1)
    s.take('a') // takes a1
    expect(s.oldest()).toBe(b1)
  })

  it('a connection re-added after take becomes the most recent again', () => {
    const s = new IdleSet()
    const a1 = conn('a')
    const b1 = conn('b')
    s.add(a1)
    s.add(b1)
    expect(s.take('a')).toBe(a1)
    s.add(a1) // released again: now newer than b1
    expect(s.oldest()).toBe(b1)
    expect([...s.values()]).toEqual([b1, a1])
  })

  it('delete removes from both views; a second delete returns false', () => {
    const s = new IdleSet()
    const a1 = conn('a')
    const a2 = conn('a')
    const a3 = conn('a')
    const b1 = conn('b')
    for (const c of [a1, a2, a3, b1]) s.add(c)
    expect(s.delete(a2)).toBe(true) // middle of the 'a' stack
    expect(s.delete(a2)).toBe(false)
    expect(s.size).toBe(3)
    expect(s.has(a2)).toBe(false)
    expect([...s.values()]).toEqual([a1, a3, b1])
    expect(s.take('a')).toBe(a3)
    expect(s.take('a')).toBe(a1)
    expect(s.take('a')).toBeUndefined()
  })

  it('delete of a connection never added returns false and changes nothing', () => {
    const s = new IdleSet()
    const a1 = conn('a')
    s.add(a1)
    expect(s.delete(conn('a'))).toBe(false)
    expect(s.delete(conn('zzz'))).toBe(false)
    expect(s.size).toBe(1)
    expect(s.take('a')).toBe(a1)
  })

  it('deleting the oldest moves oldest() to the next one; deleting the last empties the key', () => {
    const s = new IdleSet()
    const a1 = conn('a')
    const b1 = conn('b')
    s.add(a1)
    s.add(b1)
    expect(s.delete(a1)).toBe(true)
    expect(s.oldest()).toBe(b1)
    expect(s.take('a')).toBeUndefined()
    s.add(a1)
    expect(s.take('a')).toBe(a1)
  })

  it('values() iterates from least to most recently used', () => {
    const s = new IdleSet()
    const cs = ['x', 'y', 'x', 'z', 'y'].map(conn)
    for (const c of cs) s.add(c)
    expect([...s.values()]).toEqual(cs)
  })

  it('agrees with a simple model over random operations', () => {
    let seed = 99
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647)
    const s = new IdleSet()
    const model: Array<Idler & { name: string }> = [] // LRU order
    const keys = ['a', 'b', 'c']
    const all: Array<Idler & { name: string }> = []
    for (let i = 0; i < 3000; i++) {
      const r = rand()
      if (r < 0.4) {
        // add a fresh or a previously taken connection (never one that is already idle)
        const out = all.filter((c) => !model.includes(c))
        const c = out.length > 0 && rand() < 0.5 ? out[Math.floor(rand() * out.length)] : conn(keys[Math.floor(rand() * 3)])
        if (!all.includes(c)) all.push(c)
        s.add(c)
        model.push(c)
      } else if (r < 0.7) {
        const key = keys[Math.floor(rand() * 3)]
        let idx = -1
        for (let j = model.length - 1; j >= 0; j--) if (model[j].key === key) { idx = j; break }
        const expected = idx === -1 ? undefined : model.splice(idx, 1)[0]
        expect(s.take(key)).toBe(expected)
      } else if (r < 0.9) {
        if (all.length === 0) continue
        const c = all[Math.floor(rand() * all.length)]
        const idx = model.indexOf(c)
        if (idx !== -1) model.splice(idx, 1)
        expect(s.delete(c)).toBe(idx !== -1)
      } else {
        expect(s.oldest()).toBe(model[0])
      }
      expect(s.size).toBe(model.length)
    }
    expect([...s.values()]).toEqual(model)
  })
})
