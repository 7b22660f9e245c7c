/**
 * A lease's connection as a tab sees it when the connection lives in another context (the
 * SharedWorker or the leader tab): the {@link LeaseHandle} behind a `Lease` of a shared pool.
 *
 * It keeps every message sent until the host acknowledges that it reached an open socket, so
 * when the host changes (the leader tab closed) it sends them again, in order, to the new host;
 * while it has no host it holds them, within the `buffer` limits. Its state and id follow the
 * host's reports.
 */
import { PoolError } from '../core/errors.js'
import type { SendData } from '../core/socket.js'
import type { PoolUrl } from '../core/url.js'
import type { Holder, LeaseHandle } from '../pool/backend.js'
import type { WireAcquire, WireLease } from './messages.js'
import { byteLength } from '../runtime/transport.js'

/** What a remote lease needs from its owner: the tab's table of leases (remote-leases.ts). */
export interface RemoteOwner {
  readonly buffer: { maxMessages: number; maxBytes: number }
  /** Posts a message of this lease to the host (it is attached). */
  sendRemote(handle: RemoteLease, seq: number, data: SendData): void
  releaseRemote(handle: RemoteLease): void
  destroyRemote(handle: RemoteLease, code: number, reason: string): void
  /** Held messages that will never go out: reported as a `drop` event. */
  dropped(handle: RemoteLease, count: number, bytes: number, reason: 'released' | 'destroyed' | 'closed' | 'gave-up'): void
}

interface Held {
  seq: number
  data: SendData
  bytes: number
  /** Posted to the current host (not yet acknowledged). */
  posted: boolean
}

export class RemoteLease implements LeaseHandle {
  id: number
  protocol: string
  state: LeaseHandle['state']
  holder: Holder | null = null
  /** Leased on the host that is current (false while a new host has not granted it again). */
  attached = true
  readonly #held: Held[] = []
  #bytes = 0
  /** Messages held with no host to post them to (the ones the `buffer` limits bound, as a plain pool's while reconnecting). */
  #waiting = 0
  #waitingBytes = 0
  #seq = 0

  constructor(
    /** The name of the lease between tab and host: the number of the acquire that got it. */
    readonly name: number,
    readonly url: PoolUrl,
    /** What to ask a new host for. */
    readonly wireUrl: string | string[],
    readonly wireOptions: WireAcquire,
    info: WireLease,
    readonly owner: RemoteOwner,
  ) {
    this.id = info.id
    this.protocol = info.protocol
    this.state = info.state
  }

  get bufferedAmount(): number {
    return this.#bytes
  }

  /** Messages not yet acknowledged by the host. */
  get held(): number {
    return this.#held.length
  }

  send(_holder: Holder, data: SendData, hold: boolean): boolean {
    if (this.state === 'closed') throw new PoolError('ERR_LEASE_CLOSED', `Cannot send: the connection to ${this.url.redacted} is closed`, { origin: this.url.origin, url: this.url.redacted })
    const now = this.attached && this.state === 'open'
    if (!hold && !now) return false
    const bytes = byteLength(data)
    if (!this.attached) {
      // No host to take it: held within the `buffer` limits, as a plain pool holds while reconnecting.
      const { maxMessages, maxBytes } = this.owner.buffer
      if (this.#waiting >= maxMessages || this.#waitingBytes + bytes > maxBytes) {
        throw new PoolError('ERR_BUFFER_FULL', `Cannot send: ${this.#waiting} messages (${this.#waitingBytes} bytes) to ${this.url.redacted} wait for the pool's host (buffer: ${maxMessages} messages, ${maxBytes} bytes)`, { origin: this.url.origin, url: this.url.redacted })
      }
      this.#waiting++
      this.#waitingBytes += bytes
    }
    // Posted ones are kept too, until acknowledged, to be sent again if the host changes.
    const held: Held = { seq: ++this.#seq, data, bytes, posted: this.attached }
    this.#held.push(held)
    this.#bytes += bytes
    if (held.posted) this.owner.sendRemote(this, held.seq, data)
    return now
  }

  release(_holder: Holder): void {
    this.#end('released')
    this.owner.releaseRemote(this)
  }

  destroy(_holder: Holder, code: number, reason: string): void {
    this.#end('destroyed')
    this.owner.destroyRemote(this, code, reason)
  }

  /** The host handed messages up to `seq` to an open socket. */
  acked(seq: number): void {
    let n = 0
    while (n < this.#held.length && this.#held[n].seq <= seq) this.#bytes -= this.#held[n++].bytes
    if (n > 0) this.#held.splice(0, n)
  }

  /** The host changed: nothing is leased there until it grants the lease again. */
  detach(): void {
    this.attached = false
    for (const h of this.#held) h.posted = false
    this.#waiting = this.#held.length
    this.#waitingBytes = this.#bytes
  }

  /** The new host granted the lease: what was held goes out again, in order. */
  attach(info: WireLease): void {
    this.attached = true
    this.#waiting = this.#waitingBytes = 0
    this.update(info)
    for (const h of this.#held) {
      h.posted = true
      this.owner.sendRemote(this, h.seq, h.data)
    }
  }

  update(info: WireLease): void {
    this.id = info.id
    this.protocol = info.protocol
    if (this.state !== 'closed') this.state = info.state
  }

  /**
   * The connection closed for good: what the host held, it reported itself; what never reached
   * it is reported here.
   */
  closed(reason: 'gave-up' | 'closed'): void {
    this.#end(reason)
  }

  #end(reason: 'released' | 'destroyed' | 'closed' | 'gave-up'): void {
    if (this.state === 'closed' && this.#held.length === 0) return
    this.state = 'closed'
    const unposted = this.#held.filter((h) => !h.posted)
    this.#held.length = 0
    this.#bytes = this.#waiting = this.#waitingBytes = 0
    if (unposted.length > 0) this.owner.dropped(this, unposted.length, unposted.reduce((a, h) => a + h.bytes, 0), reason)
  }
}
