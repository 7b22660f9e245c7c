/**
 * Issue 7, bugs 5 and 6: `once` registrations are per (event, function), and a throwing listener
 * never takes the process down (SPEC "Events"). These tests fail on the code at the time they
 * were written, by design.
 */
import { describe, expect, it } from 'vitest'
import { runChild } from '../helpers/child.js'
import { delay, eventually, newPool, nextEvent, startServer, type Pool } from '../helpers/harness.js'

/** Opens (and destroys) `n` connections, one after the other, waiting for each to be closed. */
async function cycle(pool: Pool, base: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const closed = pool.stats().totals.closed
    const lease = await pool.acquire(`${base}/echo?n=${i}`)
    lease.destroy()
    await eventually(() => expect(pool.stats().totals.closed).toBe(closed + 1))
  }
}

/** One listener function for both 'open' and 'close': records which event it heard. */
function shared(): { fn: (e: unknown) => void; heard: string[] } {
  const heard: string[] = []
  return { heard, fn: (e) => void heard.push('willReconnect' in (e as object) ? 'close' : 'open') }
}

describe('bug 5: once() is keyed by event and function', () => {
  it("pool.once('open', fn) and pool.once('close', fn): each fires once, then never again", async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false })
    const { fn, heard } = shared()
    pool.once('open', fn)
    pool.once('close', fn)
    await cycle(pool, server.url, 3)
    expect(heard).toEqual(['open', 'close'])
  })

  it("the unsubscribe function returned by once() removes that registration only", async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false })
    const { fn, heard } = shared()
    const unsubscribeOpen = pool.once('open', fn)
    pool.once('close', fn)
    unsubscribeOpen()
    await cycle(pool, server.url, 2)
    expect(heard).toEqual(['close'])
  })

  it("off('open', fn) does not remove the 'close' registration of the same fn", async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false })
    const { fn, heard } = shared()
    pool.once('open', fn)
    pool.once('close', fn)
    pool.off('open', fn)
    await cycle(pool, server.url, 2)
    expect(heard).toEqual(['close'])
  })

  it("lease.once('message', fn) twice: fn runs twice for the first message, never for later ones", async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false })
    const lease = await pool.acquire(`${server.url}/echo`)
    const calls: unknown[] = []
    const fn = (m: unknown): void => void calls.push(m)
    lease.once('message', fn)
    lease.once('message', fn)
    for (const m of ['first', 'second', 'third']) {
      const echoed = nextEvent(lease, 'message')
      lease.send(m)
      await echoed
    }
    expect(calls).toEqual(['first', 'first'])
    lease.release()
  })

  it("lease.once('message', fn) twice, one unsubscribed: fn runs once for the first message, never again", async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false })
    const lease = await pool.acquire(`${server.url}/echo`)
    const calls: unknown[] = []
    const fn = (m: unknown): void => void calls.push(m)
    const unsubscribe = lease.once('message', fn)
    lease.once('message', fn)
    unsubscribe()
    for (const m of ['first', 'second']) {
      const echoed = nextEvent(lease, 'message')
      lease.send(m)
      await echoed
    }
    expect(calls).toEqual(['first'])
    lease.release()
  })
})

const run = (url: string, ...args: string[]) => runChild('throwing-listener-child.ts', url, ...args)

describe('bug 6: a throwing listener never crashes a Node process', () => {
  it('without reportError (Node 20): the errors go to console.error, the pool carries on, the child exits 0 on its own', async () => {
    const server = await startServer()
    const { exited, output } = run(server.url)
    const result = await Promise.race([exited, delay(15_000).then(() => 'still running' as const)])
    expect(result, JSON.stringify(output())).toEqual({ code: 0, signal: null })
    const { stdout, stderr } = output()
    expect(stdout).toContain('done echo=ping opens=2')
    expect(stderr).toContain('boom from a pool open listener')
    expect(stderr).toContain('boom from a lease message listener')
    expect(server.log('child')).toEqual(['after the throws'])
    expect(server.counts().open).toBe(0)
  }, 30_000)

  it('with a reportError: the errors are reported through it, the child exits 0 on its own', async () => {
    const server = await startServer()
    const { exited, output } = run(server.url, '--report-error')
    const result = await Promise.race([exited, delay(15_000).then(() => 'still running' as const)])
    expect(result, JSON.stringify(output())).toEqual({ code: 0, signal: null })
    const { stdout } = output()
    expect(stdout).toContain('reportError: boom from a pool open listener')
    expect(stdout).toContain('reportError: boom from a lease message listener')
    expect(stdout).toContain('done echo=ping opens=2')
  }, 30_000)
})
