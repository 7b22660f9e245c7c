/**
 * The test server's `/rpc` route: request/reply over JSON, for the pool's `request`.
 *
 * A text message that parses to a JSON object with an `id` property is a request `{ id, data }`:
 * it is recorded (see `TestServer.rpc()`) and answered with `{ id, data }`, the same `id` and
 * `data`, so a caller gets its own payload back. When `data` is an object, these fields of it
 * steer the answer (other values of them are ignored; nothing a client sends crashes the server):
 * - `delay: MS`                reply after MS ms (an integer in [0, 600000]); default the route's `?delay=`
 *                              (a slow server, `setReplyDelay`, adds its delay to either)
 * - `noReply: true`            send no reply
 * - `twice: true`              send the reply twice
 * - `push: X`                  first send `{"push":X}` at once (an unsolicited message, no id)
 * - `before: [S, ...]`         first send each string S verbatim at once
 * - `close: { code, reason? }` close the connection with that code and reason at once, no reply
 * - `drop: true`               destroy the socket at once (no close frame), no reply
 * Every other message (not JSON, not an object, no `id`; binary ones too) is echoed as is, like
 * `/echo`, so a lease can make the server send any message back.
 */
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'

/** One request the server received on `/rpc`. */
export interface RpcRequest {
  /** The server's number for the connection it came on (1, 2, ... per server, since start). */
  conn: number
  /** The request's `id`, as sent. */
  id: unknown
  /** The request's `data`, as sent (`undefined` when absent). */
  data: unknown
  /** The message text. */
  raw: string
}

export interface RpcCounts {
  /** Requests received since start/reset, in arrival order. */
  received: RpcRequest[]
  /** Replies sent since start/reset (`twice` counts 2). */
  replies: number
  /** Requests whose reply is scheduled and not yet sent (on connections still open). */
  pending: number
  /** The most requests pending at once on one connection since start/reset. */
  peakPerConnection: number
}

interface Conn {
  readonly n: number
  pending: number
  alive: boolean
}

const MAX_DELAY = 600_000

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const validDelay = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_DELAY
/** Close codes a server may send (RFC 6455 7.4, as `ws` accepts them). */
const validCloseCode = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && ((v >= 1000 && v <= 1014 && ![1004, 1005, 1006].includes(v)) || (v >= 3000 && v <= 4999))

export interface Rpc {
  /** A `/rpc` connection was accepted. */
  open(socket: Socket): void
  /** Its socket closed or was destroyed (idempotent): scheduled replies are cancelled. */
  end(socket: Socket): void
  /** Handles a text message; false when it is not a request (the caller echoes it). `extraDelay`: the slow server's. */
  message(ws: WebSocket, socket: Socket, text: string, routeDelay: number, extraDelay?: number): boolean
  snapshot(): RpcCounts
  reset(): void
}

/**
 * `later(ms, fn)` schedules on the server's timers (cleared by `close()`); `destroy(socket)` kills a
 * socket the way `dropAll` does.
 */
export function createRpc(later: (ms: number, fn: () => void) => void, destroy: (socket: Socket) => void): Rpc {
  const conns = new Map<Socket, Conn>()
  let received: RpcRequest[] = []
  let replies = 0
  let pending = 0
  let peak = 0
  let serial = 0

  const parse = (text: string): Record<string, unknown> | undefined => {
    try {
      const v: unknown = JSON.parse(text)
      return isObject(v) && 'id' in v ? v : undefined
    } catch {
      return undefined
    }
  }

  return {
    open(socket) {
      conns.set(socket, { n: ++serial, pending: 0, alive: true })
    },
    end(socket) {
      const c = conns.get(socket)
      if (!c) return
      conns.delete(socket)
      c.alive = false
      pending -= c.pending
      c.pending = 0
    },
    message(ws, socket, text, routeDelay, extraDelay = 0) {
      const c = conns.get(socket)
      const request = c && parse(text)
      if (!c || !request) return false
      const { id, data } = request
      received.push({ conn: c.n, id, data, raw: text })
      const d = isObject(data) ? data : {}
      const send = (msg: string): boolean => {
        if (ws.readyState !== ws.OPEN) return false
        ws.send(msg)
        return true
      }
      if (d.drop === true) {
        destroy(socket)
        return true
      }
      if (isObject(d.close) && validCloseCode(d.close.code)) {
        const reason = typeof d.close.reason === 'string' && Buffer.byteLength(d.close.reason) <= 123 ? d.close.reason : ''
        if (ws.readyState === ws.OPEN) ws.close(d.close.code, reason)
        return true
      }
      if ('push' in d) send(JSON.stringify({ push: d.push }))
      if (Array.isArray(d.before)) for (const m of d.before) if (typeof m === 'string') send(m)
      if (d.noReply === true) return true
      const reply = JSON.stringify({ id, data })
      const times = d.twice === true ? 2 : 1
      c.pending++
      pending++
      peak = Math.max(peak, c.pending)
      const answer = (): void => {
        if (!c.alive) return // the connection ended: end() already took it out of `pending`
        c.pending--
        pending--
        for (let i = 0; i < times; i++) if (send(reply)) replies++
      }
      const ms = (validDelay(d.delay) ? d.delay : routeDelay) + extraDelay
      if (ms > 0) later(ms, answer)
      else answer()
      return true
    },
    snapshot: () => ({
      received: received.map((r) => ({ ...r })),
      replies,
      pending,
      peakPerConnection: peak,
    }),
    reset() {
      received = []
      replies = 0
      peak = 0
      for (const c of conns.values()) peak = Math.max(peak, c.pending)
    },
  }
}
