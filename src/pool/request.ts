/**
 * One request: a waiter that, once placed on a connection, stays armed until its reply, its
 * abort or its loss. Its deadline is the request's `timeout`, counted from the call, queueing
 * included. It never holds a lease: it rides a shared connection, and counts in that
 * connection's load (shared holders plus requests) until it settles. {@link Requests} keeps
 * the pending ones by correlation id.
 */
import { jsonCodec, type Codec } from '../core/codec.js'
import { PoolError, describeValue } from '../core/errors.js'
import { asError } from '../core/failure.js'
import { callbackError } from '../core/refusals.js'
import { isSendData, type SendData } from '../core/socket.js'
import type { PoolUrl } from '../core/url.js'
import type { ConnectionRef } from './events.js'
import { Waiter } from './waiter.js'

export class Request<S = unknown> extends Waiter<S> {
  /** Handed to an open socket and not answered yet (in flight), as opposed to queued or buffered. */
  sent = false
  /** Lost once already, and placed again (idempotent requests are sent at most twice). */
  resent = false

  constructor(
    url: PoolUrl,
    key: string,
    protocols: readonly string[],
    priority: number,
    start: number,
    timeout: number,
    signal: AbortSignal | undefined,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
    /** The correlation id, unique per pool. */
    readonly id: number,
    /** The encoded message (`codec.encode(id, payload)`). */
    readonly data: SendData,
    readonly idempotent: boolean,
  ) {
    super(url, key, protocols, priority, start, timeout, signal, resolve, reject)
    this.shared = true
  }
}

/** Where codec failures are reported. */
interface CodecEnv {
  emit(type: 'error', event: { origin: string; url: string; error: PoolError }): void
}

/** Pending requests by correlation id, and the codec that frames them and reads their replies. */
export class Requests<S = unknown> extends Map<number, Request<S>> {
  #last = 0

  constructor(
    readonly codec: Codec,
    readonly env: CodecEnv,
  ) {
    super()
  }

  /** A new correlation id, and the codec's message for it: `ERR_INVALID_ARGUMENT` when the codec cannot encode the payload. */
  frame(payload: unknown, url: PoolUrl): [id: number, data: SendData] {
    const id = ++this.#last
    let data: unknown
    try {
      data = this.codec.encode(id, payload)
    } catch (error) {
      const at = { origin: url.origin, url: url.redacted }
      if (this.codec !== jsonCodec) this.env.emit('error', { ...at, error: callbackError('codec.encode', error, at) })
      throw new PoolError('ERR_INVALID_ARGUMENT', `Cannot send request ${id} to ${url.redacted}: the codec cannot encode its payload (${asError(error, String(error)).message})`, { ...at, cause: error })
    }
    if (typeof data !== 'string' && !isSendData(data)) {
      throw new PoolError('ERR_INVALID_ARGUMENT', `Cannot send request ${id} to ${url.redacted}: \`codec.encode\` returned ${describeValue(data)}, not a string, ArrayBuffer, typed array or Blob`, { origin: url.origin, url: url.redacted })
    }
    return [id, data]
  }

  /** The placed request that `data` (arrived on `at`) answers, and its reply's payload; undefined when it answers none. A codec that throws is reported. */
  match(data: unknown, conn: { readonly ref: ConnectionRef }): [Request<S>, unknown] | undefined {
    let reply: { id: number; payload: unknown } | undefined
    try {
      reply = this.codec.decode(data)
    } catch (error) {
      const at = conn.ref
      this.env.emit('error', { ...at, error: callbackError('codec.decode', error, { origin: at.origin, url: at.url }, ' (the message counts as no reply)') })
      return undefined
    }
    const r = reply && this.get(reply.id)
    return r && r.slot ? [r, reply!.payload] : undefined
  }
}
