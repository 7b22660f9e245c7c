/**
 * Byte counting (SPEC "Bytes and messages": UTF-8 bytes for text, byteLength for binary, not
 * string.length) and the transport seam with injected constructors.
 */
import { describe, expect, it } from 'vitest'
import { abortSocket, byteLength, isNodeWs, openSocket, resolveWebSocket, utf8Length } from '../../src/runtime/transport.js'
import type { WebSocketConstructor } from '../../src/core/socket.js'
import { prng } from '../helpers/prng.js'


const textCases: Array<[string, string, number]> = [
  ['empty', '', 0],
  ['ASCII', 'hello', 5],
  ['2-byte (é, ß, Ω)', 'éßΩ', 6],
  ['3-byte (€, 中, BOM)', '€中\ufeff', 9],
  ['4-byte emoji (one surrogate pair)', '😀', 4],
  ['4-byte (𝄞)', '𝄞', 4],
  ['mixed', 'a é € 😀', 1 + 1 + 2 + 1 + 3 + 1 + 4],
  ['boundaries U+007F / U+0080', '\u007f\u0080', 1 + 2],
  ['boundaries U+07FF / U+0800', '\u07ff\u0800', 2 + 3],
  ['boundary U+FFFF', '\uffff', 3],
  ['boundary U+10000 / U+10FFFF', '\u{10000}\u{10ffff}', 8],
  ['lone high surrogate', '\ud800', 3],
  ['lone low surrogate', '\udc00', 3],
  ['high surrogate at the end', 'ab\ud83d', 2 + 3],
  ['high surrogate then ASCII', '\ud83dx', 3 + 1],
  ['reversed pair (low then high)', '\ude00\ud83d', 6],
  ['two highs then a low (one lone, one pair)', '\ud83d\ud83d\ude00', 3 + 4],
  ['NUL', '\0', 1],
]

describe('utf8Length', () => {
  it.each(textCases)('%s', (_name, s, bytes) => {
    expect(utf8Length(s)).toBe(bytes)
    expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'))
    expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length)
  })

  it('differs from string.length for non-ASCII text', () => {
    expect('😀'.length).toBe(2)
    expect(utf8Length('😀')).toBe(4)
    expect('€'.length).toBe(1)
    expect(utf8Length('€')).toBe(3)
  })

  it('agrees with Buffer.byteLength over 5,000 random strings of arbitrary code units', () => {
    const rand = prng(20261122)
    const pools = [
      () => Math.floor(rand() * 0x80), // ASCII
      () => 0x80 + Math.floor(rand() * (0x800 - 0x80)), // 2-byte
      () => 0x800 + Math.floor(rand() * (0xd800 - 0x800)), // 3-byte below surrogates
      () => 0xd800 + Math.floor(rand() * 0x400), // high surrogate
      () => 0xdc00 + Math.floor(rand() * 0x400), // low surrogate
      () => 0xe000 + Math.floor(rand() * 0x2000), // 3-byte above surrogates
    ]
    let mismatches = 0
    let firstBad = ''
    for (let i = 0; i < 5000; i++) {
      const len = Math.floor(rand() * 40)
      const units: number[] = []
      for (let j = 0; j < len; j++) units.push(pools[Math.floor(rand() * pools.length)]())
      const s = String.fromCharCode(...units)
      if (utf8Length(s) !== Buffer.byteLength(s, 'utf8')) {
        mismatches++
        firstBad ||= JSON.stringify(s)
      }
    }
    expect(firstBad).toBe('')
    expect(mismatches).toBe(0)
  })

  it('agrees with Buffer.byteLength over random valid code points (pairs included)', () => {
    const rand = prng(7)
    for (let i = 0; i < 2000; i++) {
      const cps: number[] = []
      for (let j = 0; j < 20; j++) {
        let cp = Math.floor(rand() * 0x110000)
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41
        cps.push(cp)
      }
      const s = String.fromCodePoint(...cps)
      expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'))
    }
  })

  it('handles a long string', () => {
    const s = 'a€😀'.repeat(100_000)
    expect(utf8Length(s)).toBe(8 * 100_000)
  })
})

describe('byteLength', () => {
  it.each(textCases)('text: %s counts UTF-8 bytes', (_name, s, bytes) => {
    expect(byteLength(s)).toBe(bytes)
  })

  it('ArrayBuffer counts byteLength', () => {
    expect(byteLength(new ArrayBuffer(0))).toBe(0)
    expect(byteLength(new ArrayBuffer(13))).toBe(13)
  })

  it('typed arrays and DataView count bytes, not elements, and only the view', () => {
    expect(byteLength(new Uint8Array(10))).toBe(10)
    expect(byteLength(new Uint16Array(10))).toBe(20)
    expect(byteLength(new Float64Array(3))).toBe(24)
    expect(byteLength(new BigInt64Array(2))).toBe(16)
    const buf = new ArrayBuffer(100)
    expect(byteLength(new Uint8Array(buf, 10, 5))).toBe(5)
    expect(byteLength(new DataView(buf, 20, 30))).toBe(30)
    expect(byteLength(new Uint32Array(buf).subarray(1, 4))).toBe(12)
  })

  it('Node Buffer counts its bytes', () => {
    expect(byteLength(Buffer.from('héllo'))).toBe(6)
    expect(byteLength(Buffer.alloc(1024).subarray(0, 7))).toBe(7)
  })

  it('Blob counts its size', () => {
    expect(byteLength(new Blob([]))).toBe(0)
    expect(byteLength(new Blob(['héllo']))).toBe(6)
    expect(byteLength(new Blob([new Uint8Array(33), 'ab']))).toBe(35)
  })

  it('SharedArrayBuffer counts byteLength', () => {
    expect(byteLength(new SharedArrayBuffer(9))).toBe(9)
  })

  it('anything else counts 0 rather than throwing', () => {
    for (const v of [null, undefined, 42, {}, [], true]) expect(byteLength(v)).toBe(0)
  })
})

describe('transport seam', () => {
  class Fake {
    static instances: Fake[] = []
    binaryType = 'blob'
    readyState = 0
    protocol = ''
    bufferedAmount = 0
    onopen = null
    onmessage = null
    onerror = null
    onclose = null
    closed: unknown[] = []
    args: unknown[]
    constructor(...args: unknown[]) {
      this.args = args
      Fake.instances.push(this)
    }
    send(): void {}
    close(...a: unknown[]): void {
      this.closed.push(a)
    }
  }
  class FakeNode extends Fake {
    terminated = 0
    ping(): void {}
    terminate(): void {
      this.terminated++
    }
  }
  const ctor = Fake as unknown as WebSocketConstructor
  const nodeCtor = FakeNode as unknown as WebSocketConstructor

  it('resolveWebSocket prefers the injected constructor, else a real one', () => {
    expect(resolveWebSocket(ctor)).toBe(ctor)
    const fallback = resolveWebSocket(undefined)
    expect(typeof fallback).toBe('function')
  })

  it('isNodeWs recognises ping on the prototype', () => {
    expect(isNodeWs(ctor)).toBe(false)
    expect(isNodeWs(nodeCtor)).toBe(true)
  })

  it('openSocket passes protocols (or none) and sets binaryType; wsOptions only to ws-like constructors', () => {
    const a = openSocket(ctor, 'wss://h/', [], 'arraybuffer', { headers: {} }) as unknown as Fake
    expect(a.args).toEqual(['wss://h/', undefined])
    expect(a.binaryType).toBe('arraybuffer')
    const b = openSocket(ctor, 'wss://h/', ['x', 'y'], 'blob', undefined) as unknown as Fake
    expect(b.args).toEqual(['wss://h/', ['x', 'y']])
    const opts = { headers: { a: 'b' } }
    const c = openSocket(nodeCtor, 'wss://h/', ['x'], 'nodebuffer', opts) as unknown as Fake
    expect(c.args).toEqual(['wss://h/', ['x'], opts])
    expect(c.binaryType).toBe('nodebuffer')
  })

  it('openSocket survives an implementation that refuses the binaryType', () => {
    class Strict {
      constructor(readonly url: string) {}
      set binaryType(_v: string) {
        throw new SyntaxError('nope')
      }
      get binaryType(): string {
        return 'blob'
      }
    }
    const s = openSocket(Strict as unknown as WebSocketConstructor, 'wss://h/', [], 'arraybuffer', undefined)
    expect(s.binaryType).toBe('blob')
  })

  it('abortSocket terminates where possible, else closes, and never throws', () => {
    const n = new FakeNode()
    abortSocket(n as never)
    expect(n.terminated).toBe(1)
    expect(n.closed).toHaveLength(0)
    const f = new Fake()
    abortSocket(f as never)
    expect(f.closed).toHaveLength(1)
    const throwing = { close() { throw new Error('already closed') } }
    expect(() => abortSocket(throwing as never)).not.toThrow()
  })
})
