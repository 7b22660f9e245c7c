/**
 * Type tests for wspool/react (issue 9): what each hook returns, and what it refuses.
 */
import { describe, expectTypeOf, it } from 'vitest'
import type { HostStats, Lease, PoolStats, WebSocketPool } from '../../src/index.js'
import useWebSocketDefault, {
  PoolProvider, ReadyState, useLease, usePool, usePoolStats, useWebSocket, type UseLeaseState, type WebSocketView,
} from '../../src/react/index.js'
import type { Options as RwsOptions } from 'react-use-websocket'

describe('wspool/react types', () => {
  it('usePool: a pool, or null on a server without a provider', () => {
    expectTypeOf(usePool).returns.toEqualTypeOf<WebSocketPool | null>()
    expectTypeOf(PoolProvider).parameter(0).toHaveProperty('pool').toEqualTypeOf<WebSocketPool>()
  })

  it('useLease: { lease, state, error }; url may be a URL, replicas or null; no signal option', () => {
    const r = useLease('wss://a.example', { shared: true, timeout: 5000, priority: 1, protocols: ['p'] })
    expectTypeOf(r.lease).toEqualTypeOf<Lease | null>()
    expectTypeOf(r.state).toEqualTypeOf<UseLeaseState>()
    expectTypeOf<UseLeaseState>().toEqualTypeOf<'connecting' | 'open' | 'reconnecting' | 'closed' | 'released' | 'idle'>()
    expectTypeOf(r.error).toEqualTypeOf<Error | null>()
    useLease(null)
    useLease(new URL('wss://a.example'))
    useLease(['wss://a.example', 'wss://b.example'])
    // @ts-expect-error the hook owns the signal
    useLease('wss://a.example', { signal: new AbortController().signal })
    // @ts-expect-error misspelled option
    useLease('wss://a.example', { timout: 5 })
  })

  it('usePoolStats: PoolStats for the pool, HostStats | undefined for an origin', () => {
    expectTypeOf(usePoolStats()).toEqualTypeOf<PoolStats>()
    expectTypeOf(usePoolStats({ interval: 250 })).toEqualTypeOf<PoolStats>()
    expectTypeOf(usePoolStats({ origin: 'wss://a.example' })).toEqualTypeOf<HostStats | undefined>()
    // @ts-expect-error interval is a number
    usePoolStats({ interval: '1s' })
  })

  it('useWebSocket: react-use-websocket names and shape; the default export; its options without the EventSource/socket.io ones', () => {
    expectTypeOf(useWebSocketDefault).toEqualTypeOf(useWebSocket)
    const r = useWebSocket<{ price: number }>('wss://a.example', { share: true, heartbeat: { returnMessage: 'pong' }, reconnectInterval: (n) => n * 100 }, false)
    expectTypeOf(r.lastJsonMessage).toEqualTypeOf<{ price: number }>()
    expectTypeOf(r.lastMessage).toEqualTypeOf<MessageEvent | null>()
    expectTypeOf(r.readyState).toEqualTypeOf<ReadyState>()
    expectTypeOf(r.getWebSocket).returns.toEqualTypeOf<WebSocketView | null>()
    expectTypeOf(r.sendMessage).parameter(1).toEqualTypeOf<boolean | undefined>()
    expectTypeOf([ReadyState.UNINSTANTIATED, ReadyState.CONNECTING, ReadyState.OPEN, ReadyState.CLOSING, ReadyState.CLOSED] as const).toEqualTypeOf<readonly [ReadyState.UNINSTANTIATED, ReadyState.CONNECTING, ReadyState.OPEN, ReadyState.CLOSING, ReadyState.CLOSED]>()
    // options written for react-use-websocket type-check here (minus eventSourceOptions, fromSocketIO, skipAssert)
    const theirs: Omit<RwsOptions, 'eventSourceOptions' | 'fromSocketIO' | 'skipAssert'> = {}
    useWebSocket(() => Promise.resolve('wss://a.example'), theirs)
    useWebSocket(null)
    // @ts-expect-error a URL object is not react-use-websocket's url
    useWebSocket(new URL('wss://a.example'))
  })
})
