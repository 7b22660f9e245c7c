/**
 * Issue 7, bug 4: a message sent while the socket is CLOSING (the close was started from the
 * client side, the pool still thinks the connection open) must not vanish, go out under the next
 * holder, or be closed/evicted inside a buffer: it is delivered exactly once, or reported in a
 * `drop` event (SPEC "Lease", "Dropped messages", `pool.send`). These tests fail on the code at
 * the time they were written, by design.
 *
 * The CLOSING state is made through the pool's public `WebSocket` option: a `ws` subclass keeps a
 * handle on each raw socket and the test calls its `close()`; `ws` sets `readyState` to CLOSING
 * at once and emits `close` a few ms later, once the server answered.
 */
import { describe, expect, it } from 'vitest'
import WS from 'ws'
import { PoolError } from '../../src/index.js'
import { delay, eventually, nextEvent, ofType, recordEvents, startServer, utf8Bytes, type Lease } from '../helpers/harness.js'
import { prng } from '../helpers/prng.js'
import { guardedPool, rawSockets } from '../helpers/sockets.js'

const SETTLE = 100 // ms for a closing socket's close event and a 20 ms reconnect to have happened

describe('bug 4: sending while the socket is CLOSING', () => {
  it('(a) lease.send() while CLOSING, then release(): a drop event (released), the connection is not reused, the server never gets it', async () => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = guardedPool({ breaker: false, reconnect: { initialDelay: 20, maxDelay: 20, jitter: 0 }, WebSocket: sockets.WebSocket })
    const events = recordEvents(pool)
    const url = `${server.url}/log?tag=a`
    const lease = await pool.acquire(url)
    const id = lease.id
    const raw = sockets.all.at(-1)!
    raw.close()
    expect(raw.readyState).toBe(WS.CLOSING)
    const droppedBefore = pool.stats().totals.dropped
    lease.send('x')
    lease.release()
    const next = pool.acquire(url)
    await eventually(() =>
      expect(ofType(events, 'drop')).toEqual([expect.objectContaining({ id, reason: 'released', count: 1, bytes: utf8Bytes('x') })]),
    1000)
    expect(pool.stats().totals.dropped).toBe(droppedBefore + 1)
    const lease2 = await next
    expect(lease2.id).not.toBe(id)
    lease2.send('y')
    await eventually(() => expect(server.log('a')).toEqual(['y']), 1000)
    await delay(SETTLE)
    expect(server.log('a')).toEqual(['y'])
    lease2.release()
  })

  it('(b) pool.send() while the idle connection is CLOSING: it resolves and the server gets the message once, or it rejects and the message is in a drop event', async () => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = guardedPool({ breaker: false, reconnect: { initialDelay: 20, maxDelay: 20, jitter: 0 }, WebSocket: sockets.WebSocket })
    const events = recordEvents(pool)
    const url = `${server.url}/log?tag=b`
    const lease = await pool.acquire(url)
    lease.release()
    const raw = sockets.all.at(-1)!
    raw.close()
    expect(raw.readyState).toBe(WS.CLOSING)
    const outcome = await pool.send(url, 'x').then(
      () => 'resolved' as const,
      (error: unknown) => error,
    )
    const dropped = (): number => ofType(events, 'drop').reduce((n, d) => n + d.count, 0)
    if (outcome === 'resolved') {
      await eventually(() => expect(server.log('b'), 'pool.send resolved: the server must get the message').toEqual(['x']), 1000)
      await delay(SETTLE)
      expect(server.log('b')).toEqual(['x'])
      expect(dropped()).toBe(0)
    } else {
      expect(outcome).toBeInstanceOf(PoolError)
      await eventually(() => expect(dropped(), 'pool.send rejected: the message must be reported dropped').toBe(1), 1000)
      await delay(SETTLE)
      expect(server.log('b')).toEqual([])
    }
  })

  it('(c) a held lease that sends while CLOSING: delivered exactly once after the reconnect, in order with later messages', async () => {
    const server = await startServer()
    const sockets = rawSockets()
    const pool = guardedPool({ breaker: false, reconnect: { initialDelay: 20, maxDelay: 20, jitter: 0 }, WebSocket: sockets.WebSocket })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/log?tag=c`)
    lease.send('1')
    await eventually(() => expect(server.log('c')).toEqual(['1']))
    const raw = sockets.all.at(-1)!
    raw.close()
    expect(raw.readyState).toBe(WS.CLOSING)
    const reopened = nextEvent(lease, 'open', () => true, 2000)
    lease.send('2')
    lease.send('3')
    await reopened
    lease.send('4')
    await eventually(() => expect(server.log('c')).toEqual(['1', '2', '3', '4']), 1000)
    await delay(SETTLE)
    expect(server.log('c')).toEqual(['1', '2', '3', '4'])
    expect(ofType(events, 'drop')).toEqual([])
    expect(lease.id).toBe(ofType(events, 'open')[0].id)
    lease.release()
  })

  it('(d) seeded fault run: every accepted message reaches the server exactly once or is reported dropped; per-lease order holds', async () => {
    const SEED = 0x7a11
    const random = prng(SEED)
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]
    const server = await startServer()
    const sockets = rawSockets()
    const pool = guardedPool({
      maxPerHost: 4,
      breaker: false,
      acquireTimeout: 2000,
      reconnect: { initialDelay: 5, maxDelay: 20, jitter: 0.5 },
      WebSocket: sockets.WebSocket,
    })
    let dropped = 0
    pool.on('drop', (e) => void (dropped += e.count))
    const tags = ['t0', 't1', 't2']
    const accepted: string[] = [] // send() did not throw / pool.send resolved
    const rejectedPoolSends: string[] = []
    const leaseRuns: string[][] = [] // the accepted messages of each lease, in send order
    let running = true

    const worker = async (w: number): Promise<void> => {
      for (let i = 0; running; i++) {
        const url = `${server.url}/log?tag=${pick(tags)}`
        if (random() < 0.4) {
          const msg = `w${w}.${i}.p`
          try {
            await pool.send(url, msg)
            accepted.push(msg)
          } catch {
            rejectedPoolSends.push(msg)
          }
        } else {
          let lease: Lease
          try {
            lease = await pool.acquire(url)
          } catch {
            await delay(5)
            continue
          }
          const run: string[] = []
          const n = 1 + Math.floor(random() * 6)
          for (let j = 0; j < n; j++) {
            const msg = `w${w}.${i}.${j}`
            try {
              lease.send(msg)
              accepted.push(msg)
              run.push(msg)
            } catch {
              // ERR_LEASE_CLOSED / ERR_BUFFER_FULL: not accepted
            }
            if (random() < 0.5) await delay(Math.floor(random() * 3))
          }
          leaseRuns.push(run)
          lease.release()
        }
        await delay(Math.floor(random() * 3))
      }
    }
    const chaos = async (): Promise<number> => {
      let closes = 0
      while (running) {
        await delay(3 + Math.floor(random() * 15))
        const open = sockets.open()
        if (open.length === 0) continue
        pick(open).close() // a clean client-side close: nothing already written is lost in flight
        closes++
      }
      return closes
    }

    const workers = Array.from({ length: 6 }, (_, w) => worker(w))
    const chaosDone = chaos()
    await delay(2000)
    running = false
    await Promise.all(workers)
    const closes = await chaosDone
    await delay(SETTLE) // reconnects flush their buffers
    await pool.close() // what is still buffered is dropped (reason 'closed') and counted
    await eventually(() => expect(server.counts().open).toBe(0))

    const delivered = tags.flatMap((t) => server.log(t))
    const where = new Map<string, number>()
    const duplicates: string[] = []
    for (const t of tags) server.log(t).forEach((m, i) => (where.has(m) ? duplicates.push(m) : where.set(m, i)))
    const acceptedSet = new Set(accepted)
    const missing = accepted.filter((m) => !where.has(m))
    const unexpected = delivered.filter((m) => !acceptedSet.has(m))
    const outOfOrder = leaseRuns.filter((run) => {
      const positions = run.filter((m) => where.has(m)).map((m) => where.get(m)!)
      return positions.some((p, i) => i > 0 && p < positions[i - 1])
    })
    const summary = { seed: SEED, closes, accepted: accepted.length, delivered: delivered.length, dropped, missing: missing.length, rejectedPoolSends: rejectedPoolSends.length }
    expect(closes, JSON.stringify(summary)).toBeGreaterThan(20)
    expect(accepted.length, JSON.stringify(summary)).toBeGreaterThan(200)
    expect(duplicates, JSON.stringify(summary)).toEqual([])
    // Delivered messages are accepted ones (a rejected pool.send is never delivered).
    expect(unexpected, JSON.stringify(summary)).toEqual([])
    expect(outOfOrder.slice(0, 3), JSON.stringify(summary)).toEqual([])
    // delivered + dropped === accepted, except that a pool.send that rejected may have had its
    // message dropped (and reported) too: those drops are not among the accepted messages.
    expect(dropped, `every accepted, undelivered message is reported dropped: ${JSON.stringify(summary)}`).toBeGreaterThanOrEqual(missing.length)
    expect(dropped - missing.length, JSON.stringify(summary)).toBeLessThanOrEqual(rejectedPoolSends.length)
  })
})
