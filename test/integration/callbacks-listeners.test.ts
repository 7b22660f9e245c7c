/**
 * User code the pool calls on the receive path and around acquires: `heartbeat.isPong`, lease
 * `message` listeners, pool `open`/`acquire`/`release` listeners that call back into the pool,
 * and an acquire's `signal` (its `addEventListener`/`removeEventListener`). Whatever it does
 * (release, destroy, close the pool, throw, acquire again, resize), the pool stays consistent:
 * see `watchedPool().rest()` (STYLE principle 14; SPEC "Events", "Leases", "Heartbeat").
 */
import { describe, expect, it } from 'vitest'
import { PoolError } from '../../src/index.js'
import { delay, eventually, nextEvent, ofType, rejectionOf, startServer, stateOf, type Lease } from '../helpers/harness.js'
import { watchedPool } from '../helpers/callbacks.js'

/** A heartbeat that never probes within a test: only `isPong` matters. */
const QUIET = { interval: 60_000, timeout: 60_000, message: 'hb' }

/** Sends `m0`..`m{n-1}` at once to an echo lease: the echoes arrive in a burst. */
function burst(lease: Lease, n: number): string[] {
  const sent = Array.from({ length: n }, (_, i) => `m${i}`)
  for (const m of sent) lease.send(m)
  return sent
}

describe('heartbeat.isPong', () => {
  it('(a) that throws: an error event with a PoolError (cause: the thrown value); the message is handled as not-a-pong', async () => {
    const server = await startServer()
    const thrown = new Error('isPong bug')
    const w = watchedPool(server, { heartbeat: { ...QUIET, isPong: (d) => { if (d === 'boom') throw thrown; return d === 'hb' } } })
    const lease = await w.pool.acquire(`${server.url}/echo`)
    const got: unknown[] = []
    const leaseErrors: unknown[] = []
    lease.on('message', (m) => void got.push(m))
    lease.on('error', (e) => void leaseErrors.push(e))
    for (const m of ['before', 'boom', 'after']) lease.send(m)
    await eventually(() => expect(got).toEqual(['before', 'boom', 'after']))
    const errors = ofType(w.events, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0].error).toBeInstanceOf(PoolError)
    expect(errors[0].error.cause).toBe(thrown)
    expect(leaseErrors).toEqual([errors[0].error])
    expect(w.pool.stats().hosts[server.url]).toMatchObject({ messagesIn: 3, messagesOut: 3 })
    expect(lease.state).toBe('open')
    lease.release()
    await w.rest()
  })

  for (const action of ['release', 'destroy', 'close'] as const) {
    it(`(b) that calls ${action === 'close' ? 'pool.close()' : `lease.${action}()`}: no message reaches the lease after it, nothing left`, async () => {
      const server = await startServer()
      let lease: Lease | undefined
      let closing: Promise<void> | undefined
      const w = watchedPool(server, {
        heartbeat: {
          ...QUIET,
          isPong: (d) => {
            if (d === 'm2') {
              if (action === 'close') closing ??= w.pool.close()
              else lease![action]()
            }
            return d === 'hb'
          },
        },
      })
      lease = await w.pool.acquire(`${server.url}/echo`)
      const got: unknown[] = []
      lease.on('message', (m) => void got.push(m))
      burst(lease, 6)
      await eventually(() => expect(got.length).toBeGreaterThanOrEqual(2))
      await delay(50)
      expect(got, 'messages delivered to the lease').toEqual(['m0', 'm1'])
      expect(lease.state).toBe(action === 'release' ? 'released' : 'closed')
      if (action === 'release') {
        expect(w.pool.stats().totals).toMatchObject({ active: 0, idle: 1, open: 1 })
        const again = await w.pool.acquire(`${server.url}/echo`)
        expect(again.id).toBe(lease.id)
        again.release()
      }
      await w.rest(closing)
    })
  }
})

describe("a lease 'message' listener, while more messages are arriving", () => {
  for (const action of ['close', 'destroy', 'release'] as const) {
    it(`that calls ${action === 'close' ? 'pool.close()' : `lease.${action}()`}: nothing is delivered after it, nothing left`, async () => {
      const server = await startServer()
      const w = watchedPool(server)
      const lease = await w.pool.acquire(`${server.url}/echo`)
      const got: unknown[] = []
      const closes: unknown[] = []
      let closing: Promise<void> | undefined
      lease.on('close', (e) => void closes.push(e))
      lease.on('message', (m) => {
        got.push(m)
        if (m !== 'm2') return
        if (action === 'close') closing ??= w.pool.close()
        else lease[action]()
      })
      burst(lease, 10)
      await eventually(() => expect(got.length).toBeGreaterThanOrEqual(3))
      await delay(50)
      expect(got).toEqual(['m0', 'm1', 'm2'])
      if (action === 'close') await closing
      expect(lease.state).toBe(action === 'release' ? 'released' : 'closed')
      expect(closes).toHaveLength(action === 'release' ? 0 : 1)
      if (action !== 'close') {
        const again = await w.pool.acquire(`${server.url}/echo`)
        const echoed = nextEvent(again, 'message')
        again.send('still works')
        expect(await echoed).toBe('still works')
        again.release()
      }
      await w.rest(closing)
    })
  }

  it('that throws on every message: each error is reported, the other listener gets every message, the lease keeps working', async () => {
    const server = await startServer()
    const w = watchedPool(server)
    const lease = await w.pool.acquire(`${server.url}/echo`)
    const got: unknown[] = []
    lease.on('message', (m) => {
      throw new Error(`listener bug on ${String(m)}`)
    })
    lease.on('message', (m) => void got.push(m))
    const sent = burst(lease, 10)
    await eventually(() => expect(got).toEqual(sent))
    expect(w.reported.map((e) => (e as Error).message)).toEqual(sent.map((m) => `listener bug on ${m}`))
    expect(lease.state).toBe('open')
    expect(ofType(w.events, 'error')).toEqual([])
    lease.release()
    await w.rest()
  })
})

describe('pool listeners that call back into the pool', () => {
  it("an 'open' listener that calls pool.resize({ maxPerHost: 1 }): the opening ones serve their acquires, then one connection at a time", async () => {
    const server = await startServer()
    const w = watchedPool(server, { maxPerHost: 3 }, 3)
    let constructedAtResize = -1
    w.pool.once('open', () => {
      w.pool.resize({ maxPerHost: 1 })
      constructedAtResize = w.sockets.constructed()
    })
    const url = `${server.url}/echo`
    const served: number[] = []
    const acquires = [0, 1, 2, 3, 4].map((i) => w.pool.acquire(url).then((l) => (served.push(i), l)))
    const first = await Promise.all(acquires.slice(0, 3))
    expect(constructedAtResize).toBe(3)
    expect(await stateOf(acquires[3])).toBe('pending')
    expect(w.pool.stats().hosts[server.url]).toMatchObject({ max: 1, connections: 3, active: 3, pending: 2 })
    // Released while over the cap: closed, until one is left (the two closing still count
    // toward live but not toward "over"); that one serves the queue, one acquire at a time.
    for (const l of first) l.release()
    const third = await acquires[3]
    expect(third.id).toBe(first[2].id)
    expect(await stateOf(acquires[4])).toBe('pending')
    third.release()
    const last = await acquires[4]
    expect(last.id).toBe(first[2].id)
    expect(served.slice(3)).toEqual([3, 4])
    expect(ofType(w.events, 'evict').map((e) => e.reason)).toEqual(['resize', 'resize'])
    expect(w.sockets.constructed(), 'sockets made after the resize').toBe(3)
    await eventually(() => expect(w.pool.stats().hosts[server.url]).toMatchObject({ connections: 1, active: 1, pending: 0 }))
    last.release()
    await w.rest()
  })

  it("a 'release' listener that acquires again (a chain of five): each acquire settles once, on the same connection", async () => {
    const server = await startServer()
    const w = watchedPool(server, { maxPerHost: 1 }, 1)
    const url = `${server.url}/echo`
    const got: Lease[] = []
    let chain = 0
    w.pool.on('release', () => {
      if (++chain > 5) return
      void w.pool.acquire(url).then((l) => {
        got.push(l)
        l.release()
      })
    })
    const lease = await w.pool.acquire(url)
    lease.release()
    await eventually(() => expect(got).toHaveLength(5))
    await delay(20)
    expect(got).toHaveLength(5)
    expect(new Set(got.map((l) => l.id))).toEqual(new Set([lease.id]))
    expect(ofType(w.events, 'acquire')).toHaveLength(6)
    expect(ofType(w.events, 'release')).toHaveLength(6)
    expect(w.pool.stats().totals).toMatchObject({ created: 1, active: 0, idle: 1, pending: 0 })
    await w.rest()
  })

  it("an 'acquire' listener that acquires again: the nested acquire queues and is served on release", async () => {
    const server = await startServer()
    const w = watchedPool(server, { maxPerHost: 1 }, 1)
    const url = `${server.url}/echo`
    let nested: Promise<Lease> | undefined
    w.pool.once('acquire', () => void (nested = w.pool.acquire(url)))
    const lease = await w.pool.acquire(url)
    expect(nested).toBeDefined()
    expect(await stateOf(nested!)).toBe('pending')
    expect(ofType(w.events, 'enqueue')).toHaveLength(1)
    lease.release()
    const second = await nested!
    expect(second.id).toBe(lease.id)
    second.release()
    await w.rest()
  })

  it("an 'acquire' listener that releases another lease, and a 'release' listener that acquires while one is queued: no overtaking", async () => {
    const server = await startServer()
    const w = watchedPool(server, { maxPerHost: 1 }, 2) // two origins: 2 in total
    const url = `${server.url}/echo`
    const a = await w.pool.acquire(url)
    const order: string[] = []
    const q = w.pool.acquire(url).then((l) => (order.push('q'), l))
    let r: Promise<Lease> | undefined
    w.pool.once('release', () => void (r = w.pool.acquire(url).then((l) => (order.push('r'), l))))
    // The acquire event of a second origin's lease releases `a` from inside the listener.
    w.pool.once('acquire', () => a.release())
    const other = await w.pool.acquire(`ws://localhost:${server.port}/echo`)
    const ql = await q
    expect(r).toBeDefined()
    expect(await stateOf(r!)).toBe('pending')
    ql.release()
    const rl = await r!
    expect(order).toEqual(['q', 'r'])
    rl.release()
    other.release()
    await w.rest()
  })
})

describe("an acquire's signal (user code: addEventListener, removeEventListener)", () => {
  /** A real signal whose `method` runs `hook` first. */
  function hooked(method: 'addEventListener' | 'removeEventListener', hook: () => void): AbortSignal {
    const signal = new AbortController().signal
    const original = signal[method].bind(signal) as (type: string, fn: () => void, options?: unknown) => void
    Object.defineProperty(signal, method, { value: (type: string, fn: () => void, options?: unknown) => (hook(), original(type, fn, options)) })
    return signal
  }

  for (const queued of [false, true]) {
    it(`addEventListener that calls pool.close() (${queued ? 'queued' : 'first'} acquire): it rejects ERR_POOL_CLOSED, no socket after close()`, async () => {
      const server = await startServer()
      const w = watchedPool(server, { maxPerHost: 1 }, 1)
      const url = `${server.url}/echo`
      const held = queued ? await w.pool.acquire(url) : undefined
      const constructed = w.sockets.constructed()
      let closing: Promise<void> | undefined
      const signal = hooked('addEventListener', () => void (closing ??= w.pool.close()))
      const acquiring = w.pool.acquire(url, { signal })
      acquiring.catch(() => {})
      expect(closing).toBeDefined()
      expect(await stateOf(acquiring, 100)).toBe('rejected')
      expect((await rejectionOf(acquiring)).code).toBe('ERR_POOL_CLOSED')
      expect(w.sockets.constructed(), 'sockets constructed after close()').toBe(constructed)
      expect(held?.state ?? 'closed').toBe('closed')
      await w.rest(closing)
    })

    it(`addEventListener that throws (${queued ? 'queued' : 'first'} acquire): the acquire rejects once, nothing is left waiting`, async () => {
      const server = await startServer()
      const w = watchedPool(server, { maxPerHost: 1 }, 1)
      const url = `${server.url}/echo`
      const held = queued ? await w.pool.acquire(url) : undefined
      const thrown = new Error('addEventListener bug')
      const signal = hooked('addEventListener', () => {
        throw thrown
      })
      const err = await rejectionOf(w.pool.acquire(url, { signal, timeout: 150 }))
      expect(err === thrown || err.cause === thrown, String(err)).toBe(true)
      expect(w.pool.stats().totals.pending).toBe(0)
      held?.release()
      await delay(250) // past its deadline: a forgotten waiter would time out (or be served) now
      expect(ofType(w.events, 'timeout')).toEqual([])
      expect(w.pool.stats().totals).toMatchObject({ pending: 0, active: 0 })
      await w.rest()
    })
  }

  it('addEventListener that acquires the same origin (maxPerHost: 1): the cap holds, both are served in turn', async () => {
    const server = await startServer()
    const w = watchedPool(server, { maxPerHost: 1 }, 1)
    const url = `${server.url}/echo`
    let nested: Promise<Lease> | undefined
    const signal = hooked('addEventListener', () => void (nested ??= w.pool.acquire(url)))
    const outer = w.pool.acquire(url, { signal })
    expect(nested).toBeDefined()
    const tagged = [outer.then((l) => ({ which: 'outer', l })), nested!.then((l) => ({ which: 'nested', l }))]
    const first = await Promise.race(tagged)
    await delay(50)
    expect(w.sockets.peak(), 'client sockets live at once').toBe(1)
    expect(w.pool.stats().totals).toMatchObject({ connections: 1, active: 1, pending: 1 })
    first.l.release()
    const { l: second } = await tagged[first.which === 'outer' ? 1 : 0]
    expect(second.id).toBe(first.l.id)
    second.release()
    await w.rest()
  })

  it('removeEventListener that calls pool.close() as the acquire is granted: it does not resolve with a lease after close()', async () => {
    const server = await startServer()
    const w = watchedPool(server)
    let closing: Promise<void> | undefined
    let acquiresAtClose = -1
    const signal = hooked('removeEventListener', () => {
      if (closing) return
      closing = w.pool.close()
      acquiresAtClose = ofType(w.events, 'acquire').length
    })
    const outcome = await w.pool.acquire(`${server.url}/echo`, { signal }).then(
      (l) => `resolved, lease ${l.state}`,
      (e: PoolError) => e.code,
    )
    expect(closing).toBeDefined()
    expect(outcome).toBe('ERR_POOL_CLOSED')
    expect(ofType(w.events, 'acquire').length, 'acquire events after close()').toBe(acquiresAtClose)
    await w.rest(closing)
  })
})
