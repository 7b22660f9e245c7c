// An in-process socket shaped like the browser `WebSocket` (constants, readyState, binaryType,
// on* handlers, add/removeEventListener, send, close). It opens on a timer turn after
// construction and does no I/O, so benchmarks that use it measure library-only cost.
// Tests drive it with `emitMessage(data)`.

type Listener = (ev: any) => void

export class FakeWebSocket {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  readonly CONNECTING = 0
  readonly OPEN = 1
  readonly CLOSING = 2
  readonly CLOSED = 3

  /** every instance ever created, newest last (cleared by `FakeWebSocket.reset()`) */
  static instances: FakeWebSocket[] = []
  static reset(): void {
    FakeWebSocket.instances = []
  }

  readonly url: string
  readonly protocol: string
  readonly extensions = ''
  readyState = 0
  binaryType: string = 'blob'
  bufferedAmount = 0
  sent = 0
  sentBytes = 0

  onopen: Listener | null = null
  onmessage: Listener | null = null
  onclose: Listener | null = null
  onerror: Listener | null = null

  private readonly listeners: Record<string, Listener[]> = { open: [], message: [], close: [], error: [] }

  constructor(url: string | URL, protocols?: string | string[]) {
    this.url = String(url)
    this.protocol = Array.isArray(protocols) ? (protocols[0] ?? '') : (protocols ?? '')
    FakeWebSocket.instances.push(this)
    setTimeout(() => {
      if (this.readyState !== 0) return
      this.readyState = 1
      this.dispatch('open', { type: 'open', target: this })
    }, 0)
  }

  addEventListener(type: string, fn: Listener): void {
    const l = this.listeners[type]
    if (l && !l.includes(fn)) l.push(fn)
  }

  removeEventListener(type: string, fn: Listener): void {
    const l = this.listeners[type]
    if (!l) return
    const i = l.indexOf(fn)
    if (i >= 0) l.splice(i, 1)
  }

  dispatchEvent(ev: { type: string }): boolean {
    this.dispatch(ev.type, ev)
    return true
  }

  private dispatch(type: string, ev: any): void {
    const h = type === 'message' ? this.onmessage : type === 'open' ? this.onopen : type === 'close' ? this.onclose : this.onerror
    if (h) h.call(this, ev)
    const l = this.listeners[type]
    if (l) for (let i = 0; i < l.length; i++) l[i].call(this, ev)
  }

  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
    if (this.readyState === 0) throw new Error('InvalidStateError: still CONNECTING')
    if (this.readyState !== 1) return
    this.sent++
    this.sentBytes += typeof data === 'string' ? data.length : (data as ArrayBuffer).byteLength ?? 0
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return
    this.readyState = 2
    setTimeout(() => {
      this.readyState = 3
      this.dispatch('close', { type: 'close', code, reason, wasClean: true, target: this })
    }, 0)
  }

  /** Deliver one inbound message, as a browser would: a MessageEvent-like `{ type, data }`. */
  emitMessage(data: unknown): void {
    if (this.readyState !== 1) return
    this.dispatch('message', { type: 'message', data, target: this })
  }

  /** Drop the connection from the "server" side (abnormal closure). */
  drop(code = 1006): void {
    if (this.readyState === 3) return
    this.readyState = 3
    this.dispatch('close', { type: 'close', code, reason: '', wasClean: false, target: this })
  }
}

/** How a replying fake socket hands its replies back. */
export type ReplyDelivery = 'microtask' | 'sync'

export interface ReplyingOptions {
  /**
   * 'microtask' (default): replies to everything sent in one synchronous stretch are queued and
   * delivered together in one microtask, as a socket delivers the frames of one read; the
   * request's promise settles without I/O and without a timer. 'sync': each reply is delivered
   * inside `send()`, before it returns, which no real socket does; use it only to check that a
   * caller registers its pending request before sending.
   */
  delivery?: ReplyDelivery
  /**
   * The reply to one sent message, or `undefined` for none. Default `echoEnvelope`: the text of a
   * JSON envelope `{"id":n,"data":x}` comes back unchanged, which IS its reply `{ id, data }`
   * (what bench/server.ts's `/echo` does over a real connection), without a JSON round trip in
   * the fake, so its cost stays out of what a benchmark measures. `jsonEnvelopeReply` parses
   * and rebuilds instead.
   */
  reply?: (sent: unknown) => unknown
}

/** Default reply: the envelope's own text when it starts like the default codec's `{"id":<n>,`. */
export function echoEnvelope(sent: unknown): string | undefined {
  return typeof sent === 'string' && sent.startsWith('{"id":') ? sent : undefined
}

/** A stricter reply: parses the envelope and answers `JSON.stringify({ id, data })` (integer ids only). */
export function jsonEnvelopeReply(sent: unknown): string | undefined {
  if (typeof sent !== 'string') return undefined
  let m: unknown
  try {
    m = JSON.parse(sent)
  } catch {
    return undefined
  }
  if (!m || typeof m !== 'object' || !Number.isInteger((m as { id?: unknown }).id)) return undefined
  const { id, data } = m as { id: number; data: unknown }
  return JSON.stringify({ id, data })
}

/**
 * A `FakeWebSocket` class that answers request envelopes, so `pool.request` resolves with no I/O
 * (bench 12). Each call returns a new class (pass it as wspool's `WebSocket` option); its
 * instances still count sends (`sent`, `sentBytes`) and also `replied`.
 */
export function replyingFakeSocket(opts: ReplyingOptions = {}): typeof ReplyingFakeWebSocket {
  const delivery = opts.delivery ?? 'microtask'
  const reply = opts.reply ?? echoEnvelope
  return class extends ReplyingFakeWebSocket {
    protected override readonly delivery = delivery
    protected override answer(sent: unknown): unknown {
      return reply(sent)
    }
  }
}

export class ReplyingFakeWebSocket extends FakeWebSocket {
  /** replies delivered so far */
  replied = 0
  protected readonly delivery: ReplyDelivery = 'microtask'
  #queue: unknown[] = []
  #scheduled = false
  readonly #flush = () => {
    this.#scheduled = false
    const q = this.#queue
    this.#queue = []
    // one by one, as frames of one read arrive: a reply's handler may send the next request,
    // whose reply then waits for the next microtask
    for (let i = 0; i < q.length; i++) this.#deliver(q[i])
  }

  protected answer(sent: unknown): unknown {
    return echoEnvelope(sent)
  }

  override send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
    super.send(data)
    if (this.readyState !== 1) return
    const r = this.answer(data)
    if (r === undefined) return
    if (this.delivery === 'sync') return this.#deliver(r)
    this.#queue.push(r)
    if (!this.#scheduled) {
      this.#scheduled = true
      queueMicrotask(this.#flush)
    }
  }

  #deliver(r: unknown): void {
    // a socket closed meanwhile drops its replies, as a real one would
    if (this.readyState !== 1) return
    this.replied++
    this.emitMessage(r)
  }
}
