/**
 * `usePoolStats` in real React (19, and 18 in browser-react18) and Chromium (issue 9, item 1): throttled, referentially
 * stable (no re-render while nothing changed: render counts), per origin; and hydration of a
 * server-rendered tree that uses every hook: no mismatch, then one connection per hook.
 */
import { act } from '@testing-library/react'
import { StrictMode, type ReactNode } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest'
import type { HostStats, PoolStats, WebSocketPool } from '../../src/index.js'
import { PoolProvider, useLease, usePool, usePoolStats, useWebSocket, type UsePoolStatsOptions } from '../../src/react/index.js'
import { ErrorBoundary } from '../helpers/error-boundary.js'
import { control, counts, delay, eventually, mount, newPool, quietConsole, server } from '../helpers/react-browser.js'

beforeEach(async () => {
  await control('POST', 'reset')
})

/** A component reading `usePoolStats(options)` that counts its renders and keeps what it saw. */
function statsProbe(options?: UsePoolStatsOptions) {
  const seen: (PoolStats | HostStats | undefined)[] = []
  function Stats(): ReactNode {
    const stats = usePoolStats(options)
    seen.push(stats)
    return null
  }
  return { Stats, seen, last: () => seen[seen.length - 1] }
}

const within = (pool: WebSocketPool, children: ReactNode) => <PoolProvider pool={pool}>{children}</PoolProvider>

describe('usePoolStats in React (Chromium)', () => {
  it('does not re-render while nothing changes; renders once per change, with the new snapshot', async () => {
    quietConsole()
    const pool = newPool()
    const { Stats, seen, last } = statsProbe({ interval: 20 })
    mount(within(pool, <Stats />))
    expect(seen).toHaveLength(1)
    expect(last()).toBe(pool.stats())
    await delay(200) // ten intervals of nothing
    expect(seen).toHaveLength(1)

    const lease = await pool.acquire(`${server.url}/stats`)
    await eventually(() => expect((last() as PoolStats).totals.active).toBe(1))
    const afterAcquire = seen.length
    // one render per sampled change (connecting, then open, may be sampled apart), never a repeat
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1])
    await delay(200)
    expect(seen).toHaveLength(afterAcquire) // nothing changed since
    expect(last()).toBe(pool.stats())
    lease.release()
    await eventually(() => expect((last() as PoolStats).totals.active).toBe(0))
    expect(seen.length).toBeGreaterThan(afterAcquire)
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1])
  })

  it('is throttled: many changes within an interval make one render', async () => {
    quietConsole()
    const pool = newPool()
    const lease = await pool.acquire(`${server.url}/echo`)
    const echoed = new Promise<void>((resolve) => {
      let n = 0
      lease.on('message', () => ++n === 200 && resolve())
    })
    const { Stats, seen, last } = statsProbe({ interval: 300 })
    mount(within(pool, <Stats />))
    await delay(20)
    const before = seen.length
    for (let i = 0; i < 200; i++) lease.send(`m${i}`) // 400 stats changes (out and in)
    await echoed
    await eventually(() => expect((last() as PoolStats).totals.messagesIn).toBe(200), 2000)
    expect(seen.length - before).toBeLessThanOrEqual(2) // the echoes may straddle one sample
    lease.release()
  })

  it("with origin: that origin's stats, undefined until used, no re-render for another origin's changes", async () => {
    quietConsole()
    const pool = newPool()
    const other = `ws://localhost:${server.port}` // another origin, same server
    const { Stats, seen, last } = statsProbe({ origin: `${server.url}/any/path`, interval: 20 })
    mount(within(pool, <Stats />))
    expect(last()).toBeUndefined()

    const lease = await pool.acquire(`${server.url}/mine`)
    await eventually(() => expect(last()).toMatchObject({ active: 1, open: 1 }))
    expect(last()).toBe(pool.stats().hosts[server.url])
    const settled = seen.length

    const elsewhere = await pool.acquire(`${other}/theirs`)
    elsewhere.send('x')
    await eventually(() => expect(pool.stats().hosts[other]?.messagesOut).toBe(1))
    await delay(100)
    expect(seen).toHaveLength(settled) // the other origin moved; this one did not
    elsewhere.release()
    lease.release()
  })

  it('without a provider, reads the default pool', async () => {
    quietConsole()
    let pool: WebSocketPool | null = null
    function Both(): ReactNode {
      pool = usePool()
      usePoolStats()
      return null
    }
    const { Stats, last } = statsProbe({ interval: 20 })
    mount(
      <>
        <Both />
        <Stats />
      </>,
    )
    expect(pool).not.toBeNull()
    expect(last()).toBe(pool!.stats())
    // the default pool stays (it opened nothing): it lives as long as the page; the hydration
    // test below uses it and closes it
  })

  it('an invalid interval throws a PoolError that an error boundary can catch', async () => {
    const { Stats } = statsProbe({ interval: 0 })
    const pool = newPool()
    let caught: unknown
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {}) // React reports caught errors there
    onTestFinished(() => errors.mockRestore())
    const view = mount(within(pool, <ErrorBoundary onError={(e) => (caught = e)}><Stats /></ErrorBoundary>))
    expect(view.container.textContent).toBe('failed')
    expect(caught).toMatchObject({ name: 'PoolError', code: 'ERR_INVALID_ARGUMENT' })
    expect(String((caught as Error).message)).toMatch(/interval/)
  })
})

describe('hydration', () => {
  it.each([
    ['with a PoolProvider', true],
    ['without a provider (the default pool is created after hydration)', false],
  ])('%s: a server-rendered tree using every hook hydrates without a mismatch, then connects once', async (_name, provider) => {
    quietConsole()
    const given = newPool()
    const url = `${server.url}/hydrate`
    let used: WebSocketPool | null = null
    function App(): ReactNode {
      const got = (used = usePool())
      const { state } = useLease(url)
      const stats = usePoolStats({ interval: 20 })
      const host = usePoolStats({ origin: url, interval: 20 })
      const { readyState } = useWebSocket(`${server.url}/hydrate-ws`, { share: true })
      return <p>{`${got ? 'pool' : 'none'} ${state} ${stats.totals.open} ${host ? host.open : '-'} ${readyState}`}</p>
    }
    const app = provider ? within(given, <App />) : <App />
    const html = renderToString(app) // what a server sends (this pool has done nothing yet)
    expect(html).toContain(`${provider ? 'pool' : 'none'} connecting 0 - 0`) // useWebSocket: CONNECTING, as react-use-websocket renders with a url
    const container = document.createElement('div')
    container.innerHTML = html
    document.body.append(container)
    onTestFinished(() => container.remove())
    const root = await act(async () => hydrateRoot(container, <StrictMode>{app}</StrictMode>))
    onTestFinished(() => act(() => root.unmount()))
    await eventually(() => expect(container.textContent).toBe('pool open 2 2 1'))
    expect(used === given).toBe(provider)
    await delay(100)
    expect((await counts()).accepted).toBe(2) // one for useLease, one for useWebSocket, under StrictMode
    if (!provider) await act(async () => await used!.close()) // the default pool lives as long as the page
  })
})
