/**
 * Which WebSocket constructor wspool uses, how it opens a socket, and byte counting: the only
 * module that knows about `isomorphic-ws` (and so `ws` on Node).
 */
import IsoWebSocket from 'isomorphic-ws'
import { PoolError } from '../core/errors.js'
import type { SendData, WebSocketConstructor, WebSocketLike } from '../core/socket.js'
import { BROWSER } from './platform.js'

/** Chooses the constructor: injected, else isomorphic-ws, else the runtime's global `WebSocket`. */
export function resolveWebSocket(injected: WebSocketConstructor | undefined): WebSocketConstructor {
  const ctor =
    injected ??
    (IsoWebSocket as unknown as WebSocketConstructor | null | undefined) ??
    ((globalThis as { WebSocket?: WebSocketConstructor }).WebSocket)
  if (typeof ctor !== 'function') {
    throw new PoolError(
      'ERR_INVALID_OPTION',
      'Expected `WebSocket` to be a WebSocket constructor, got undefined: this runtime has no global WebSocket; pass one with `createPool({ WebSocket })`',
    )
  }
  return ctor
}

/** Whether `ctor` is the `ws` implementation (it takes an options argument and sends ping frames). */
export function isNodeWs(ctor: WebSocketConstructor): boolean {
  return !BROWSER && typeof (ctor.prototype as WebSocketLike | undefined)?.ping === 'function'
}

/** Node's `Buffer`, where there is one (read once, when this module loads: no browser global). */
const NodeBuffer = BROWSER ? undefined : (globalThis as { Buffer?: { byteLength(s: string): number } }).Buffer

/** What a socket's events go to: one object per socket, so no closure per handler and socket. */
export interface SocketListener {
  onOpen(): void
  /** Text as a string, binary as the socket's `binaryType` delivers it; `bytes`: payload size on the wire. */
  onMessage(data: unknown, bytes: number): void
  onError(error: unknown, message?: string): void
  onClose(code: number, reason: string, wasClean: boolean): void
}

/** Where a socket keeps its listener (an expando: handlers are shared functions that find it). */
const LISTENER = Symbol('wspool.listener')
type Listened = WebSocketLike & { [LISTENER]: SocketListener; _closeFrameReceived?: boolean; _closeFrameSent?: boolean }

/**
 * Sends `socket`'s events to `listener`. On `ws` it uses `ws`'s own events: a message arrives as
 * the raw buffer (its length is the byte count, for free) without the `MessageEvent` that
 * `onmessage` builds, and no wrapper function is made per handler. Elsewhere, the `on*` handlers.
 */
export function listen(socket: WebSocketLike, nodeWs: boolean, listener: SocketListener): void {
  ;(socket as Listened)[LISTENER] = listener
  if (!BROWSER && nodeWs && typeof socket.on === 'function') {
    socket.on('open', wsOpen)
    socket.on('message', wsMessage)
    socket.on('error', wsError)
    socket.on('close', wsClose)
  } else {
    socket.onopen = domOpen
    socket.onmessage = domMessage
    socket.onerror = domError
    socket.onclose = domClose
  }
}

function wsOpen(this: Listened): void {
  this[LISTENER].onOpen()
}
function wsMessage(this: Listened, data: { length: number; toString(): string }, binary: boolean): void {
  if (binary) this[LISTENER].onMessage(data, byteLength(data))
  else this[LISTENER].onMessage(data.toString(), data.length)
}
function wsError(this: Listened, error: unknown): void {
  this[LISTENER].onError(error)
}
function wsClose(this: Listened, code: number, reason: unknown): void {
  // As `ws` computes it for its CloseEvent.
  this[LISTENER].onClose(code, String(reason ?? ''), this._closeFrameReceived === true && this._closeFrameSent === true)
}
function domOpen(this: Listened): void {
  this[LISTENER].onOpen()
}
function domMessage(this: Listened, ev: { data: unknown }): void {
  this[LISTENER].onMessage(ev.data, byteLength(ev.data))
}
function domError(this: Listened, ev: { error?: unknown; message?: string } | undefined): void {
  this[LISTENER].onError(ev?.error, ev?.message)
}
function domClose(this: Listened, ev: { code: number; reason: string; wasClean: boolean }): void {
  this[LISTENER].onClose(ev.code, ev.reason, ev.wasClean)
}

/** Writes `data` to an open socket and returns its payload bytes. */
export function write(socket: WebSocketLike, data: SendData): number {
  socket.send(data)
  return byteLength(data)
}

/** Constructs a socket. `wsOptions` is passed to `ws` only; browsers ignore it. */
export function openSocket(
  ctor: WebSocketConstructor,
  url: string,
  protocols: readonly string[],
  binaryType: string,
  wsOptions: Readonly<Record<string, unknown>> | undefined,
): WebSocketLike {
  const list = protocols.length > 0 ? (protocols as string[]) : undefined
  const socket = !BROWSER && wsOptions && isNodeWs(ctor) ? new ctor(url, list, wsOptions) : new ctor(url, list)
  try {
    socket.binaryType = binaryType
  } catch {
    // An implementation that refuses the value keeps its default; messages still arrive.
  }
  return socket
}

/** Closes a socket at once: `terminate()` where the implementation has it, else `close()`. */
export function abortSocket(socket: WebSocketLike): void {
  try {
    if (!BROWSER && typeof socket.terminate === 'function') socket.terminate()
    else socket.close()
  } catch {
    // Already closing or closed.
  }
}

/** Payload bytes on the wire: UTF-8 bytes for text, `byteLength`/`size` for binary. */
export function byteLength(data: SendData | unknown): number {
  if (typeof data === 'string') return NodeBuffer ? NodeBuffer.byteLength(data) : utf8Length(data)
  if (data instanceof ArrayBuffer) return data.byteLength
  if (ArrayBuffer.isView(data)) return data.byteLength
  const size = (data as { size?: number; byteLength?: number } | null)?.size ?? (data as { byteLength?: number } | null)?.byteLength
  return typeof size === 'number' ? size : 0
}

/** UTF-8 length of a string without allocating (browsers). */
export function utf8Length(s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) n += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2
        i++
      } else n += 2
    } else n += 2
  }
  return n
}
