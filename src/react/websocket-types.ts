/**
 * The names, options and return shape of react-use-websocket 4.x's `useWebSocket`, so an app
 * migrates by changing its import. Types and one enum only.
 */
import type { WebSocketPool } from 'wspool'

/** `readyState` values, numbered as react-use-websocket's (and, from 0, the WebSocket's). */
export enum ReadyState {
  /** `url` is `null` or `connect` is `false`, and nothing was opened yet. */
  UNINSTANTIATED = -1,
  CONNECTING = 0,
  OPEN = 1,
  CLOSING = 2,
  CLOSED = 3,
}

/** `heartbeat`'s object form: react-use-websocket's shape and defaults. */
export interface HeartbeatOptions {
  /** Sent when nothing arrived for `interval` ms. @default 'ping' */
  message?: string | (() => string)
  /** A message equal to it never becomes `lastMessage` (`onMessage` still sees it). @default undefined */
  returnMessage?: string
  /** ms without any inbound message after which the connection is closed. @default 60000 */
  timeout?: number
  /** ms of inbound silence before `message` is sent. @default 25000 */
  interval?: number
}

/** wspool's own additions, all opt-in. */
export interface WspoolOptions {
  /**
   * `'hook'`: react-use-websocket's policy (a drop closes the socket; it reconnects only when
   * `shouldReconnect` returns true, after `reconnectInterval`, at most `reconnectAttempts`
   * times). `'pool'`: the pool's own policy instead (jittered backoff, circuit
   * breaker, messages sent meanwhile buffered in order); `shouldReconnect`,
   * `reconnectAttempts` and `reconnectInterval` are then not used.
   * @default 'hook'
   */
  reconnect?: 'hook' | 'pool'
  /** The pool to use instead of the nearest `PoolProvider`'s (or the default pool). @default undefined */
  pool?: WebSocketPool
}

/** Options of {@link useWebSocket}: react-use-websocket's, plus `wspool`. */
export interface Options {
  /** Called with the `open` Event. Per component. @default undefined */
  onOpen?: (event: Event) => void
  /** Called with a `CloseEvent` (code, reason, wasClean) when the connection closes or drops. Per component. @default undefined */
  onClose?: (event: CloseEvent) => void
  /** Called with every inbound `MessageEvent`, before `filter`. Per component. @default undefined */
  onMessage?: (event: MessageEvent) => void
  /**
   * Called with an `error` Event whose `error` is the `PoolError` (a failed connection, or a bad
   * `url` or option, which never throws during render). Per component.
   * @default undefined
   */
  onError?: (event: Event) => void
  /** Called with the attempt limit when reconnecting gives up. Per component. @default undefined */
  onReconnectStop?: (attempts: number) => void
  /** Whether to reconnect after the given close. Per component. @default undefined (never reconnect) */
  shouldReconnect?: (event: CloseEvent) => boolean
  /** Reconnects at most, counted from the last open. Per component. @default 20 */
  reconnectAttempts?: number
  /** ms before a reconnect, or a function of the attempt (0, 1, ...). Per component. @default 5000 */
  reconnectInterval?: number | ((attempt: number) => number)
  /** Reconnect also after an error (and when an async `url` rejects). Per component. @default false */
  retryOnError?: boolean
  /**
   * Ride one shared connection with every other component using `share` on the same URL
   * (`pool.acquire(url, { shared: true })`). Per connection.
   * @default false
   */
  share?: boolean
  /** `lastMessage` is set only for messages it returns true for. Per component. @default undefined (all) */
  filter?: (message: MessageEvent) => boolean
  /**
   * Keep the connection alive: `true` for the defaults, or react-use-websocket's object. One
   * heartbeat per connection: on a shared connection, the first component that opens it sets it.
   * @default false
   */
  heartbeat?: boolean | HeartbeatOptions
  /** Subprotocols offered. Per connection. @default undefined (the pool's) */
  protocols?: string | string[]
  /** Appended to the URL's query. Per connection. @default undefined */
  queryParams?: Record<string, string | number>
  /** Do not parse `lastJsonMessage`. Per component. @default false */
  disableJson?: boolean
  /** wspool's additions (opt-in). @default undefined */
  wspool?: WspoolOptions
}

/** What {@link useWebSocket} returns: react-use-websocket's shape. */
export interface WebSocketHook<T = unknown> {
  /**
   * Sends now when open; otherwise queues (`keep`, at most 1,000 messages, then a `PoolError`
   * `ERR_BUFFER_FULL` is thrown) and sends once open, or drops it (`keep: false`).
   * @default keep = true
   */
  sendMessage: (message: string | ArrayBufferLike | Blob | ArrayBufferView, keep?: boolean) => void
  /** `sendMessage(JSON.stringify(message), keep)`. @default keep = true */
  sendJsonMessage: (message: unknown, keep?: boolean) => void
  /** The last message that passed `filter`. @default null */
  lastMessage: MessageEvent | null
  /** `lastMessage.data` parsed as JSON; `{}` when it is not JSON; `null` with `disableJson`. @default null */
  lastJsonMessage: T
  /** @default ReadyState.CONNECTING (ReadyState.UNINSTANTIATED when `url` is null or `connect` false) */
  readyState: ReadyState
  /**
   * A WebSocket-like view of the connection (`url`, `protocol`, `readyState`, `bufferedAmount`,
   * `send`, `close`), or `null` while none is open. `close()` closes it for every holder.
   * @default null
   */
  getWebSocket: () => WebSocketView | null
}

/** What {@link WebSocketHook.getWebSocket} returns. */
export interface WebSocketView {
  readonly url: string
  readonly protocol: string
  readonly readyState: ReadyState
  readonly bufferedAmount: number
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void
  close(code?: number, reason?: string): void
}

/** react-use-websocket's name for the type of `sendMessage`. */
export type SendMessage = WebSocketHook['sendMessage']
