/**
 * The shape of WebSocket that wspool drives: the WHATWG interface, which browsers and `ws` share.
 * Types only; the runtime seam (`runtime/transport.ts`) supplies the constructor.
 */

/** What `send` accepts: text or binary. */
export type SendData = string | ArrayBufferLike | ArrayBufferView | Blob

/**
 * The subset of the WHATWG `WebSocket` wspool uses. Handlers are typed loosely on purpose so that
 * both the DOM class and `ws` satisfy it without a cast.
 */
export interface WebSocketLike {
  readonly readyState: number
  readonly protocol: string
  readonly bufferedAmount: number
  binaryType: string
  onopen: ((ev: any) => any) | null
  onmessage: ((ev: any) => any) | null
  onerror: ((ev: any) => any) | null
  onclose: ((ev: any) => any) | null
  send(data: any, options?: any): void
  close(code?: number, reason?: string): void
  /** `ws` only: close at once, without a closing handshake. */
  terminate?(): void
  /** `ws` only: send a protocol ping frame. */
  ping?(...args: any[]): void
  /** `ws` only: the emitter API, used for messages (raw buffers) and protocol pongs. */
  on?(event: string, fn: (...args: any[]) => void): unknown
}

/** A WebSocket constructor: the native one, `ws`, or any compatible implementation. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: any) => WebSocketLike

/** Whether `data` is something a WebSocket can send. */
export function isSendData(data: unknown): data is SendData {
  return typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data) ||
    (typeof Blob !== 'undefined' && data instanceof Blob)
}
