/**
 * Messages a lease sent while its connection was not open, kept in order within the `buffer`
 * limits, until they are flushed on reopen or reported as dropped.
 */
import { PoolError, type PoolErrorDetails } from '../core/errors.js'
import type { SendData } from '../core/socket.js'

export class Outbox {
  #items: SendData[] = []
  bytes = 0

  constructor(readonly maxMessages: number, readonly maxBytes: number) {}

  get length(): number {
    return this.#items.length
  }

  /** @throws PoolError `ERR_BUFFER_FULL` when either limit would be exceeded */
  push(data: SendData, bytes: number, what: string, details: PoolErrorDetails): void {
    if (this.#items.length + 1 > this.maxMessages || this.bytes + bytes > this.maxBytes) {
      throw new PoolError(
        'ERR_BUFFER_FULL',
        `Cannot buffer ${bytes} bytes while ${what} reconnects: the buffer holds ${this.#items.length} messages / ${this.bytes} bytes of at most ${this.maxMessages} / ${this.maxBytes}`,
        details,
      )
    }
    this.#items.push(data)
    this.bytes += bytes
  }

  /** Empties the outbox and returns what it held, oldest first. */
  take(): SendData[] {
    const items = this.#items
    this.#items = []
    this.bytes = 0
    return items
  }
}
