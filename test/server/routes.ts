/**
 * Route parameters of the test server's WebSocket paths, validated at upgrade time: bad values
 * get an HTTP 400 with a JSON error instead of an accepted socket.
 */
import type { Socket } from 'node:net'

/** Thrown at upgrade time for bad route parameters; becomes an HTTP 400. */
export class BadInput extends Error {}

const MAX_DELAY = 600_000

function intParam(q: URLSearchParams, name: string, def: number, min: number, max: number): number {
  const raw = q.get(name)
  if (raw === null) return def
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new BadInput(`Expected \`${name}\` to be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`)
  }
  return n
}

/** Close codes a server may send (RFC 6455 7.4, as `ws` accepts them). */
function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999)
}

export interface Route {
  path: string
  delay: number
  close?: { code: number; reason: string; after: number }
  tag?: string
  /** `/rpc`: text messages that are JSON objects with an `id` are requests (see test-server.ts) */
  rpc?: true
}

export function parseRoute(url: URL): Route {
  const q = url.searchParams
  const route: Route = { path: url.pathname, delay: intParam(q, 'delay', 0, 0, MAX_DELAY) }
  if (url.pathname === '/close') {
    const code = intParam(q, 'code', 1000, 1000, 4999)
    if (!validCloseCode(code)) throw new BadInput(`Close code ${code} cannot be sent by a server`)
    const reason = q.get('reason') ?? ''
    if (Buffer.byteLength(reason) > 123) throw new BadInput('Expected `reason` to be at most 123 bytes')
    route.close = { code, reason, after: intParam(q, 'after', 0, 0, 1_000_000) }
  }
  if (url.pathname === '/log') route.tag = q.get('tag') ?? ''
  if (url.pathname === '/rpc') {
    route.rpc = true
    if (q.has('tag')) route.tag = q.get('tag') ?? ''
  }
  return route
}

export function rejectUpgrade(socket: Socket, status: number, text: string, body: string): void {
  if (!socket.writable) return void socket.destroy()
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}
