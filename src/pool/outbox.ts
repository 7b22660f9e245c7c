/**
 * Messages held while a connection is not open, kept in order within the `buffer` limits, until
 * they are flushed on reopen or reported as dropped. A message may carry a tag (a request): it can
 * then be withdrawn (the request timed out, or moved), and its owner hears when it went out.
 */
import { PoolError, type PoolErrorDetails } from '../core/errors.js'
import type { SendData } from '../core/socket.js'
import { byteLength } from '../runtime/transport.js'

export class Outbox {
  #items: SendData[] = []
  /** Tags by position, created on the first tagged message. */
  #tags: (object | undefined)[] | null = null
  bytes = 0

  constructor(readonly maxMessages: number, readonly maxBytes: number) {}

  get length(): number {
    return this.#items.length
  }

  /** @throws PoolError `ERR_BUFFER_FULL` when either limit would be exceeded */
  push(data: SendData, bytes: number, what: string, details: PoolErrorDetails, tag?: object): void {
    if (this.#items.length + 1 > this.maxMessages || this.bytes + bytes > this.maxBytes) {
      throw new PoolError(
        'ERR_BUFFER_FULL',
        `Cannot buffer ${bytes} bytes while ${what} reconnects: the buffer holds ${this.#items.length} messages / ${this.bytes} bytes of at most ${this.maxMessages} / ${this.maxBytes}`,
        details,
      )
    }
    if (tag) (this.#tags ??= [])[this.#items.length] = tag
    this.#items.push(data)
    this.bytes += bytes
  }

  /** Takes out the message pushed with `tag`, if it is still here. */
  withdraw(tag: object): void {
    const i = this.#tags?.indexOf(tag) ?? -1
    if (i < 0) return
    this.bytes -= byteLength(this.#items[i])
    this.#items.splice(i, 1)
    this.#tags!.splice(i, 1)
  }

  /** Empties the outbox: what it held, oldest first, with their tags (`undefined` for none). */
  take(): [SendData[], (object | undefined)[] | null] {
    const taken: [SendData[], (object | undefined)[] | null] = [this.#items, this.#tags]
    this.#items = []
    this.#tags = null
    this.bytes = 0
    return taken
  }
}
