/**
 * The per-origin cards: each test server's own leases (one URL per card, so released
 * connections are reused), message bursts, server controls, and what the server itself counts.
 */
import type { HostStats } from 'wspool'
import type { App } from './app.js'
import { Card, type ServerInfo } from './cards.js'
import { readInt } from './dom.js'
import type { Lease } from './pool.js'

const OUTAGE_MS = 5000

/** What the test server counts (GET /_/stats and GET /_/rpc), as the page last read it. */
export interface ServerCounts {
  open: number
  peak: number
  byPath: Record<string, number>
  /** /rpc: requests received and replies sent since the last reset. */
  rpc: { received: number; replies: number }
}

export interface OriginState {
  server: ServerInfo
  origin: string
  /** All leases of a card share one URL, so released connections are reused. */
  leaseUrl: string
  held: Set<Lease>
  sent: string[]
  card: Card
  counts?: ServerCounts | 'down'
  halfOpen: boolean
  /** The server refuses new connections (the card's "Refuse", or the origin was stopped). */
  refuse: boolean
  outageUntil: number
}

export class Origins {
  readonly byName = new Map<string, OriginState>()
  #bursts = 0

  constructor(
    private readonly app: App,
    servers: readonly ServerInfo[],
    parent: Element,
  ) {
    for (const server of servers) {
      const origin = new URL(server.url).origin
      app.names[origin] = server.name
      const o: OriginState = {
        server,
        origin,
        leaseUrl: `${server.url}/log?tag=${server.name}`,
        held: new Set(),
        sent: [],
        halfOpen: false,
        refuse: false,
        outageUntil: 0,
        card: undefined as unknown as Card,
      }
      o.card = new Card(server, origin, {
        acquire: () => this.acquire(o, readInt('[data-testid=acquire-count]', 1, 50, 3)),
        releaseAll: () => this.releaseAll(o),
        burst: () => this.burst(o, readInt('[data-testid=burst-size]', 1, 1000, 20)),
        releaseTile: (id) => [...o.held].filter((l) => l.id === id).forEach((l) => this.release(o, l)),
        drop: () => void this.control(o, '/_/drop'),
        outage: () => {
          o.outageUntil = performance.now() + OUTAGE_MS
          void this.control(o, `/_/outage?ms=${OUTAGE_MS}`)
        },
        // The toggles show the server's confirmed mode, not the click.
        toggleHalfOpen: () => {
          const on = !o.halfOpen
          void this.control(o, `/_/half-open?on=${on ? 1 : 0}`).then((ok) => ok && ((o.halfOpen = on), app.schedule()))
        },
        toggleRefuse: () => void this.setRefuse(o, !o.refuse),
      })
      parent.append(o.card.el)
      this.byName.set(server.name, o)
    }
  }

  get all(): OriginState[] {
    return [...this.byName.values()]
  }

  control(o: OriginState, path: string): Promise<boolean> {
    return this.app.control(o.server.httpUrl, path, o.origin)
  }

  /** Sets the server's refuse mode; the page shows it once the server confirmed. */
  async setRefuse(o: OriginState, on: boolean): Promise<boolean> {
    const ok = await this.control(o, `/_/refuse?on=${on ? 1 : 0}`)
    if (ok) o.refuse = on
    this.app.schedule()
    return ok
  }

  acquire(o: OriginState, n: number): void {
    for (let i = 0; i < n; i++) {
      this.app.pool.acquire(o.leaseUrl).then(
        (lease) => {
          o.held.add(lease)
          this.app.schedule()
        },
        (err: unknown) => this.app.note(o.origin, err),
      )
    }
    this.app.schedule()
  }

  release(o: OriginState, lease: Lease): void {
    o.held.delete(lease)
    lease.release()
    this.app.schedule()
  }

  releaseAll(o: OriginState): void {
    for (const l of [...o.held]) this.release(o, l)
  }

  burst(o: OriginState, size: number): void {
    const k = ++this.#bursts
    const leases = [...o.held].filter((l) => l.state !== 'closed')
    for (let i = 0; i < size; i++) {
      const data = `burst ${k} msg ${i}`
      const lease = leases[i % Math.max(1, leases.length)]
      try {
        if (lease) lease.send(data)
        else void this.app.pool.send(o.leaseUrl, data).catch((err: unknown) => this.app.note(o.origin, err))
        o.sent.push(data)
      } catch (err) {
        this.app.note(o.origin, err)
      }
    }
    this.app.schedule()
  }

  /** Reads the server's own counts (connections and /rpc), unless it is known to be down. */
  async poll(o: OriginState): Promise<void> {
    if (performance.now() < o.outageUntil) {
      o.counts = 'down' // known outage: do not knock on a closed port
      return
    }
    try {
      const [stats, rpc] = await Promise.all([
        fetch(`${o.server.httpUrl}/_/stats`).then((r) => r.json() as Promise<{ open: number; peak: number; byPath: Record<string, number> }>),
        fetch(`${o.server.httpUrl}/_/rpc`).then((r) => r.json() as Promise<{ received: unknown[]; replies: number }>),
      ])
      o.counts = { open: stats.open, peak: stats.peak, byPath: stats.byPath, rpc: { received: rpc.received.length, replies: rpc.replies } }
    } catch {
      o.counts = 'down'
    }
  }

  /** Updates every card from the pool's stats; gives back leases whose connection closed for good. */
  render(hosts: Record<string, HostStats>, maxPerHost: number): number {
    const now = performance.now()
    let held = 0
    for (const o of this.byName.values()) {
      for (const l of o.held) if (l.state === 'closed') this.release(o, l) // closed for good: give it back
      const host = hosts[o.origin]
      if (host) this.app.model.reconcile(o.origin, host.connections)
      held += o.held.size
      o.card.update({
        tiles: this.app.model.tilesOf(o.origin),
        max: host ? host.max : maxPerHost,
        live: host ? host.connections : 0,
        pending: host ? host.pending : 0,
        held: o.held.size,
        circuit: host?.circuit,
        server: o.counts,
        halfOpen: o.halfOpen,
        refuse: o.refuse,
        outageLeft: Math.max(0, o.outageUntil - now),
      })
    }
    return held
  }
}
