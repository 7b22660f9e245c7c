// A real `ws` WebSocket (ws 8.23) driven without I/O, so bench 1 can measure library-only cost on
// Node's own code path: ws's Receiver (frame parsing, UTF-8 validation, its `message (data,
// isBinary)` event and the EventTarget wrapper that `onmessage` uses) and Sender (framing,
// masking, cork/write/uncork), with a fake net socket underneath instead of TCP.
//
// How: the constructor takes ws's server path (`super(null, ...)`: no URL, no handshake), then,
// on a later timer turn (so a pool can attach its handlers before `open`, as with a real
// connect), flips the socket to client behaviour (`_isServer = false`: sends are masked as a
// real client's are, and the Receiver expects unmasked server frames) and calls ws's own
// `setSocket()` with the fake net socket and a real client's defaults. ws reads `_isServer` at
// each send and hands it to the Receiver in `setSocket()`, so the flip is complete.
// Inbound frames go in synchronously with `net.emit('data', frame)` (`inject()`).
// Note: ws 8.23's constructor reads `options.autoPong` on the server path too, so `super(null)`
// alone throws; the empty options object is what WebSocketServer passes as well.
import { EventEmitter } from 'node:events'
import { WebSocket } from 'ws'

/**
 * The slice of a `net.Socket` that `setSocket()`, the Sender and the close paths of ws use.
 * Writes are discarded and counted; `end()`/`destroy()` close it on the next tick. A close frame
 * written by the client is answered with the server's close frame, as a peer would, so a clean
 * `close()` completes instead of waiting out ws's 30 s close timer.
 */
export class FakeNetSocket extends EventEmitter {
  readable = true
  writable = true
  destroyed = false
  /** read by ws: `bufferedAmount` (writableState.length) and the close path (readableState) */
  readonly _writableState = { length: 0 }
  readonly _readableState = { endEmitted: false, length: 0 }
  /** write() calls and bytes written (frames the Sender produced) */
  writes = 0
  bytesWritten = 0
  #corked = 0
  #headerNext = true

  setTimeout(): this {
    return this
  }
  setNoDelay(): this {
    return this
  }
  setKeepAlive(): this {
    return this
  }
  pause(): this {
    return this
  }
  resume(): this {
    return this
  }
  unshift(): void {}
  read(): null {
    return null
  }
  cork(): void {
    this.#corked++
  }
  uncork(): void {
    if (this.#corked > 0) this.#corked--
    if (this.#corked === 0) this.#headerNext = true
  }

  write(chunk: Uint8Array | string, enc?: BufferEncoding | ((err?: Error) => void), cb?: (err?: Error) => void): boolean {
    const done = typeof enc === 'function' ? enc : cb
    if (this.destroyed) {
      if (done) process.nextTick(done, new Error('write after destroy'))
      return false
    }
    this.writes++
    const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length
    this.bytesWritten += bytes
    // The Sender writes a frame as one chunk, or as header + payload inside cork()/uncork():
    // the first write of a frame starts with the header (FIN + opcode).
    if (this.#headerNext && typeof chunk !== 'string' && (chunk[0] & 0x0f) === 0x08) this.#closeFrameSent()
    this.#headerNext = this.#corked === 0
    if (done) process.nextTick(done)
    return true
  }

  end(): this {
    if (!this.destroyed) {
      this.writable = false
      this._readableState.endEmitted = true
      this.destroy()
    }
    return this
  }

  destroy(): this {
    if (this.destroyed) return this
    this.destroyed = true
    this.readable = this.writable = false
    process.nextTick(() => this.emit('close', false))
    return this
  }

  #closeFrameSent(): void {
    // the server's reply: an unmasked close frame with status 1000
    const reply = Buffer.from([0x88, 0x02, 0x03, 0xe8])
    process.nextTick(() => {
      if (!this.destroyed) this.emit('data', reply)
    })
  }
}

/** A ws-format text frame from the server (FIN, opcode 1, unmasked), as a client receives it. */
export function serverTextFrame(payload: string): Buffer {
  const data = Buffer.from(payload)
  if (data.length > 125) throw new Error('serverTextFrame: payloads up to 125 bytes only')
  return Buffer.concat([Buffer.from([0x81, data.length]), data])
}

/** What a real client's `setSocket()` gets from ws 8.23's `initAsClient` defaults. */
const CLIENT_SOCKET_OPTIONS = {
  allowSynchronousEvents: true,
  maxPayload: 100 * 1024 * 1024,
  skipUTF8Validation: false,
}

/** What this file uses of ws's internals (not in @types/ws). */
interface WsInternals {
  _isServer: boolean
  _url: string
  emitClose(): void
  setSocket(socket: FakeNetSocket, head: Buffer, options: typeof CLIENT_SOCKET_OPTIONS): void
}

/**
 * `ws`'s WebSocket with no I/O; takes the same constructor arguments (ignored apart from the
 * URL), so it can be given to a library as its `WebSocket` constructor.
 */
export class InMemoryWebSocket extends WebSocket {
  /** every instance ever created, newest last (cleared by `InMemoryWebSocket.reset()`) */
  static instances: InMemoryWebSocket[] = []
  static reset(): void {
    InMemoryWebSocket.instances = []
  }

  readonly net = new FakeNetSocket()
  #opening: NodeJS.Timeout | undefined

  constructor(url: string | URL, _protocols?: string | string[], _options?: unknown) {
    // the server path: no URL, no request; autoPong on and the default close timeout, as a
    // client's (`closeTimeout` is newer than @types/ws 8.18)
    super(null as unknown as string, undefined, { autoPong: true, closeTimeout: 30_000 } as WebSocket.ClientOptions)
    const self = this as unknown as WsInternals
    self._url = String(url)
    InMemoryWebSocket.instances.push(this)
    this.#opening = setTimeout(() => {
      this.#opening = undefined
      self._isServer = false
      self.setSocket(this.net, Buffer.alloc(0), CLIENT_SOCKET_OPTIONS)
    }, 0)
  }

  /** Whether sends are masked and inbound frames must be unmasked (client behaviour). */
  get isClient(): boolean {
    return !(this as unknown as WsInternals)._isServer
  }

  /** Deliver one inbound frame synchronously, as if it had arrived from the network. */
  inject(frame: Buffer): void {
    this.net.emit('data', frame)
  }

  // Closing before the deferred open: ws's own path would abort an HTTP request there is none of.
  override close(code?: number, reason?: string | Buffer): void {
    if (this.#abortOpening()) return
    super.close(code, reason)
  }

  override terminate(): void {
    if (this.#abortOpening()) return
    super.terminate()
  }

  #abortOpening(): boolean {
    if (this.#opening === undefined) return false
    clearTimeout(this.#opening)
    this.#opening = undefined
    ;(this as unknown as WsInternals).emitClose()
    return true
  }
}
