/**
 * `useWebSocket`: react-use-websocket 4.x's hook (same names, options, return shape, defaults and
 * `readyState` transitions), on a pool lease, so the pool's caps, bounded buffer and stats apply.
 *
 * Invariants:
 * - One effect run = one connection attempt chain. The first acquire starts one microtask after
 *   the effect, so StrictMode's synchronous mount/unmount/remount never opens a first socket.
 * - Every run ends (unmount, or a change of `url`, `connect`, `queryParams`, `protocols`, `share`,
 *   the pool or the reconnect mode) with its listeners removed, its timers cleared, its acquire
 *   aborted and its lease ended BEFORE the next run starts: `destroy()` for a non-shared lease
 *   (the socket closes, it is not parked idle), `release()` for a shared one (the connection
 *   closes when its last holder leaves, else keeps serving the others).
 * - State set from socket events goes through `flushSync` (as react-use-websocket does), and
 *   never after the run ended (`done`): a stale socket never reaches the component.
 * - Bad input never throws during render: it is checked in the effect and reported once per run
 *   through `onError` (a `PoolError`), with `readyState` CLOSED; nothing retries it, so nothing
 *   loops.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { flushSync } from 'react-dom'
import { PoolError, type Lease, type WebSocketPool } from 'wspool'
import { getDefaultPool, useProvidedPool } from './context.js'
import { joinHeartbeat } from './heartbeat.js'
import { ReadyState, type Options, type WebSocketHook, type WebSocketView } from './websocket-types.js'
import {
  ATTEMPTS, INTERVAL, MAX_QUEUE, READY, UNPARSABLE, check, closeEvent, make, sameUrl, valueKey, withQuery, type Data, type WebSocketUrl,
} from './websocket-support.js'

export type { WebSocketUrl } from './websocket-support.js'

/**
 * react-use-websocket's `useWebSocket`, backed by the pool of the nearest `PoolProvider` (else
 * the default pool, or `options.wspool.pool`). Change the import and an app keeps working;
 * opt into the pool's reconnect policy with `options.wspool.reconnect: 'pool'`.
 *
 * `url` is a `ws:`/`wss:` URL, a function returning one (or a promise of one; keep its identity
 * stable, e.g. `useCallback`, as with react-use-websocket), or `null` for "not now"; `connect`
 * `false` opens nothing either. Opens nothing during a server render.
 *
 * @example
 * const { sendJsonMessage, lastJsonMessage, readyState } = useWebSocket('wss://api.example.com/feed', {
 *   share: true,
 *   shouldReconnect: () => true,
 * })
 */
export function useWebSocket<T = unknown>(url: WebSocketUrl, options: Options = {}, connect = true): WebSocketHook<T> {
  const provided = useProvidedPool()
  const [lastMessage, setLastMessage] = useState<MessageEvent | null>(null)
  const [state, setState] = useState(ReadyState.UNINSTANTIATED)
  const current = useRef(options)
  current.current = options
  const held = useRef<Lease | null>(null)
  const queue = useRef<Data[]>([])
  const o: Options = Object(options) // bad options are reported by the effect, never thrown here
  const active = url !== null && connect === true
  const pool = o.wspool?.pool ?? provided
  const byPool = o.wspool?.reconnect === 'pool'
  const share = o.share === true

  useEffect(() => {
    if (!active) return
    let done = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let attempt = 0
    let offs: (() => void)[] = []
    const abort = new AbortController()
    const opts = (): Options => Object(current.current)
    const show = (s: ReadyState) => {
      if (!done) flushSync(() => setState(s))
    }
    const report = (error: unknown) => {
      const f = opts().onError
      if (typeof f === 'function') f(make(globalThis.ErrorEvent, 'error', { error, message: String((error as Error)?.message) }))
    }
    /** Ends this run's lease: closes a non-shared socket, leaves a shared one to its other holders. */
    const end = () => {
      for (const off of offs) off()
      offs = []
      const l = held.current
      held.current = null
      if (l) share ? l.release() : l.destroy()
    }
    /** react-use-websocket's close path: `onClose`, CLOSED, then maybe one more attempt later. */
    const closed = (event: CloseEvent, errored: boolean, retry: boolean) => {
      const o = opts()
      o.onClose?.(event)
      show(ReadyState.CLOSED)
      if (done || !retry || !(o.shouldReconnect?.(event) || (errored && o.retryOnError))) return
      const max = o.reconnectAttempts ?? ATTEMPTS
      if (attempt >= max) return void o.onReconnectStop?.(max)
      const i = o.reconnectInterval
      timer = setTimeout(() => {
        attempt++
        show(ReadyState.CLOSING) // react-use-websocket renders CLOSING as it tears the old socket down
        void start()
      }, (typeof i === 'function' ? i(attempt) : i) ?? INTERVAL)
    }
    const attach = (lease: Lease, p: WebSocketPool) => {
      held.current = lease
      let errored = false
      const beat = opts().heartbeat
      const [seen, leave] = beat ? joinHeartbeat(p, lease, beat) : [() => {}, () => {}]
      const opened = () => {
        attempt = 0
        errored = false
        opts().onOpen?.(new Event('open'))
        show(ReadyState.OPEN)
      }
      offs = [
        leave,
        lease.on('message', (data) => {
          seen()
          const o = opts()
          const event: MessageEvent = make(globalThis.MessageEvent, 'message', { data, origin: lease.origin })
          o.onMessage?.(event)
          if (o.filter && o.filter(event) !== true) return
          if (typeof o.heartbeat === 'object' && o.heartbeat.returnMessage === data) return
          if (!done) flushSync(() => setLastMessage(event))
        }),
        lease.on('error', (e) => {
          errored = true
          report(e)
        }),
        lease.on('open', opened),
        lease.on('reconnecting', (e) => {
          const event = closeEvent(e.code, e.reason, e.code === 1000)
          if (byPool) {
            opts().onClose?.(event)
            return show(ReadyState.CONNECTING)
          }
          end()
          closed(event, errored, true)
        }),
        lease.on('close', (e) => {
          end()
          closed(closeEvent(e.code, e.reason, e.wasClean), errored, !byPool)
        }),
      ]
      opened()
      for (const m of queue.current.splice(0)) lease.send(m)
    }
    const start = async () => {
      if (attempt) show(ReadyState.CONNECTING)
      const p = pool ?? getDefaultPool()
      let lease: Lease
      try {
        check(url, current.current)
        let u = url as string
        if (typeof url === 'function') {
          try {
            u = await url()
          } catch (e) {
            throw new PoolError('ERR_CONNECT_FAILED', `The \`url\` function failed: ${String((e as Error)?.message ?? e)}`, { cause: e })
          }
        }
        if (done) return
        const { protocols } = opts()
        const target = withQuery(u, opts().queryParams)
        // A WebSocket that fails to open reports it at once (onError, onClose, then the hook's
        // reconnect rule); the pool would retry until the acquire's deadline. Under the hook's own
        // policy, the first failed attempt to this URL ends the acquire.
        const ctl = new AbortController()
        const stop = () => ctl.abort(abort.signal.reason)
        abort.signal.addEventListener('abort', stop)
        const off = byPool ? undefined : p.on('error', (e) => e.attempt !== undefined && sameUrl(e.url, target) && ctl.abort(e.error))
        try {
          lease = await p.acquire(target, { shared: share, signal: ctl.signal, ...(protocols !== undefined && { protocols }) })
        } finally {
          off?.()
          abort.signal.removeEventListener('abort', stop)
        }
      } catch (e) {
        if (done) return
        report(e)
        const code = (e as PoolError).code
        if (code === 'ERR_INVALID_ARGUMENT' || code === 'ERR_INVALID_URL' || code === 'ERR_POOL_CLOSED') return show(ReadyState.CLOSED)
        return closed(closeEvent(1006, '', false), true, true)
      }
      if (done) return lease.release()
      attach(lease, p)
    }
    setState(ReadyState.CONNECTING)
    void Promise.resolve().then(() => {
      if (!done) void start()
    })
    return () => {
      done = true
      clearTimeout(timer)
      abort.abort()
      end()
      setLastMessage(null)
      setState(ReadyState.CLOSED)
    }
  }, [pool, url, active, share, byPool, valueKey(o.queryParams), valueKey(o.protocols)])

  const sendMessage = useCallback((message: Data, keep = true) => {
    const lease = held.current
    // Open: sent now. Reconnecting under the pool's policy: the pool buffers it (bounded).
    if (lease && (keep || lease.state === 'open')) return lease.send(message)
    if (!keep) return
    if (queue.current.length >= MAX_QUEUE) throw new PoolError('ERR_BUFFER_FULL', `useWebSocket: ${MAX_QUEUE} messages are already queued`)
    queue.current.push(message)
  }, [])
  const sendJsonMessage = useCallback((message: unknown, keep = true) => sendMessage(JSON.stringify(message), keep), [sendMessage])
  const getWebSocket = useCallback((): WebSocketView | null => {
    const l = held.current
    return (
      l && {
        url: l.url,
        protocol: l.protocol,
        get readyState() {
          return READY[l.state]!
        },
        get bufferedAmount() {
          return l.bufferedAmount
        },
        send: (data) => l.send(data),
        close: (code, reason) => l.destroy(code, reason),
      }
    )
  }, [])
  const lastJsonMessage = useMemo(() => {
    if (o.disableJson || !lastMessage) return null
    try {
      return JSON.parse(lastMessage.data)
    } catch {
      return UNPARSABLE
    }
  }, [lastMessage, o.disableJson]) as T

  const readyState = state === ReadyState.UNINSTANTIATED ? (active ? ReadyState.CONNECTING : state) : active ? state : ReadyState.CLOSED
  return { sendMessage, sendJsonMessage, lastMessage, lastJsonMessage, readyState, getWebSocket }
}
