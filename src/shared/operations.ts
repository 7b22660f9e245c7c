/**
 * The acquires and requests a tab has under way at the pool's host. Each has its own deadline
 * (the host enforces it; this one answers for a host that does not), its abort signal, and
 * whether the current host has it. When a new host registers the tab they are posted again,
 * except requests that are not idempotent and may have run at the old host: those reject with
 * `ERR_CONNECTION_LOST`, as after any connection loss.
 */
import { PoolError } from '../core/errors.js'
import type { PoolUrl } from '../core/url.js'
import type { ToHost, WireAcquire } from './messages.js'

/** What the operations need from their tab's backend. */
export interface OperationsOwner {
  /** The tab's name at the host. */
  readonly id: string
  /** Whether a host knows this tab: operations are posted only then. */
  readonly attached: boolean
  post(message: ToHost): void
  /** An operation settled (a drain waits for the last). */
  settled(): void
}

export interface Op {
  readonly r: number
  readonly message: ToHost & { r: number }
  readonly resolve: (value: any) => void
  readonly reject: (error: unknown) => void
  readonly origin: string
  readonly idempotent: boolean
  timer?: ReturnType<typeof setTimeout>
  signal?: AbortSignal
  onAbort?: () => void
  /** Acquires: what to build the lease from. */
  lease?: { url: PoolUrl; wireUrl: string | string[]; o: WireAcquire }
  /** Posted to the current host. */
  posted: boolean
}

export class Operations {
  readonly #ops = new Map<number, Op>()

  constructor(readonly owner: OperationsOwner) {}

  get(r: number): Op | undefined {
    return this.#ops.get(r)
  }

  /** Whether an acquire is under way (a lease may still come). */
  get acquiring(): boolean {
    for (const op of this.#ops.values()) if (op.lease) return true
    return false
  }

  start(message: ToHost & { r: number }, origin: string, timeout: number, signal: AbortSignal | undefined, idempotent: boolean, lease: Op['lease'], timeoutCode: 'ERR_ACQUIRE_TIMEOUT' | 'ERR_REQUEST_TIMEOUT'): Promise<any> {
    return new Promise((resolve, reject) => {
      const op: Op = { r: message.r, message, resolve, reject, origin, idempotent, lease, posted: false }
      this.#ops.set(op.r, op)
      if (timeout !== Infinity) {
        op.timer = setTimeout(() => {
          const what = timeoutCode === 'ERR_ACQUIRE_TIMEOUT' ? 'acquire' : 'request'
          this.settle(op, undefined, new PoolError(timeoutCode, `The ${what} to ${origin} timed out after ${timeout} ms: the pool's host (another tab or the shared worker) did not answer`, { origin }))
        }, timeout + 1000)
      }
      if (signal) {
        op.signal = signal
        op.onAbort = () => this.settle(op, undefined, signal.reason)
        signal.addEventListener('abort', op.onAbort)
      }
      if (this.owner.attached) this.#post(op)
    })
  }

  /** The host answered operation `r`: false when none is under way by that name (it may name a lease). */
  answer(r: number, value: unknown, error: unknown): boolean {
    const op = this.#ops.get(r)
    if (op) this.settle(op, value, error)
    return op !== undefined
  }

  settle(op: Op, value: unknown, error: unknown): void {
    if (this.#ops.get(op.r) !== op) return
    this.#ops.delete(op.r)
    clearTimeout(op.timer)
    if (op.signal && op.onAbort) op.signal.removeEventListener('abort', op.onAbort)
    if (error !== undefined && op.posted && this.owner.attached) this.owner.post({ k: 'cancel', c: this.owner.id, r: op.r })
    if (error !== undefined) op.reject(error)
    else op.resolve(value)
    this.owner.settled()
  }

  /** A host registered the tab afresh: everything under way goes to it (see the module's note). */
  repost(): void {
    for (const op of [...this.#ops.values()]) {
      if (op.posted && op.message.k === 'request' && !op.idempotent) {
        this.settle(op, undefined, new PoolError('ERR_CONNECTION_LOST', `The request to ${op.origin} was lost: the pool's host changed while it was under way (it is not idempotent, so it was not sent again)`, { origin: op.origin }))
      } else this.#post(op)
    }
  }

  /** Rejects every operation with the error `reason` makes for it. */
  rejectAll(reason: (op: Op) => unknown): void {
    for (const op of [...this.#ops.values()]) this.settle(op, undefined, reason(op))
  }

  #post(op: Op): void {
    try {
      this.owner.post(op.message)
      op.posted = true
    } catch (error) {
      // A payload that cannot be structured-cloned never leaves the tab.
      this.settle(op, undefined, new PoolError('ERR_INVALID_ARGUMENT', `Cannot send the request to ${op.origin}: its payload cannot be passed to the pool's host (${(error as Error).message})`, { origin: op.origin, cause: error }))
    }
  }
}
