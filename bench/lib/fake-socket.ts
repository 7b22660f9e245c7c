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
