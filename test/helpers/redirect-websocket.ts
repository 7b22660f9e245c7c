/**
 * A `ws` WebSocket subclass, injected through the `WebSocket` option, that connects every URL
 * to the local test server while keeping its path and query. It lets tests use origins such as
 * `wss://api.example` (default port, TLS scheme) without DNS or TLS, and records what the pool
 * asked for.
 */
import WebSocket from 'ws'
import type { PoolOptions } from './harness.js'

/** The option's constructor type, plus the list of URLs the pool asked for. */
export type RedirectWebSocketClass = NonNullable<PoolOptions['WebSocket']> & { readonly requested: string[] }

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
  // The `ws` class is what the option is for; its DOM-style handler types are stricter than the
  // option's, so the cast is only about typings (see test/types/options.test-d.ts).
  return RedirectWebSocket as unknown as RedirectWebSocketClass
}
