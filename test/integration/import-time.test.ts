/**
 * SPEC "Package": no access to `window`, `document` or `navigator` at import time (SSR-safe),
 * and nothing happens at import time (no timers, no console output).
 */
import { describe, expect, it, onTestFinished, vi } from 'vitest'

describe('import time', () => {
  it('importing the library touches no browser global, starts no timer and logs nothing', async () => {
    const touched: string[] = []
    for (const name of ['window', 'document', 'navigator', 'location', 'self']) {
      const had = Object.getOwnPropertyDescriptor(globalThis, name)
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          touched.push(name)
          return undefined
        },
      })
      onTestFinished(() => {
        if (had) Object.defineProperty(globalThis, name, had)
        else delete (globalThis as Record<string, unknown>)[name]
      })
    }
    const timers = vi.spyOn(globalThis, 'setTimeout')
    const intervals = vi.spyOn(globalThis, 'setInterval')
    const logs = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m))
    onTestFinished(() => {
      timers.mockRestore()
      intervals.mockRestore()
      for (const l of logs) l.mockRestore()
    })
    vi.resetModules()
    const lib = await import('../../src/index.js')
    expect(typeof lib.createPool).toBe('function')
    expect(touched).toEqual([])
    expect(timers).not.toHaveBeenCalled()
    expect(intervals).not.toHaveBeenCalled()
    for (const l of logs) expect(l).not.toHaveBeenCalled()
  })
})
