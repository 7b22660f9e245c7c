/**
 * A `ws` WebSocket subclass, injected through the `WebSocket` option, that connects every URL
 * to the local test server while keeping its path and query. It lets tests use origins such as
 * `wss://api.example` (default port, TLS scheme) without DNS or TLS, and records what the pool
 * asked for.
 */
import WebSocket from 'ws'

export interface RedirectWebSocketClass {
  new (url: string | URL, protocols?: string | string[], options?: WebSocket.ClientOptions): WebSocket
  /** Every URL the pool constructed a socket for, as given. */
  readonly requested: string[]
}

export function redirectWebSocket(targetPort: number): RedirectWebSocketClass {
  const requested: string[] = []
  class RedirectWebSocket extends WebSocket {
    static readonly requested = requested
    constructor(url: string | URL, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      const given = new URL(String(url))
      requested.push(String(url))
      super(`ws://127.0.0.1:${targetPort}${given.pathname}${given.search}`, protocols, options)
    }
  }
  return RedirectWebSocket
}
