/**
 * `useLease`, `PoolProvider` and `usePool` in real React (19, and 18 in the browser-react18 project) and real Chromium, against the test
 * server (issue 9, items 1, 2 and 6): one connection under StrictMode, none held after unmount,
 * `url: null`, switching URL, lease states, bad input.
 */
import { act } from '@testing-library/react'
import { StrictMode, useEffect, version, type ReactNode } from 'react'
import { version as domVersion } from 'react-dom'
import { beforeEach, describe, expect, inject, it } from 'vitest'
import { PoolError, type Lease, type WebSocketPool } from '../../src/index.js'
import { PoolProvider, useLease, usePool, type UseLeaseOptions, type UseLeaseResult } from '../../src/react/index.js'
import { control, counts, delay, eventually, mount, newPool, quietConsole, server } from '../helpers/react-browser.js'

beforeEach(async () => {
  await control('POST', 'reset')
})

type Url = Parameters<typeof useLease>[0]

/** Renders `useLease(url, options)` and records every result it rendered. */
function probe() {
  const seen: (UseLeaseResult & { url: Url })[] = []
  const last = () => seen[seen.length - 1]
  function Probe({ url, options }: { url: Url; options?: UseLeaseOptions }): ReactNode {
    const result = useLease(url, options)
    seen.push({ ...result, url })
    return <p>{result.state}</p>
  }
  return { Probe, seen, last }
}

const tree = (pool: WebSocketPool, children: ReactNode) => (
  <StrictMode>
    <PoolProvider pool={pool}>{children}</PoolProvider>
  </StrictMode>
)

describe('useLease in React (Chromium, StrictMode)', () => {
  it('runs with the React this project runs (19; 18 in browser-react18)', () => {
    expect([version.split('.')[0], domVersion.split('.')[0]]).toEqual([inject('reactMajor'), inject('reactMajor')])
  })

  it('opens exactly one connection under StrictMode and holds none after unmount', async () => {
    quietConsole()
    const pool = newPool({ idleTimeout: 200 })
    const { Probe, last } = probe()
    const view = mount(tree(pool, <Probe url={`${server.url}/strict`} />))
    await eventually(() => expect(last().state).toBe('open'))
    expect(last().lease).not.toBeNull()
    expect(last().error).toBeNull()
    await delay(100) // a second connection, if any, would have arrived by now
    expect((await counts()).accepted).toBe(1)
    expect(pool.stats().totals).toMatchObject({ created: 1, active: 1, pending: 0 })

    view.unmount()
    expect(pool.stats().totals).toMatchObject({ active: 0, pending: 0 })
    expect(last().lease?.state).toBe('released')
    // released to the pool, which closes it once idle: none is left on the server
    await eventually(async () => expect((await counts()).open).toBe(0))
    expect((await counts()).accepted).toBe(1)
  })

  it('the lease works: messages reach the component, sends reach the server', async () => {
    quietConsole()
    const pool = newPool()
    const got: unknown[] = []
    function Echo(): ReactNode {
      const { lease } = useLease(`${server.url}/echo`)
      useEffect(() => lease?.on('message', (data) => got.push(data)), [lease])
      useEffect(() => lease?.send('hello'), [lease])
      return null
    }
    mount(tree(pool, <Echo />))
    await eventually(() => expect(got).toEqual(['hello']))
  })

  it('url null opens nothing; giving a URL later connects once', async () => {
    quietConsole()
    const pool = newPool()
    const { Probe, last } = probe()
    const view = mount(tree(pool, <Probe url={null} />))
    await delay(150)
    expect(last()).toMatchObject({ lease: null, state: 'idle', error: null })
    expect((await counts()).accepted).toBe(0)
    expect(pool.stats().totals.created).toBe(0)

    view.rerender(tree(pool, <Probe url={`${server.url}/later`} />))
    await eventually(() => expect(last().state).toBe('open'))
    view.rerender(tree(pool, <Probe url={null} />))
    expect(last()).toMatchObject({ lease: null, state: 'idle' })
    expect(pool.stats().totals.active).toBe(0)
    expect((await counts()).accepted).toBe(1)
  })

  it('switching url releases the old lease before the new one is acquired, and never renders the old lease for the new url', async () => {
    quietConsole()
    // maxPerHost 1: the new URL can only be served once the old lease is released (and its idle
    // connection closed to make room)
    const pool = newPool({ maxPerHost: 1 })
    const order: string[] = []
    pool.on('release', (e) => order.push(`release ${new URL(e.url).pathname}`))
    pool.on('acquire', (e) => order.push(`acquire ${new URL(e.url).pathname}`))
    pool.on('enqueue', (e) => order.push(`enqueue ${new URL(e.url).pathname}`))
    const { Probe, seen, last } = probe()
    const view = mount(tree(pool, <Probe url={`${server.url}/a`} />))
    await eventually(() => expect(last().state).toBe('open'))
    const first = last().lease!
    view.rerender(tree(pool, <Probe url={`${server.url}/b`} />))
    await eventually(() => expect(last().state).toBe('open'))
    expect(first.state).toBe('released')
    expect(last().lease!.url).toBe(`${server.url}/b`)
    // /b may queue a moment while the idle /a connection closes to make room: never before /a is released
    expect(order.filter((e) => !e.startsWith('enqueue'))).toEqual(['acquire /a', 'release /a', 'acquire /b'])
    expect(order.findIndex((e) => e.endsWith('/b'))).toBeGreaterThan(order.indexOf('release /a'))
    for (const r of seen) if (r.lease) expect(r.lease.url).toBe(r.url)
    const c = await counts()
    expect(c.peak).toBe(1)
    expect(c.accepted).toBe(2)
  })

  it('inline options with the same values do not re-acquire on re-render', async () => {
    quietConsole()
    const pool = newPool()
    const { Probe, last } = probe()
    const url = `${server.url}/inline`
    const view = mount(tree(pool, <Probe url={url} options={{ protocols: ['p1', 'p2'], priority: 1 }} />))
    await eventually(() => expect(last().state).toBe('open'))
    const lease = last().lease
    for (let i = 0; i < 3; i++) view.rerender(tree(pool, <Probe url={url} options={{ priority: 1, protocols: ['p1', 'p2'] }} />))
    await delay(50)
    expect(last().lease).toBe(lease)
    expect(lease!.protocol).toBe('p1')
    expect(pool.stats().totals.acquireWait.count).toBe(1)
  })

  it('unmounting while the acquire is queued takes it out of the queue', async () => {
    quietConsole()
    const pool = newPool({ maxPerHost: 1 })
    const url = `${server.url}/queued`
    const holder = await pool.acquire(url)
    const { Probe, last } = probe()
    const view = mount(tree(pool, <Probe url={url} />))
    await eventually(() => expect(pool.stats().totals.pending).toBe(1))
    expect(last().state).toBe('connecting')
    view.unmount()
    await eventually(() => expect(pool.stats().totals.pending).toBe(0))
    holder.release()
    await delay(50)
    expect(pool.stats().totals).toMatchObject({ active: 0, idle: 1 })
  })

  it('follows the lease: reconnecting while the server is away, open again after', async () => {
    quietConsole()
    const pool = newPool({ reconnect: { initialDelay: 20, maxDelay: 50, jitter: 0 } })
    const { Probe, seen, last } = probe()
    mount(tree(pool, <Probe url={`${server.url}/drops`} />))
    await eventually(() => expect(last().state).toBe('open'))
    const lease = last().lease
    await control('POST', 'outage?ms=300')
    await eventually(() => expect(last().state).toBe('reconnecting'))
    expect(last().lease).toBe(lease)
    await eventually(() => expect(last().state).toBe('open'))
    expect(last().error).toBeNull()
    expect(seen.map((r) => r.state)).toContain('reconnecting')
  })

  it("a connection closed for good shows 'closed' and keeps the lease", async () => {
    quietConsole()
    const pool = newPool()
    const { Probe, last } = probe()
    // 1008 is terminal for the default reconnect policy; the server closes after one message
    mount(tree(pool, <Probe url={`${server.url}/close?code=1008&reason=policy&after=1`} />))
    await eventually(() => expect(last().state).toBe('open'))
    last().lease!.send('bye')
    await eventually(() => expect(last().state).toBe('closed'))
    expect(last().lease).not.toBeNull()
  })
})

describe('useLease with bad input', () => {
  const bad: [string, Url, UseLeaseOptions | undefined, string][] = [
    ['an http: URL', 'http://127.0.0.1/x', undefined, 'ERR_INVALID_URL'],
    ['a malformed URL', 'ws://', undefined, 'ERR_INVALID_URL'],
    ['a negative timeout (inline object, new each render)', `${server.url}/bad`, { timeout: -1 }, 'ERR_INVALID_ARGUMENT'],
    ['an unknown option', `${server.url}/bad`, { timout: 5 } as UseLeaseOptions, 'ERR_INVALID_ARGUMENT'],
    ['an empty replica list', [], undefined, 'ERR_INVALID_ARGUMENT'],
  ]
  it.each(bad)('%s: error is a PoolError, state closed, no throw, no render loop, nothing opened', async (_name, url, options, code) => {
    quietConsole()
    const pool = newPool()
    let renders = 0
    function Bad(): ReactNode {
      renders++
      const result = useLease(url, options ? { ...options } : undefined)
      return <p>{`${result.state} ${result.error ? (result.error as PoolError).code : ''}`}</p>
    }
    const view = mount(tree(pool, <Bad />))
    await eventually(() => expect(view.container.textContent).toBe(`closed ${code}`))
    const settled = renders
    await delay(150)
    expect(renders).toBe(settled) // no loop
    expect(renders).toBeLessThanOrEqual(6) // StrictMode renders twice: mount, and the error
    view.rerender(tree(pool, <Bad />)) // a parent re-render with equal (invalid) arguments
    await delay(50)
    expect(view.container.textContent).toBe(`closed ${code}`)
    expect((await counts()).accepted).toBe(0)
  })

  it('the error is a PoolError instance with a message naming the problem', async () => {
    quietConsole()
    const pool = newPool()
    const { Probe, last } = probe()
    mount(tree(pool, <Probe url="https://127.0.0.1/x" />))
    await eventually(() => expect(last().state).toBe('closed'))
    expect(last().error).toBeInstanceOf(PoolError)
    expect(last().error!.message).toMatch(/ws/)
  })
})

describe('PoolProvider, usePool and the default pool', () => {
  it('usePool gives the provider pool; without a provider, one default pool shared by every component, used by useLease', async () => {
    quietConsole()
    const pool = newPool()
    const got: (WebSocketPool | null)[] = []
    const leases: (Lease | null)[] = []
    function Who(): ReactNode {
      got.push(usePool())
      return null
    }
    function Holder(): ReactNode {
      const { lease } = useLease(`${server.url}/default`)
      leases.push(lease)
      return null
    }
    mount(tree(pool, <Who />))
    expect(got.every((p) => p === pool)).toBe(true)

    got.length = 0
    mount(
      <StrictMode>
        <Who />
        <Who />
        <Holder />
      </StrictMode>,
    )
    const fallback = got[0]!
    await act(async () => {})
    expect(fallback).not.toBe(pool)
    expect(got.every((p) => p === fallback)).toBe(true)
    await eventually(() => expect(leases[leases.length - 1]).not.toBeNull())
    expect(fallback.stats().totals).toMatchObject({ created: 1, active: 1 })
    expect(pool.stats().totals.created).toBe(0)
    expect((await counts()).accepted).toBe(1)
    await act(async () => {
      await fallback.close() // the default pool lives as long as the page; close it for the next tests
    })
  })
})
