/**
 * `useWebSocket` in real React (19, and 18 in the browser-react18 project) and real Chromium, against the test server (issue 9, items
 * 4-6). The first block is differential: the same scenarios run against react-use-websocket
 * 4.13 and against ours, and must give the same readyState sequence, callbacks (with the same
 * event classes) and messages: "change the import and it keeps working". The rest covers what
 * react-use-websocket's users report with `share: true`, bad input, StrictMode and URL switches,
 * and wspool's opt-in reconnect policy.
 */
import { act } from '@testing-library/react'
import { StrictMode, type ReactNode } from 'react'
import * as rws from 'react-use-websocket'
import { beforeEach, describe, expect, it } from 'vitest'
import { PoolError, type PoolOptions } from '../../src/index.js'
import { PoolProvider, ReadyState, usePool, useWebSocket, type Options, type WebSocketUrl } from '../../src/react/index.js'
import { ErrorBoundary } from '../helpers/error-boundary.js'
import { control, counts, delay, eventually, mount, newPool, quietConsole, server } from '../helpers/react-browser.js'

beforeEach(async () => {
  await control('POST', 'reset')
})

type Hook = typeof useWebSocket
// A CommonJS package: the default export comes through Vite's interop one level down or not.
const rwsDefault = rws.default as unknown as Hook | { default: Hook }
const useRws: Hook = typeof rwsDefault === 'function' ? rwsDefault : rwsDefault.default
type Wrap = (ui: ReactNode) => ReactNode

/** Renders a hook and records its readyState sequence (consecutive repeats folded) and callbacks. */
function recorder(useHook: Hook, tag = '') {
  const log: string[] = []
  const states: number[] = []
  const hook: { current?: ReturnType<Hook> } = {}
  let renders = 0
  const callbacks: Options = {
    onOpen: (e) => log.push(`${tag}open ${e.constructor.name}`),
    onClose: (e) => log.push(`${tag}close ${e.constructor.name} ${e.code}`),
    onMessage: (e) => log.push(`${tag}message ${e.constructor.name} ${String(e.data)}`),
    onError: (e) => log.push(`${tag}error ${e.type}`),
    onReconnectStop: (n) => log.push(`${tag}stop ${n}`),
  }
  function Probe({ url, options, connect = true }: { url: WebSocketUrl; options?: Options; connect?: boolean }): ReactNode {
    const r = useHook(url, { ...callbacks, ...options }, connect)
    hook.current = r
    renders++
    if (states[states.length - 1] !== r.readyState) states.push(r.readyState)
    return null
  }
  return { Probe, log, states, hook, renders: () => renders }
}

const ours = (options?: PoolOptions): Wrap => {
  const pool = newPool(options)
  return (ui) => (
    <StrictMode>
      <PoolProvider pool={pool}>{ui}</PoolProvider>
    </StrictMode>
  )
}
const theirs = (): Wrap => (ui) => <StrictMode>{ui}</StrictMode>

const impls: [string, Hook, (options?: PoolOptions) => Wrap][] = [
  ['react-use-websocket 4.13', useRws as unknown as Hook, theirs],
  ['wspool/react', useWebSocket, ours],
]

describe.each(impls)('differential: %s', (_name, useHook, wrap) => {
  it('echo: messages sent before open are queued (keep: false dropped), lastMessage/lastJsonMessage, callbacks, socket closed on unmount', async () => {
    const w = wrap()
    const { Probe, log, states, hook } = recorder(useHook)
    const view = mount(w(<Probe url={`${server.url}/echo`} />))
    act(() => {
      hook.current!.sendMessage('dropped', false)
      hook.current!.sendJsonMessage({ a: 1 })
    })
    await eventually(() => expect(hook.current!.lastJsonMessage).toEqual({ a: 1 }))
    expect(hook.current!.lastMessage).toBeInstanceOf(MessageEvent)
    act(() => hook.current!.sendMessage('not json', false))
    await eventually(() => expect(hook.current!.lastMessage?.data).toBe('not json'))
    expect(hook.current!.lastJsonMessage).toEqual({})
    expect(hook.current!.getWebSocket()?.readyState).toBe(ReadyState.OPEN)
    expect(states).toEqual([ReadyState.CONNECTING, ReadyState.OPEN])
    expect(log).toEqual(['open Event', 'message MessageEvent {"a":1}', 'message MessageEvent not json'])
    view.unmount()
    // closed, not parked idle (the pool's idleTimeout is 30 s)
    await eventually(async () => expect((await counts()).open).toBe(0), 2000)
    expect((await counts()).accepted).toBe(1)
  })

  it('a server drop without shouldReconnect: CLOSED for good', async () => {
    const { Probe, log, states } = recorder(useHook)
    mount(wrap()(<Probe url={`${server.url}/echo`} options={{ reconnectInterval: 20 }} />))
    await eventually(() => expect(states).toEqual([0, 1]))
    await control('POST', 'drop')
    await eventually(() => expect(states).toEqual([0, 1, 3]))
    await delay(200)
    expect(log).toEqual(['open Event', 'close CloseEvent 1006'])
    expect((await counts()).accepted).toBe(1)
  })

  it('shouldReconnect: reconnects after reconnectInterval(attempt), at most reconnectAttempts times, then onReconnectStop', async () => {
    const { Probe, log, states } = recorder(useHook)
    const intervals: number[] = []
    const options: Options = {
      shouldReconnect: (e) => e.code === 1006,
      reconnectAttempts: 2,
      reconnectInterval: (n) => (intervals.push(n), 30),
    }
    // the pool makes one attempt per acquire, as a WebSocket does
    mount(wrap({ reconnect: false })(<Probe url={`${server.url}/echo`} options={options} />))
    await eventually(() => expect(states).toEqual([0, 1]))
    await control('POST', 'refuse?on=1')
    await control('POST', 'drop')
    await eventually(() => expect(log[log.length - 1]).toBe('stop 2'))
    expect(intervals).toEqual([0, 1])
    expect(log).toEqual(['open Event', 'close CloseEvent 1006', 'error error', 'close CloseEvent 1006', 'error error', 'close CloseEvent 1006', 'stop 2'])
    // react-use-websocket passes through CLOSING (2) when it starts a reconnect
    expect(states).toEqual([0, 1, 3, 2, 0, 3, 2, 0, 3])
  })

  it("a server refusing the socket: onError then onClose at once, CLOSED (with the pool's default reconnect policy too)", async () => {
    const { Probe, log, states } = recorder(useHook)
    await control('POST', 'refuse?on=1')
    mount(wrap()(<Probe url={`${server.url}/echo`} />))
    // at once: well before the pool's acquireTimeout (10 s), which would end it otherwise
    await eventually(() => expect(log).toEqual(['error error', 'close CloseEvent 1006']), 3000)
    await delay(300)
    expect(log).toEqual(['error error', 'close CloseEvent 1006'])
    expect(states).toEqual([0, 3])
  })

  it('connect false and url null open nothing (UNINSTANTIATED); connecting later works', async () => {
    const w = wrap()
    const { Probe, states } = recorder(useHook)
    const view = mount(w(<Probe url={`${server.url}/echo`} connect={false} />))
    view.rerender(w(<Probe url={null} />))
    await delay(100)
    expect(states).toEqual([ReadyState.UNINSTANTIATED])
    expect((await counts()).accepted).toBe(0)
    view.rerender(w(<Probe url={`${server.url}/echo`} />))
    await eventually(() => expect(states).toEqual([-1, 0, 1]))
    view.rerender(w(<Probe url={null} />))
    expect(states).toEqual([-1, 0, 1, 3])
  })
})

describe('useWebSocket with share: true (what react-use-websocket users report must not happen)', () => {
  it('a component mounting later on the same URL joins the one socket and gets the messages', async () => {
    quietConsole()
    const w = ours()
    const a = recorder(useWebSocket, 'a ')
    const b = recorder(useWebSocket, 'b ')
    const c = recorder(useWebSocket, 'c ')
    const url = `${server.url}/echo`
    const view = mount(w(<><a.Probe url={url} options={{ share: true }} /><b.Probe url={url} options={{ share: true }} /></>))
    await eventually(() => expect([a.states, b.states]).toEqual([[0, 1], [0, 1]]))
    view.rerender(w(<><a.Probe url={url} options={{ share: true }} /><b.Probe url={url} options={{ share: true }} /><c.Probe url={url} options={{ share: true }} /></>))
    await eventually(() => expect(c.states).toEqual([0, 1]))
    act(() => c.hook.current!.sendMessage('from c'))
    for (const r of [a, b, c]) await eventually(() => expect(r.hook.current!.lastMessage?.data).toBe('from c'))
    expect((await counts()).accepted).toBe(1)
  })

  it('reconnects after the server closes it, honouring reconnectInterval, on one socket; sendMessage after the reconnect reaches the server', async () => {
    quietConsole()
    const w = ours()
    const url = `${server.url}/log?tag=shared`
    const options: Options = { share: true, shouldReconnect: () => true, reconnectInterval: 300 }
    const a = recorder(useWebSocket, 'a ')
    const b = recorder(useWebSocket, 'b ')
    mount(w(<><a.Probe url={url} options={options} /><b.Probe url={url} options={options} /></>))
    await eventually(() => expect([a.states, b.states]).toEqual([[0, 1], [0, 1]]))
    const dropped = Date.now()
    await control('POST', 'drop')
    await eventually(() => expect(a.states.slice(2)).toEqual([3]))
    await eventually(() => expect([a.states.slice(-1), b.states.slice(-1)]).toEqual([[1], [1]]))
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(250) // reconnectInterval, not at once
    act(() => b.hook.current!.sendMessage('after'))
    await eventually(() => expect(a.hook.current!.lastMessage?.data).toBe('after'))
    expect(await control('GET', 'log?tag=shared')).toEqual(['after'])
    const c = await counts()
    expect([c.accepted, c.open]).toEqual([2, 1])
  })

  it('one heartbeat per connection, not per component; returnMessage never becomes lastMessage', async () => {
    quietConsole()
    const w = ours()
    const url = `${server.url}/log?tag=hb`
    const options: Options = { share: true, heartbeat: { message: 'hb', returnMessage: 'hb', interval: 100, timeout: 5000 } }
    const rs = [recorder(useWebSocket), recorder(useWebSocket), recorder(useWebSocket)]
    mount(w(<>{rs.map((r, i) => <r.Probe key={i} url={url} options={options} />)}</>))
    await eventually(() => expect(rs.map((r) => r.states)).toEqual([[0, 1], [0, 1], [0, 1]]))
    await delay(800)
    const pings = (await control<string[]>('GET', 'log?tag=hb')).length
    // one heartbeat: a ping per ~200 ms (100 ms of silence, checked every 100 ms); three would send 3x
    expect(pings).toBeGreaterThanOrEqual(2)
    expect(pings).toBeLessThanOrEqual(6)
    for (const r of rs) expect(r.hook.current!.lastMessage).toBeNull()
    expect((await counts()).accepted).toBe(1)
  })

  it('reconnect options are per component: the one with shouldReconnect reconnects, the other stays CLOSED', async () => {
    quietConsole()
    const w = ours()
    const url = `${server.url}/echo`
    const a = recorder(useWebSocket)
    const b = recorder(useWebSocket)
    mount(w(<><a.Probe url={url} options={{ share: true, shouldReconnect: () => true, reconnectInterval: 50 }} /><b.Probe url={url} options={{ share: true }} /></>))
    await eventually(() => expect([a.states, b.states]).toEqual([[0, 1], [0, 1]]))
    await control('POST', 'drop')
    await eventually(() => expect(a.states).toEqual([0, 1, 3, 2, 0, 1]))
    await delay(150)
    expect(b.states).toEqual([0, 1, 3])
    const c = await counts()
    expect([c.accepted, c.open]).toEqual([2, 1])
  })
})

describe('useWebSocket: bad input, StrictMode, URL switches, the pool policy, test doubles', () => {
  it('bad input reports a PoolError through onError, renders CLOSED, never throws, never loops', async () => {
    quietConsole()
    const w = ours()
    const errors: unknown[] = []
    const caught: unknown[] = []
    const rs = [recorder(useWebSocket), recorder(useWebSocket), recorder(useWebSocket), recorder(useWebSocket)]
    const onError = (e: Event) => errors.push((e as ErrorEvent).error)
    const bad: [WebSocketUrl, Options][] = [
      ['http://example.com/', { onError }],
      [`${server.url}/echo`, { onError, reconnectAttempts: -1 }],
      [`${server.url}/echo`, { onError, protocols: 'not a token' }],
      [42 as never, { onError }],
    ]
    mount(
      <ErrorBoundary onError={(e) => caught.push(e)}>
        {w(<>{rs.map((r, i) => <r.Probe key={i} url={bad[i]![0]} options={bad[i]![1]} />)}</>)}
      </ErrorBoundary>,
    )
    await eventually(() => expect(errors).toHaveLength(4))
    expect(errors.map((e) => e instanceof PoolError && e.code).sort()).toEqual(['ERR_INVALID_ARGUMENT', 'ERR_INVALID_ARGUMENT', 'ERR_INVALID_ARGUMENT', 'ERR_INVALID_URL'])
    await delay(100)
    expect(caught).toEqual([])
    for (const r of rs) {
      expect(r.states).toEqual([0, 3])
      expect(r.renders()).toBeLessThan(10)
    }
    expect((await counts()).accepted).toBe(0)
  })

  it('StrictMode: one connection; switching url closes the old socket before the new one opens; none left after unmount', async () => {
    quietConsole()
    const pool = newPool()
    const order: string[] = []
    pool.on('close', (e) => !e.willReconnect && order.push(`close ${new URL(e.url).pathname}`))
    pool.on('open', (e) => order.push(`open ${new URL(e.url).pathname}`))
    const w: Wrap = (ui) => <StrictMode><PoolProvider pool={pool}>{ui}</PoolProvider></StrictMode>
    const { Probe, states } = recorder(useWebSocket)
    const view = mount(w(<Probe url={`${server.url}/a`} />))
    await eventually(() => expect(states).toEqual([0, 1]))
    await delay(100)
    expect((await counts()).accepted).toBe(1)
    view.rerender(w(<Probe url={`${server.url}/b`} />))
    await eventually(() => expect(order).toEqual(['open /a', 'close /a', 'open /b']))
    view.unmount()
    await eventually(async () => expect((await counts()).open).toBe(0), 2000)
    expect((await counts()).accepted).toBe(2)
  })

  it("wspool.reconnect 'pool': the pool's backoff reconnects, and messages sent meanwhile are buffered and delivered", async () => {
    quietConsole()
    const w = ours({ reconnect: { initialDelay: 200, maxDelay: 200, jitter: 0 } })
    const { Probe, states, hook, log } = recorder(useWebSocket)
    mount(w(<Probe url={`${server.url}/echo`} options={{ wspool: { reconnect: 'pool' } }} />))
    await eventually(() => expect(states).toEqual([0, 1]))
    await control('POST', 'drop')
    await eventually(() => expect(states).toEqual([0, 1, 0]))
    act(() => hook.current!.sendMessage('buffered'))
    await eventually(() => expect(hook.current!.lastMessage?.data).toBe('buffered'))
    expect(states).toEqual([0, 1, 0, 1])
    expect(log).toEqual(['open Event', 'close CloseEvent 1006', 'open Event', 'message MessageEvent buffered'])
  })

  it('without a provider, the global WebSocket is looked up when connecting (a test double that replaces it is used)', async () => {
    quietConsole()
    // the default pool exists before the double arrives (a pool resolves its constructor when created)
    function Touch(): ReactNode {
      usePool()
      return null
    }
    mount(<Touch />)
    const Real = window.WebSocket
    let made = 0
    window.WebSocket = class extends Real {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols)
        made++
      }
    }
    try {
      const { Probe, states } = recorder(useWebSocket)
      const view = mount(<StrictMode><Probe url={`${server.url}/double`} /></StrictMode>)
      await eventually(() => expect(states).toEqual([0, 1]))
      expect(made).toBe(1)
      view.unmount()
    } finally {
      window.WebSocket = Real
    }
  })
})
