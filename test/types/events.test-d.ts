/**
 * Type tests for the pool's event map and the lease (issue 2, item 8: "payloads typed by an
 * event map"). Checked by tsc through Vitest's typecheck mode (integration project).
 */
import { describe, expectTypeOf, it } from 'vitest'
import { createPool } from '../../src/index.js'

const pool = createPool()
type Lease = Awaited<ReturnType<typeof pool.acquire>>

describe('pool events', () => {
  it('every payload carries origin; connection events carry id and url', () => {
    pool.on('connect', (e) => {
      expectTypeOf(e.origin).toEqualTypeOf<string>()
      expectTypeOf(e.id).toEqualTypeOf<number>()
      expectTypeOf(e.url).toEqualTypeOf<string>()
    })
    pool.on('open', (e) => {
      expectTypeOf(e.origin).toEqualTypeOf<string>()
      expectTypeOf(e.id).toEqualTypeOf<number>()
      expectTypeOf(e.url).toEqualTypeOf<string>()
    })
    pool.on('close', (e) => {
      expectTypeOf(e.origin).toEqualTypeOf<string>()
      expectTypeOf(e.id).toEqualTypeOf<number>()
    })
    pool.on('reconnecting', (e) => {
      expectTypeOf(e.id).toEqualTypeOf<number>()
      expectTypeOf(e.attempt).toEqualTypeOf<number>()
      expectTypeOf(e.delay).toEqualTypeOf<number>()
    })
    pool.on('acquire', (e) => expectTypeOf(e.id).toEqualTypeOf<number>())
    pool.on('release', (e) => expectTypeOf(e.id).toEqualTypeOf<number>())
    pool.on('enqueue', (e) => expectTypeOf(e.origin).toEqualTypeOf<string>())
    pool.on('timeout', (e) => expectTypeOf(e.origin).toEqualTypeOf<string>())
  })

  it('error: { origin, id?, url, error, attempt? }', () => {
    pool.on('error', (e) => {
      expectTypeOf(e.origin).toEqualTypeOf<string>()
      expectTypeOf(e.url).toEqualTypeOf<string>()
      expectTypeOf(e.error).toExtend<Error>()
      expectTypeOf(e.id).toEqualTypeOf<number | undefined>()
      expectTypeOf(e.attempt).toEqualTypeOf<number | undefined>()
    })
  })

  it('evict carries a reason from the SPEC list', () => {
    pool.on('evict', (e) => {
      expectTypeOf(e.reason).toEqualTypeOf<'idle' | 'lifetime' | 'uses' | 'capacity' | 'resize' | 'heartbeat'>()
      expectTypeOf(e.id).toEqualTypeOf<number>()
    })
  })

  it('drop is { origin, id, url, count, bytes, reason }', () => {
    pool.on('drop', (e) => {
      expectTypeOf(e.origin).toEqualTypeOf<string>()
      expectTypeOf(e.id).toEqualTypeOf<number>()
      expectTypeOf(e.url).toEqualTypeOf<string>()
      expectTypeOf(e.count).toEqualTypeOf<number>()
      expectTypeOf(e.bytes).toEqualTypeOf<number>()
      expectTypeOf(e.reason).toEqualTypeOf<'gave-up' | 'released' | 'destroyed' | 'closed'>()
    })
  })

  it('on returns an unsubscribe function; off and once exist', () => {
    const off = pool.on('open', () => {})
    expectTypeOf(off).toEqualTypeOf<() => void>()
    expectTypeOf(pool.once).toBeFunction()
    expectTypeOf(pool.off).toBeFunction()
  })

  it('unknown event names and wrong payload use do not compile', () => {
    // @ts-expect-error: not a pool event
    pool.on('opened', () => {})
    pool.on('drop', (e) => {
      // @ts-expect-error: count is a number
      const s: string = e.count
      void s
    })
  })
})

describe('lease', () => {
  it('has the SPEC members', () => {
    expectTypeOf<Lease['id']>().toEqualTypeOf<number>()
    expectTypeOf<Lease['url']>().toEqualTypeOf<string>()
    expectTypeOf<Lease['origin']>().toEqualTypeOf<string>()
    expectTypeOf<Lease['protocol']>().toEqualTypeOf<string>()
    expectTypeOf<Lease['bufferedAmount']>().toEqualTypeOf<number>()
    expectTypeOf<Lease['state']>().toEqualTypeOf<'connecting' | 'open' | 'reconnecting' | 'closed' | 'released'>()
    expectTypeOf<Lease['release']>().toEqualTypeOf<() => void>()
    expectTypeOf<Lease[typeof Symbol.dispose]>().toEqualTypeOf<() => void>()
  })

  it('send takes text and binary', () => {
    const lease = {} as Lease
    expectTypeOf(lease.send).toBeCallableWith('text')
    expectTypeOf(lease.send).toBeCallableWith(new Uint8Array(1))
    expectTypeOf(lease.send).toBeCallableWith(new ArrayBuffer(1))
    // @ts-expect-error: not sendable
    lease.send(42)
  })

  it('lease events: message, open, close, reconnecting, error', () => {
    const lease = {} as Lease
    lease.on('message', () => {})
    lease.on('open', () => {})
    lease.on('close', () => {})
    lease.on('reconnecting', () => {})
    lease.on('error', () => {})
    // @ts-expect-error: not a lease event
    lease.on('drop', () => {})
  })
})

describe('pool', () => {
  it('acquire, send, stats, drain, close, resize, asyncDispose', () => {
    expectTypeOf(pool.acquire).toBeCallableWith('wss://a.example', { priority: 1, timeout: 5, signal: AbortSignal.abort() })
    expectTypeOf(pool.acquire).returns.resolves.toHaveProperty('release')
    expectTypeOf(pool.send).returns.toEqualTypeOf<Promise<void>>()
    expectTypeOf(pool.close).returns.toEqualTypeOf<Promise<void>>()
    expectTypeOf(pool.drain).returns.toEqualTypeOf<Promise<void>>()
    expectTypeOf(pool.resize).toBeCallableWith({ maxPerHost: 2, maxTotal: 10, minIdlePerHost: 1 })
    expectTypeOf(pool[Symbol.asyncDispose]).returns.toEqualTypeOf<Promise<void>>()
  })
})
