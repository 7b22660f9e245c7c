/**
 * Type tests for createPool options, stats and errors (issue 2, items 1 and 8).
 */
import { describe, expectTypeOf, it } from 'vitest'
import WS from 'ws'
import { createPool, defaultShouldReconnect, PoolError } from '../../src/index.js'

type Options = NonNullable<Parameters<typeof createPool>[0]>

describe('options', () => {
  it('accepts every issue-2 option of the SPEC table', () => {
    createPool({
      maxPerHost: 6,
      maxTotal: Infinity,
      minIdlePerHost: 0,
      maxQueue: Infinity,
      acquireTimeout: 10000,
      connectTimeout: 10000,
      idleTimeout: 30000,
      maxLifetime: Infinity,
      maxUses: Infinity,
      reconnect: {
        initialDelay: 500,
        factor: 2,
        maxDelay: 30000,
        jitter: 1,
        maxAttempts: Infinity,
        minUptime: 5000,
        shouldReconnect: (info) => {
          expectTypeOf(info.code).toEqualTypeOf<number>()
          expectTypeOf(info.reason).toEqualTypeOf<string>()
          expectTypeOf(info.wasClean).toEqualTypeOf<boolean>()
          expectTypeOf(info.attempt).toEqualTypeOf<number>()
          return defaultShouldReconnect(info)
        },
      },
      buffer: { maxMessages: 1000, maxBytes: 1048576 },
      protocols: ['a', 'b'],
      binaryType: 'arraybuffer',
      requireSecure: false,
      resolveUrl: async (url) => url,
      wsOptions: { headers: { a: 'b' } },
    })
    createPool({ reconnect: false })
    createPool({ reconnect: true })
    createPool({ protocols: 'one' })
    createPool({ resolveUrl: (url) => `${url}?t=1` })
    createPool()
  })

  it('WebSocket accepts the ws class (the Node default) and the DOM WebSocket without a cast', () => {
    createPool({ WebSocket: WS })
    createPool({ WebSocket: globalThis.WebSocket })
  })

  it('rejects typos and wrong types at compile time', () => {
    // @ts-expect-error: unknown option
    createPool({ maxPerhost: 3 })
    // @ts-expect-error: a count is a number
    createPool({ maxPerHost: '3' })
    // @ts-expect-error: unknown nested option
    createPool({ reconnect: { initalDelay: 100 } })
    // @ts-expect-error: not a binary type
    createPool({ binaryType: 'text' })
    // @ts-expect-error: resolveUrl returns a string
    createPool({ resolveUrl: () => 42 })
  })

  it('option fields are optional', () => {
    expectTypeOf<{}>().toExtend<Options>()
  })
})

describe('stats', () => {
  it('is { totals: HostStats, hosts: Record<origin, HostStats> }', () => {
    const stats = createPool().stats()
    expectTypeOf(stats.totals.connections).toEqualTypeOf<number>()
    expectTypeOf(stats.totals.max).toEqualTypeOf<number | null>()
    expectTypeOf(stats.hosts).toExtend<Record<string, typeof stats.totals>>()
    expectTypeOf(stats.totals.acquireWait.count).toEqualTypeOf<number>()
    expectTypeOf(stats.totals.acquireWait.p50).toEqualTypeOf<number | null>()
    expectTypeOf(stats.totals.connectTime.p99).toEqualTypeOf<number | null>()
    for (const key of [
      'open', 'connecting', 'reconnecting', 'active', 'idle', 'pending', 'created', 'closed', 'reconnects',
      'errors', 'timeouts', 'rejected', 'dropped', 'messagesIn', 'messagesOut', 'bytesIn', 'bytesOut',
    ] as const) {
      expectTypeOf(stats.totals[key]).toEqualTypeOf<number>()
    }
  })
})

describe('errors', () => {
  it('PoolError has a string code from the SPEC list', () => {
    const err = {} as PoolError
    expectTypeOf(err).toExtend<Error>()
    expectTypeOf(err.code).toExtend<string>()
    expectTypeOf<'ERR_INVALID_OPTION'>().toExtend<typeof err.code>()
    expectTypeOf<'ERR_INVALID_ARGUMENT'>().toExtend<typeof err.code>()
    expectTypeOf<'ERR_BUFFER_FULL'>().toExtend<typeof err.code>()
    expectTypeOf(err.origin).toEqualTypeOf<string | undefined>()
  })
})
