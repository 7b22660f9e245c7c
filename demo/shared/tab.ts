/**
 * What this tab does with the shared pool: leases it holds, the numbered messages each sends
 * (`<lease label>:<n>`, logged by the test server in arrival order) and the echoes it gets back.
 * Labels name a lease in this tab for its whole life, across hand-overs (its `id`, the host's
 * connection id, may change when another tab takes over).
 */
import type { createSharedPool } from 'wspool'

export type Pool = ReturnType<typeof createSharedPool>
export type Lease = Awaited<ReturnType<Pool['acquire']>>

export interface Tracked {
  label: string
  lease: Lease
  /** Messages sent, in order. */
  sent: string[]
  /** Echoes received, in order. */
  echoed: string[]
  /** Every state the lease went through, deduplicated in a row ('open', 'reconnecting', 'open', ...). */
  states: string[]
  /** When it entered each of `states` (Date.now(), comparable across tabs). */
  times: number[]
  /** Kept by the tab ("Hold a lease"); false for a burst's lease, released once echoed. */
  held: boolean
  /** What ended it, when it ended: 'released' or the close. */
  ended?: string
}

export class TabLeases {
  readonly all: Tracked[] = []
  #n = 0
  readonly #streams = new Map<Tracked, ReturnType<typeof setInterval>>()

  constructor(
    readonly pool: Pool,
    /** Where every lease of this page goes (the server logs and echoes each message). */
    readonly url: string,
    readonly tabId: string,
    readonly changed: (note?: string) => void,
  ) {}

  /** Acquires a lease and keeps it. */
  async hold(): Promise<Tracked> {
    return this.#acquire(true)
  }

  /** Sends `count` numbered messages on a lease (queued by the pool while it reconnects). */
  send(t: Tracked, count: number): void {
    for (let i = 0; i < count; i++) {
      const m = `${t.label}:${t.sent.length}`
      t.lease.send(m)
      t.sent.push(m)
    }
    this.changed()
  }

  /** Sends one message every `interval` ms until stopped (or the lease ends). */
  stream(t: Tracked, interval: number): () => void {
    this.stop(t)
    this.#streams.set(t, setInterval(() => {
      if (t.ended) return this.stop(t)
      this.send(t, 1)
    }, interval))
    return () => this.stop(t)
  }

  stop(t: Tracked): void {
    clearInterval(this.#streams.get(t))
    this.#streams.delete(t)
  }

  /** A burst: acquire, send `count` messages, wait for every echo, release. */
  async burst(count: number, timeout = 20_000): Promise<Tracked> {
    const t = await this.#acquire(false)
    this.send(t, count)
    await new Promise<void>((resolve, reject) => {
      const started = Date.now()
      const check = setInterval(() => {
        if (t.echoed.length >= t.sent.length) resolve()
        else if (Date.now() - started > timeout) reject(new Error(`${t.label}: ${t.echoed.length} of ${t.sent.length} echoes after ${timeout} ms`))
        else return
        clearInterval(check)
      }, 20)
    }).finally(() => this.release(t))
    return t
  }

  release(t: Tracked): void {
    this.stop(t)
    if (t.ended) return
    t.ended = 'released'
    t.lease.release()
    this.#state(t, 'released')
  }

  releaseAll(): void {
    for (const t of this.all) this.release(t)
  }

  /** Leases not yet released or closed. */
  get live(): Tracked[] {
    return this.all.filter((t) => !t.ended)
  }

  async #acquire(held: boolean): Promise<Tracked> {
    const label = `${this.tabId}/L${++this.#n}`
    const lease = await this.pool.acquire(this.url)
    const t: Tracked = { label, lease, sent: [], echoed: [], states: [], times: [], held }
    this.all.push(t)
    this.#state(t, lease.state)
    lease.on('message', (data) => {
      t.echoed.push(String(data))
      this.changed()
    })
    for (const type of ['open', 'reconnecting'] as const) lease.on(type, () => this.#state(t, lease.state, `${label} ${type}`))
    lease.on('close', (e) => {
      t.ended = `closed ${e.code}`
      this.stop(t)
      this.#state(t, 'closed', `${label} closed (${e.code} ${e.reason})`)
    })
    return t
  }

  #state(t: Tracked, state: string, note?: string): void {
    if (t.states[t.states.length - 1] !== state) {
      t.states.push(state)
      t.times.push(Date.now())
    }
    this.changed(note)
  }
}
