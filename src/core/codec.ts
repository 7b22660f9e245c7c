/**
 * Request/reply encoding. The default codec is the JSON envelope `{ id, data }`: a request is
 * sent as `{"id":<n>,"data":<payload>}` and a reply is a text message that parses to an object
 * with an integer `id`; its `data` answers the request with that id.
 */
import type { SendData } from './socket.js'

/** Request/reply encoding (the `codec` option). */
export interface Codec {
  /** Builds the message for request `id`. Throwing (or returning something a socket cannot send) refuses the payload. */
  encode(id: number, payload: unknown): SendData
  /** Extracts `{ id, payload }` from a reply, or `undefined` when the message is not a reply. */
  decode(data: unknown): { id: number; payload: unknown } | undefined
}

/** The default codec: the JSON envelope `{ id, data }`. */
export const jsonCodec: Codec = {
  encode(id, payload) {
    const text = JSON.stringify({ id, data: payload })
    // `undefined`, a function or a symbol vanish from the envelope: the reply could not carry them.
    if (payload === undefined || typeof payload === 'function' || typeof payload === 'symbol') {
      throw new TypeError(`${payload === undefined ? 'undefined' : `a ${typeof payload}`} is not JSON-serialisable`)
    }
    return text
  },
  decode(data) {
    // Only text that can be an object: binary messages and other text are not replies.
    if (typeof data !== 'string' || data.charCodeAt(0) !== 123 /* { */) return undefined
    let reply: { id?: unknown; data?: unknown }
    try {
      reply = JSON.parse(data)
    } catch {
      return undefined
    }
    return reply !== null && Number.isInteger(reply.id) ? { id: reply.id as number, payload: reply.data } : undefined
  },
}
