/**
 * Page awareness in real Chromium (issue 10, section 2; SPEC "Network and page awareness"): a
 * page that becomes visible again probes its silent connections at once (timers of a hidden page
 * are throttled, so a half-open socket would otherwise go unnoticed for a whole interval); a page
 * going into the back/forward cache closes its sockets cleanly and reopens them when it comes
 * back; and the pool's page listeners (`online`, `pagehide`, `pageshow` on window,
 * `visibilitychange` on document) are attached lazily and gone after `close()`. Headless Chromium
 * cannot hide its page or put it in the cache on demand, so both are simulated at the event
 * level: `document.visibilityState` and `visibilitychange`, and `PageTransitionEvent`s.
 * Offline (`context.setOffline`) is covered by the Playwright suite (e2e/network.spec.ts).
 */
import { afterEach, describe, expect, inject, it, onTestFinished, vi } from 'vitest'
import { createPool } from '../../src/index.js'

const server = inject('testServer')

async function control(path: string): Promise<void> {
  const res = await fetch(`${server.httpUrl}/_/${path}`, { method: 'POST' })
  if (!res.ok) throw new Error(`control ${path}: HTTP ${res.status}`)
}
const get = async <T>(path: string): Promise<T> => (await (await fetch(`${server.httpUrl}/_/${path}`)).json()) as T
const log = (tag: string) => get<string[]>(`log?tag=${tag}`)
const counts = () => get<{ open: number }>('stats')

/** What the page's sockets send from now on (they still send it). */
function spySends(): () => unknown[] {
  const sent: unknown[] = []
  const send = WebSocket.prototype.send
  const spy = vi.spyOn(WebSocket.prototype, 'send').mockImplementation(function (this: WebSocket, data) {
    sent.push(data)
    send.call(this, data)
  })
  onTestFinished(() => spy.mockRestore())
  return () => [...sent]
}

/** Blocks the page for `ms`: time passes and no timer fires, as with a hidden page's throttled timers. */
function holdTimers(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // busy: timers and socket events wait
  }
}

function setVisibility(state: 'hidden' | 'visible'): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state })
  document.dispatchEvent(new Event('visibilitychange'))
}

afterEach(async () => {
  delete (document as { visibilityState?: unknown }).visibilityState // back to the real getter
  await control('half-open?on=0')
})

describe('page awareness in Chromium', () => {
  it('becoming visible, a connection silent for longer than heartbeat.interval is probed at once (its timers were held back), and a half-open one is found within the timeout', async () => {
    const pool = createPool({
      heartbeat: { interval: 1000, timeout: 300, message: 'ping', isPong: (d) => d === 'ping' },
      reconnect: { initialDelay: 20, maxDelay: 50, jitter: 0 },
    })
    onTestFinished(() => pool.close())
    const evicted: string[] = []
    pool.on('evict', (e) => evicted.push(e.reason))
    const lease = await pool.acquire(`${server.url}/visible`)
    await control('half-open?on=1') // the server goes silent: no echo, no pong
    const sent = spySends()
    setVisibility('hidden')
    holdTimers(1200) // a hidden page: time passes, the heartbeat's timer does not fire
    setVisibility('visible')
    expect(sent()).toEqual(['ping']) // probed in the visibilitychange handler, before any timer ran
    await vi.waitFor(() => expect(evicted).toEqual(['heartbeat']), { timeout: 5000, interval: 20 })
    await control('half-open?on=0')
    await vi.waitFor(() => expect(lease.state).toBe('open'), { timeout: 5000, interval: 20 })
    lease.release()
  })

  it('becoming visible, a connection silent for less than heartbeat.interval, or one that heard something, is not probed', async () => {
    const pool = createPool({ heartbeat: { interval: 1000, timeout: 300, message: 'ping', isPong: (d) => d === 'ping' } })
    onTestFinished(() => pool.close())
    const lease = await pool.acquire(`${server.url}/echo`)
    const sent = spySends()
    setVisibility('visible') // silent for a few ms only
    expect(sent()).toEqual([])
    const echoed = new Promise((resolve) => lease.once('message', resolve))
    lease.send('traffic')
    await echoed
    holdTimers(1200)
    setVisibility('visible') // heard since the last check
    expect(sent()).toEqual(['traffic'])
    lease.release()
  })

  it('back/forward cache: pagehide (persisted) closes open sockets cleanly (1001) and attempts nothing; pageshow (persisted) reopens and flushes what was sent meanwhile', async () => {
    const pool = createPool({ reconnect: { initialDelay: 20, maxDelay: 50, jitter: 0 } })
    onTestFinished(() => pool.close())
    const closes: unknown[] = []
    const connects: unknown[] = []
    pool.on('close', (e) => closes.push({ id: e.id, wasClean: e.wasClean, willReconnect: e.willReconnect }))
    pool.on('connect', (e) => connects.push(e.attempt))
    const lease = await pool.acquire(`${server.url}/log?tag=bfcache`)
    const idle = await pool.acquire(`${server.url}/idle`)
    idle.release()
    lease.send('before')
    await vi.waitFor(async () => expect(await log('bfcache')).toEqual(['before']), { timeout: 5000, interval: 20 })
    connects.length = 0

    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }))
    await vi.waitFor(() => expect(lease.state).toBe('reconnecting'), { timeout: 5000, interval: 20 })
    await vi.waitFor(async () => expect((await counts()).open).toBe(0), { timeout: 5000, interval: 20 }) // the idle one closed too
    // Clean closes (the pool sent 1001 'page hidden'); the lease's connection will reconnect, the
    // idle one ends. The two sockets close at once: either may report first.
    expect(closes).toHaveLength(2)
    expect(closes).toEqual(expect.arrayContaining([
      { id: lease.id, wasClean: true, willReconnect: true },
      { id: idle.id, wasClean: true, willReconnect: false },
    ]))
    lease.send('while hidden')
    await new Promise((r) => setTimeout(r, 300)) // several backoff delays: nothing is attempted
    expect(connects).toEqual([])
    expect(pool.stats().totals).toMatchObject({ connections: 1, idle: 0 }) // the idle one is gone for good

    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))
    await vi.waitFor(() => expect(lease.state).toBe('open'), { timeout: 5000, interval: 20 })
    expect(connects).toEqual([1]) // one attempt, numbered as a fresh start: the suspension spent no attempt and no backoff step
    await vi.waitFor(async () => expect(await log('bfcache')).toEqual(['before', 'while hidden']), { timeout: 5000, interval: 20 })
    lease.release()
  })

  it('pagehide that is not persisted (the page is unloading) changes nothing', async () => {
    const pool = createPool()
    onTestFinished(() => pool.close())
    const lease = await pool.acquire(`${server.url}/echo`)
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }))
    await new Promise((r) => setTimeout(r, 100))
    expect(lease.state).toBe('open')
    lease.release()
  })

  it('attaches its page listeners lazily and keeps none after close()', async () => {
    const attached = new Map<string, Set<unknown>>()
    const spy = (target: Window | Document) => {
      const add = vi.spyOn(target, 'addEventListener').mockImplementation(function (type: string, fn: unknown) {
        if (!attached.has(type)) attached.set(type, new Set())
        attached.get(type)!.add(fn)
      } as never)
      const remove = vi.spyOn(target, 'removeEventListener').mockImplementation(function (type: string, fn: unknown) {
        attached.get(type)?.delete(fn)
      } as never)
      onTestFinished(() => (add.mockRestore(), remove.mockRestore()))
    }
    spy(window)
    spy(document)
    const pool = createPool()
    const live = () => [...attached].filter(([, fns]) => fns.size > 0).map(([type]) => type).sort()
    expect(live()).toEqual([]) // nothing at creation
    const lease = await pool.acquire(`${server.url}/listeners`)
    expect(live()).toEqual(['online', 'pagehide', 'pageshow', 'visibilitychange'])
    lease.release()
    await pool.close()
    expect(live()).toEqual([])
  })
})
