/**
 * Issue 7: listeners that call back into the pool (release, destroy, close) from inside the
 * pool's own transitions. Bugs 1, 2 and 7 of the issue; these tests fail on the code at the time
 * they were written, by design, and pass once the pool behaves as SPEC "Precise semantics" says
 * ("Leases", "Counting toward caps", "Events", "Lifecycle").
 */
import { describe, expect, it } from 'vitest'
import { runChild } from '../helpers/child.js'
import {
  closedPort,
  delay,
  eventually,
  newPool,
  nextEvent,
  recordEvents,
  rejectionOf,
  startServer,
  stateOf,
  type Pool,
  type Recorded,
} from '../helpers/harness.js'
import { guardedPool, rawSockets, watchGauges } from '../helpers/sockets.js'
import type { TestServer } from '../server/test-server.js'

/** Per connection id: how many `close` events with `willReconnect: false` it had. */
function finalCloses(events: Recorded[]): Map<number, number> {
  const ids = new Map<number, number>()
  for (const e of events) if (e.type === 'connect') ids.set(e.payload.id, 0)
  for (const e of events) if (e.type === 'close' && !e.payload.willReconnect) ids.set(e.payload.id, (ids.get(e.payload.id) ?? 0) + 1)
  return ids
}

/** Events about connection `id` after its final close (there should be none). */
function afterFinalClose(events: Recorded[], id: number): string[] {
  const i = events.findIndex((e) => e.type === 'close' && e.payload.id === id && !e.payload.willReconnect)
  return i < 0 ? [] : events.slice(i + 1).filter((e) => e.payload?.id === id).map((e) => e.type)
}

describe('bug 1: a lease listener that calls release() while its connection is down', () => {
  for (const variant of ['reconnecting', 'error'] as const) {
    it(`release() in a lease '${variant}' listener closes that connection: no ghost socket, the queued acquires are served one at a time`, async () => {
      const server = await startServer()
      const sockets = rawSockets()
      const pool = newPool({
        maxPerHost: 1,
        breaker: false,
        reconnect: { initialDelay: 20, maxDelay: 20, jitter: 0 },
        WebSocket: sockets.WebSocket,
      })
      const violations = watchGauges(pool, 1)
      const url = `${server.url}/echo`
      const lease = await pool.acquire(url)
      const firstId = lease.id
      const served: string[] = []
      const q1 = pool.acquire(url).then((l) => (served.push('q1'), l))
      const q2 = pool.acquire(url).then((l) => (served.push('q2'), l))
      for (const q of [q1, q2]) q.catch(() => {}) // pending when a failing test closes the pool
      await eventually(() => expect(pool.stats().totals.pending).toBe(2))

      let released = false
      lease.on(variant, () => {
        if (released) return
        released = true
        if (variant === 'error') server.setRefuse(false)
        lease.release()
      })
      // 'error': the drop is followed by a refused reconnect attempt, whose error the listener hears.
      if (variant === 'error') server.setRefuse(true)
      server.dropAll()
      await eventually(() => expect(released).toBe(true))

      const first = await q1
      expect(first.id).not.toBe(firstId)
      expect(first.state).toBe('open')
      // A ghost of the released connection would have reconnected by now (20 ms backoff) for q2.
      await delay(150)
      expect(server.counts(), 'the server sees one live socket at most').toMatchObject({ open: 1, peak: 1 })
      expect(sockets.peak(), 'the client never has two live sockets').toBe(1)
      expect(pool.stats().totals).toMatchObject({ connections: 1, open: 1, active: 1, pending: 1 })
      expect(await stateOf(q2), 'q2 waits: q1 holds the only slot').toBe('pending')

      first.release()
      const second = await q2
      expect(second.id).not.toBe(firstId)
      expect(second.state).toBe('open')
      expect(served).toEqual(['q1', 'q2'])
      expect(sockets.peak()).toBe(1)

      await pool.close()
      expect(sockets.live()).toBe(0)
      await eventually(() => expect(server.counts().open).toBe(0))
      expect(violations.slice(0, 5)).toEqual([])
    })
  }
})

/**
 * Bug 2 setup: lease A on a connection that dropped and waits out a long backoff (no socket),
 * and lease B on an open connection created after A (so the pool closes A first).
 */
async function reconnectingAndOpen(server: TestServer) {
  const sockets = rawSockets()
  const pool = guardedPool({
    breaker: false,
    reconnect: { initialDelay: 60_000, maxDelay: 60_000, jitter: 0 },
    WebSocket: sockets.WebSocket,
  })
  const events = recordEvents(pool)
  const violations = watchGauges(pool)
  const a = await pool.acquire(`${server.url}/close?code=4000&after=1`)
  // B opens before A drops: an open after the drop would make A retry at once ("server is back").
  const b = await pool.acquire(`${server.url}/echo`)
  const reconnecting = nextEvent(a, 'reconnecting')
  a.send('bye')
  await reconnecting
  expect(pool.stats().totals).toMatchObject({ connections: 2, open: 1, reconnecting: 1, active: 2 })
  return { pool, sockets, events, violations, a, b }
}

/** close() and, at the moment it resolves, the number of the client's live sockets. */
async function closeAndCount(pool: Pool, live: () => number, closing = pool.close()): Promise<number> {
  let atResolve = -1
  await closing.then(() => (atResolve = live()))
  return atResolve
}

async function expectCountedOnce(pool: Pool, events: Recorded[], violations: string[], server: TestServer): Promise<void> {
  await eventually(() => expect(server.counts().open).toBe(0))
  await delay(50) // any late second count-out would have happened by now
  const t = pool.stats().totals
  expect({ closed: t.closed, connections: t.connections, open: t.open, reconnecting: t.reconnecting, active: t.active }).toEqual({
    closed: t.created, connections: 0, open: 0, reconnecting: 0, active: 0,
  })
  for (const [id, n] of finalCloses(events)) expect({ id, finalCloses: n }).toEqual({ id, finalCloses: 1 })
  expect(violations.slice(0, 5)).toEqual([])
}

describe('bug 2: a pool close listener that re-enters the closing path', () => {
  it('lease.release() in a close listener during pool.close(): counted out once, close() resolves with no socket left', async () => {
    const server = await startServer()
    const { pool, sockets, events, violations, a } = await reconnectingAndOpen(server)
    pool.on('close', (e) => {
      if (e.id === a.id && !e.willReconnect) a.release()
    })
    expect(await closeAndCount(pool, sockets.live), 'client sockets live when close() resolved').toBe(0)
    await expectCountedOnce(pool, events, violations, server)
  })

  it('lease.destroy() in a close listener during pool.close(): counted out once, close() resolves with no socket left', async () => {
    const server = await startServer()
    const { pool, sockets, events, violations, a } = await reconnectingAndOpen(server)
    pool.on('close', (e) => {
      if (e.id === a.id && !e.willReconnect) a.destroy()
    })
    expect(await closeAndCount(pool, sockets.live), 'client sockets live when close() resolved').toBe(0)
    await expectCountedOnce(pool, events, violations, server)
  })

  it('pool.close() in a close listener (the final close of a released lease): counted out once, close() resolves with no socket left', async () => {
    const server = await startServer()
    const { pool, sockets, events, violations, a } = await reconnectingAndOpen(server)
    let closing: Promise<void> | undefined
    pool.on('close', (e) => {
      if (e.id === a.id && !e.willReconnect) closing ??= pool.close()
    })
    a.release() // its connection is not open: release closes it
    expect(closing).toBeDefined()
    expect(await closeAndCount(pool, sockets.live, closing), 'client sockets live when close() resolved').toBe(0)
    await expectCountedOnce(pool, events, violations, server)
  })

  for (const action of ['destroy', 'close'] as const) {
    it(`${action === 'close' ? 'pool.close()' : 'lease.destroy()'} in a close listener hearing a drop (willReconnect: true): no retry after the final close, counted out once`, async () => {
      const server = await startServer()
      const sockets = rawSockets()
      const pool = guardedPool({ breaker: false, reconnect: { initialDelay: 20, maxDelay: 20, jitter: 0 }, WebSocket: sockets.WebSocket })
      const events = recordEvents(pool)
      const violations = watchGauges(pool)
      const lease = await pool.acquire(`${server.url}/close?code=4000&after=1`)
      let closing: Promise<void> | undefined
      pool.on('close', (e) => {
        if (!e.willReconnect) return
        if (action === 'destroy') lease.destroy()
        else closing ??= pool.close()
      })
      lease.send('bye')
      await eventually(() => expect(finalCloses(events).get(lease.id)).toBe(1))
      if (action === 'close') expect(await closeAndCount(pool, sockets.live, closing), 'client sockets live when close() resolved').toBe(0)
      await delay(100) // five backoff delays: a retry scheduled after the final close would have run
      expect(afterFinalClose(events, lease.id), 'events for the connection after its final close').toEqual([])
      expect(sockets.constructed()).toBe(1)
      await expectCountedOnce(pool, events, violations, server)
    })
  }
})

describe('bug 7: after close() resolves, nothing new is created', () => {
  it('a connect listener that calls pool.close(): no socket is constructed, then or later', async () => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = newPool({ breaker: false, WebSocket: sockets.WebSocket })
    pool.on('connect', () => void pool.close())
    const acquiring = rejectionOf(pool.acquire(`${server.url}/echo`))
    await pool.close()
    expect(sockets.live(), 'client sockets live after close() resolved').toBe(0)
    const constructed = sockets.constructed()
    await delay(200)
    expect(sockets.constructed()).toBe(constructed)
    expect(sockets.live()).toBe(0)
    expect(server.counts().accepted).toBe(0)
    expect((await acquiring).code).toBe('ERR_POOL_CLOSED')
  })

  it('a connect listener that calls pool.close() on a reconnect attempt: no socket is constructed after close()', async () => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = newPool({ breaker: false, reconnect: { initialDelay: 20, maxDelay: 20, jitter: 0 }, WebSocket: sockets.WebSocket })
    const lease = await pool.acquire(`${server.url}/echo`)
    let closing: Promise<void> | undefined
    pool.on('connect', () => void (closing ??= pool.close()))
    server.dropAll()
    await eventually(() => expect(closing).toBeDefined())
    await closing
    expect(sockets.live(), 'client sockets live after close() resolved').toBe(0)
    const constructed = sockets.constructed()
    await delay(200)
    expect(sockets.constructed()).toBe(constructed)
    expect(server.counts().open).toBe(0)
    expect(lease.state).toBe('closed')
  })

  async function runTimersChild(...args: string[]) {
    const { exited, output } = runChild('timers-child.ts', ...args)
    const exit = await Promise.race([exited, delay(15_000).then(() => 'still running' as const)])
    const { stdout, stderr } = output()
    expect(exit, `stdout: ${stdout}\nstderr: ${stderr}`).toEqual({ code: 0, signal: null })
    const line = stdout.split('\n').find((l) => l.startsWith('{'))
    expect(line, `stdout: ${stdout}\nstderr: ${stderr}`).toBeDefined()
    return JSON.parse(line!) as { pending: number; timers: string[] }
  }

  // One child process per case: it wraps setTimeout/clearTimeout before importing the pool and
  // counts the pool's own timers still pending (neither fired nor cleared) once close() resolved.
  it('an error listener that closes the pool on the failure that opens the circuit: no pool timer pending after close()', async () => {
    const port = await closedPort()
    const result = await runTimersChild('breaker', `ws://127.0.0.1:${port}/`)
    expect(result).toEqual({ pending: 0, timers: [] })
  }, 30_000)

  it('a connect listener that closes the pool: no pool timer pending after close()', async () => {
    const port = await closedPort()
    const result = await runTimersChild('connect', `ws://127.0.0.1:${port}/`)
    expect(result).toEqual({ pending: 0, timers: [] })
  }, 30_000)

  it('a reconnecting listener that closes the pool: no pool timer pending after close()', async () => {
    const server = await startServer()
    const result = await runTimersChild('reconnecting', `${server.url}/close?code=4000&after=1`)
    expect(result).toEqual({ pending: 0, timers: [] })
  }, 30_000)
})

