/**
 * Cross-tab pools (issue 11), the protocol between tabs and the host that holds the connections,
 * against the real test server: tabs and hosts talk over real BroadcastChannels (see
 * test/helpers/cross-tab.ts). The browser transports (SharedWorker, Web Locks) are covered by
 * e2e/cross-tab.spec.ts.
 */
import { describe, expect, it } from 'vitest'
import { createPool, createSharedPool, PoolError, sharedPoolState, WebSocketPool, type Lease } from '../../src/index.js'
import { channelName, openTab, startHost } from '../helpers/cross-tab.js'
import { delay, eventually, startServer } from '../helpers/harness.js'

describe('tabs sharing one host', () => {
  it('three tabs acquiring and sending: the server sees one connection set within the cap, every message once and in order per lease', async () => {
    const server = await startServer()
    const name = channelName()
    startHost(name, { maxPerHost: 2 })
    const tabs = [openTab(name, { maxPerHost: 2 }), openTab(name, { maxPerHost: 2 }), openTab(name, { maxPerHost: 2 })]
    const rounds = await Promise.all(tabs.map(async (tab, t) => {
      const sent: Record<string, string[]> = {}
      for (let k = 0; k < 4; k++) {
        const tag = `t${t}k${k}`
        const lease = await tab.acquire(`${server.url}/log?tag=${tag}`)
        sent[tag] = Array.from({ length: 20 }, (_, i) => `${tag}-${i}`)
        for (const m of sent[tag]) lease.send(m)
        await eventually(() => expect(server.log(tag)).toHaveLength(20))
        lease.release()
      }
      return sent
    }))
    for (const sent of rounds) for (const [tag, msgs] of Object.entries(sent)) expect(server.log(tag)).toEqual(msgs)
    expect(server.counts().peak).toBeLessThanOrEqual(2)
  })

  it('lease events reach the tab that holds the lease; pool events and stats reach every tab', async () => {
    const server = await startServer()
    const name = channelName()
    startHost(name)
    const a = openTab(name)
    const b = openTab(name)
    const seenByB: string[] = []
    b.on('acquire', (e) => void seenByB.push(e.url))
    const lease = await a.acquire(`${server.url}/echo`)
    const echoed = new Promise((resolve) => lease.on('message', resolve))
    lease.send('hello')
    expect(await echoed).toBe('hello')
    await eventually(() => expect(seenByB).toEqual([`${server.url}/echo`]))
    await eventually(() => expect(b.stats().totals).toMatchObject({ active: 1, open: 1 }))
    expect(lease.state).toBe('open')
    expect(lease.id).toBeGreaterThan(0)
    lease.release()
    await eventually(() => expect(b.stats().totals).toMatchObject({ active: 0, idle: 1 }))
  })

  it('requests from a tab are answered through the host; a payload that cannot be cloned rejects ERR_INVALID_ARGUMENT', async () => {
    const server = await startServer()
    const name = channelName()
    startHost(name)
    const tab = openTab(name)
    expect(await tab.request(`${server.url}/rpc`, { n: 1 })).toEqual({ n: 1 })
    const err = await tab.request(`${server.url}/rpc`, { f: () => 1 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PoolError)
    expect((err as PoolError).code).toBe('ERR_INVALID_ARGUMENT')
  })

  it('errors cross as PoolErrors with their code and details', async () => {
    const server = await startServer()
    const name = channelName()
    startHost(name, { maxPerHost: 1, acquireTimeout: 200 })
    const tab = openTab(name, { maxPerHost: 1, acquireTimeout: 200 })
    const held = await tab.acquire(`${server.url}/echo`)
    const err = await tab.acquire(`${server.url}/echo`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PoolError)
    expect(err).toMatchObject({ code: 'ERR_ACQUIRE_TIMEOUT', origin: server.url })
    held.release()
  })

  it('an aborted acquire rejects with the signal reason and the host gives up the operation', async () => {
    const server = await startServer()
    const name = channelName()
    const { pool: hostPool } = startHost(name, { maxPerHost: 1 })
    const tab = openTab(name, { maxPerHost: 1 })
    const held = await tab.acquire(`${server.url}/echo`)
    const ac = new AbortController()
    const waiting = tab.acquire(`${server.url}/echo`, { signal: ac.signal })
    await eventually(() => expect(hostPool.stats().totals.pending).toBe(1))
    ac.abort(new Error('changed my mind'))
    await expect(waiting).rejects.toThrow('changed my mind')
    await eventually(() => expect(hostPool.stats().totals.pending).toBe(0))
    held.release()
  })

  it('a tab that closes its pool gives its leases back at once', async () => {
    const server = await startServer()
    const name = channelName()
    const { pool: hostPool } = startHost(name)
    const tab = openTab(name)
    await tab.acquire(`${server.url}/echo`)
    await eventually(() => expect(hostPool.stats().totals.active).toBe(1))
    await tab.close()
    await eventually(() => expect(hostPool.stats().totals.active).toBe(0))
  })

  it('a tab that falls silent (frozen, crashed) loses its leases after the host`s client timeout', async () => {
    const server = await startServer()
    const name = channelName()
    const { pool: hostPool } = startHost(name, {}, { clientTimeout: 300 })
    const tab = openTab(name)
    await tab.acquire(`${server.url}/echo`)
    await eventually(() => expect(hostPool.stats().totals.active).toBe(1))
    // Its pings come every 5 s: longer than the 300 ms timeout here.
    await eventually(() => expect(hostPool.stats().totals.active).toBe(0), 3000)
  })
})

describe('hand-over to a new host', () => {
  it('the leader dies mid-stream: leases see reconnecting then open, and every message arrives (in order)', async () => {
    const server = await startServer()
    const name = channelName()
    const first = startHost(name)
    const tab = openTab(name)
    const lease = await tab.acquire(`${server.url}/log?tag=ho`)
    const states: string[] = []
    lease.on('reconnecting', () => void states.push('reconnecting'))
    lease.on('open', () => void states.push('open'))
    const sent: string[] = []
    for (let i = 0; i < 10; i++) {
      sent.push(`m${i}`)
      lease.send(`m${i}`)
    }
    await eventually(() => expect(server.log('ho')).toHaveLength(10))
    await first.crash()
    for (let i = 10; i < 20; i++) {
      sent.push(`m${i}`)
      lease.send(`m${i}`)
    }
    startHost(name)
    await eventually(() => expect(states).toEqual(['reconnecting', 'open']))
    expect(lease.state).toBe('open')
    await eventually(() => expect(server.log('ho')).toEqual(sent))
  })

  it('acquires under way are asked again of the new host; non-idempotent requests under way reject ERR_CONNECTION_LOST, idempotent ones are sent again', async () => {
    const server = await startServer()
    const name = channelName()
    const first = startHost(name, { maxPerHost: 1 })
    const tab = openTab(name, { maxPerHost: 1 })
    const held = await tab.acquire(`${server.url}/echo`)
    const queued = tab.acquire(`${server.url}/log?tag=q`)
    const lost = tab.request(`${server.url}/rpc?delay=400`, 1)
    const again = tab.request(`${server.url}/rpc?delay=400`, 2, { idempotent: true })
    await delay(50)
    await first.crash()
    startHost(name, { maxPerHost: 1 })
    await expect(lost).rejects.toMatchObject({ code: 'ERR_CONNECTION_LOST' })
    held.release()
    const lease = await queued
    expect(lease.state).toBe('open')
    lease.release()
    expect(await again).toBe(2)
  })

  it('a host that never answers: acquires reject at their deadline instead of hanging', async () => {
    const name = channelName()
    const { mute } = startHost(name)
    const tab = openTab(name, { acquireTimeout: 300 })
    await delay(50)
    mute()
    const err = await tab.acquire('ws://127.0.0.1:9/none').catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_ACQUIRE_TIMEOUT' })
  })
})

describe('createSharedPool', () => {
  it('is a plain pool where neither SharedWorker nor Web Locks exist (Node)', async () => {
    const server = await startServer()
    const pool = createSharedPool({ name: 'app', maxPerHost: 2 })
    expect(pool).toBeInstanceOf(WebSocketPool)
    expect(sharedPoolState(pool)).toBeNull()
    const plain = createPool()
    expect(sharedPoolState(plain)).toBeNull()
    await plain.close()
    const lease: Lease = await pool.acquire(`${server.url}/echo`)
    expect(lease.state).toBe('open')
    lease.release()
    await pool.close()
  })

  it.each([
    ['name', ''],
    ['name', 5],
    ['worker', 5],
    ['worker', {}],
  ])('rejects %s: %s with ERR_INVALID_OPTION naming it', (key, value) => {
    const err = (() => {
      try {
        createSharedPool({ [key]: value } as never)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(PoolError)
    expect(err).toMatchObject({ code: 'ERR_INVALID_OPTION' })
    expect((err as Error).message).toContain(`\`${key}\``)
  })

  it('still validates the pool options (unknown keys included)', () => {
    expect(() => createSharedPool({ maxPerHots: 2 } as never)).toThrow(/maxPerHots/)
  })
})
