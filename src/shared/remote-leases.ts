/**
 * The leases a tab holds at the pool's host, by name (the number of the acquire that got each
 * one). It builds a lease when the host grants it, routes the host's reports on its connection to
 * it, and ends it when that connection closes for good, when it is released or destroyed, or when
 * the pool closes. When a new host registers the tab it asks for every one again, under the same
 * name, ahead of every queued acquire.
 *
 * It is the {@link RemoteOwner} of each lease: a lease's sends, release and destroy reach the host
 * through it, so a lease that leaves the table is gone from the host's books too.
 */
import type { SendData } from '../core/socket.js'
import type { LeaseHandle } from '../pool/backend.js'
import type { DropReason, Emitter, PoolEvents } from '../pool/events.js'
import type { Lease } from '../pool/lease.js'
import type { ToHost, WireLease } from './messages.js'
import type { Operations } from './operations.js'
import { RemoteLease, type RemoteOwner } from './remote-lease.js'

/** What the leases need from their tab's backend. */
export interface RemoteLeasesOwner {
  /** The tab's name at the host. */
  readonly id: string
  /** Whether a host knows this tab: a release or destroy is posted only then. */
  readonly attached: boolean
  /** Where `drop` events go. */
  readonly emitter: Emitter<PoolEvents>
  post(message: ToHost): void
  /** The public `Lease` over a handle. */
  makeLease(handle: LeaseHandle): Lease
  /** A lease left the table (a drain waits for the last). */
  settled(): void
}

type Close = { code: number; reason: string; wasClean: boolean }

/** A tab's leases at the host (see the module's note). */
export class RemoteLeases implements RemoteOwner {
  readonly #leases = new Map<number, RemoteLease>()

  constructor(
    readonly owner: RemoteLeasesOwner,
    /** The acquires under way: a lease the host grants answers one of them. */
    readonly ops: Operations,
    readonly buffer: { maxMessages: number; maxBytes: number },
  ) {}

  get size(): number {
    return this.#leases.size
  }

  /** The host handed lease `l`'s messages up to `s` to an open socket. */
  acked(l: number, s: number): void {
    this.#leases.get(l)?.acked(s)
  }

  /** The host granted lease `r`: one held before a hand-over, or the answer to acquire `r`. */
  leased(r: number, info: WireLease): void {
    const again = this.#leases.get(r)
    if (again) {
      // A new host granted a lease held before the hand-over.
      again.attach(info)
      again.holder?._events?.emit('open', { protocol: info.protocol })
      return
    }
    const op = this.ops.get(r)
    if (!op || !op.lease) {
      // Settled meanwhile (timed out, aborted): give it back.
      return this.owner.post({ k: 'release', c: this.owner.id, l: r })
    }
    const handle = new RemoteLease(r, op.lease.url, op.lease.wireUrl, op.lease.o, info, this)
    const lease = this.owner.makeLease(handle)
    handle.holder = lease
    this.#leases.set(r, handle)
    this.ops.settle(op, lease, undefined)
  }

  /** An event on lease `l`'s connection, as the current host reports it. */
  event(l: number, type: string, event: unknown, info: WireLease): void {
    const lease = this.#leases.get(l)
    // Not yet granted again by a new host: what the old one says no longer holds.
    if (!lease || !lease.attached) return
    lease.update(info)
    if (type === 'close') return this.#end(lease, event as Close, 'closed')
    lease.holder?._events?.emit(type, event)
  }

  /** A new host could not grant lease `r` again: it ends here. */
  failed(r: number, error: Error): void {
    const lease = this.#leases.get(r)
    if (lease) this.#end(lease, { code: 1006, reason: error.message, wasClean: false }, 'gave-up', error)
  }

  /** The pool closed: every lease ends. */
  closeAll(): void {
    for (const lease of [...this.#leases.values()]) this.#end(lease, { code: 1000, reason: 'pool closed', wasClean: true }, 'closed')
  }

  /** No host holds them any more (the page went away): their sends wait. */
  detach(): void {
    for (const lease of this.#leases.values()) lease.detach()
  }

  /** A new host holds nothing for this tab: every lease waits (`reconnecting`) and is asked for again. */
  askAgain(): void {
    for (const lease of this.#leases.values()) {
      lease.detach()
      if (lease.state === 'open') {
        lease.state = 'reconnecting'
        lease.holder?._events?.emit('reconnecting', { attempt: 1, delay: 0, code: 1001, reason: 'the pool moved to another tab' })
      }
      // Ahead of every queued acquire: a lease held before the hand-over must not wait behind new ones.
      this.owner.post({ k: 'acquire', c: this.owner.id, r: lease.name, url: lease.wireUrl, o: { ...lease.wireOptions, priority: Number.MAX_VALUE } })
    }
  }

  // RemoteOwner -------------------------------------------------------------------------------

  sendRemote(lease: RemoteLease, seq: number, data: SendData): void {
    this.owner.post({ k: 'send', c: this.owner.id, l: lease.name, s: seq, d: data })
  }

  releaseRemote(lease: RemoteLease): void {
    this.#leases.delete(lease.name)
    if (this.owner.attached) this.owner.post({ k: 'release', c: this.owner.id, l: lease.name })
    this.owner.settled()
  }

  destroyRemote(lease: RemoteLease, code: number, reason: string): void {
    this.#leases.delete(lease.name)
    if (this.owner.attached) this.owner.post({ k: 'destroy', c: this.owner.id, l: lease.name, code, reason })
    const target = lease.holder?._events
    lease.holder?._closed()
    target?.emit('close', { code, reason, wasClean: true })
    this.owner.settled()
  }

  dropped(lease: RemoteLease, count: number, bytes: number, reason: DropReason): void {
    this.owner.emitter.emit('drop', { origin: lease.url.origin, id: lease.id, url: lease.url.redacted, count, bytes, reason })
  }

  /** A lease's connection ended for good. */
  #end(lease: RemoteLease, close: Close, reason: 'gave-up' | 'closed', error?: Error): void {
    this.#leases.delete(lease.name)
    const target = lease.holder?._events
    lease.holder?._closed()
    lease.closed(reason)
    if (error) target?.emit('error', error)
    target?.emit('close', close)
    this.owner.settled()
  }
}
