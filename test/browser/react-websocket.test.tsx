/**
 * `useWebSocket` in real React 19 and real Chromium, against the test server (issue 9, items
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
import { PoolProvider, ReadyState, useWebSocket, type Options, type WebSocketUrl } from '../../src/react/index.js'
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
