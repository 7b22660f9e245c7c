/**
 * The test server's connection counting: the counts (`ServerCounts`) and the connection log.
 *
 * Counting is exact: a connection counts as open from the completed handshake until its TCP
 * socket has closed (closing sockets included), which is what the per-origin cap is about.
 *
 * The log (`ConnectionEvent`s, time-stamped by the server's clock) tells when each connection
 * opened and when it began to go. A check of the caps over time reads it (the chaos run's): the
 * `end` is its first sign of going, the peer's FIN or its error, the server destroying it, or its
 * close, whichever comes first. A client counts its connection until its socket has closed, which
 * is after it sent its FIN, and on loopback the server reads that FIN before any handshake the
 * client starts afterwards: so a client that keeps to a cap never has more connections open
 * between `open` and `end` than the cap. (Until the close, a peer that has sent its FIN may still
 * be waiting for the server's FIN, and the client may already be done with it.)
 */
import type { Socket } from 'node:net'

export interface ServerCounts {
  /** currently open ws connections */
  open: number
  /** max simultaneously open since start/reset */
  peak: number
  /** handshakes completed since start/reset */
  accepted: number
  /** open per path (pathname only); paths seen since reset stay listed with 0 */
  byPath: Record<string, number>
  peakByPath: Record<string, number>
}

/** One entry of the connection log. */
export interface ConnectionEvent {
  /** the server's clock (`TestServerOptions.clock`) */
  at: number
  /** `open`: the handshake completed; `end`: the connection began to go (see the module's comment) */
  type: 'open' | 'end'
  /** the server's number for the connection (1, 2, ... per server, since start) */
  conn: number
  /** its path (pathname only) */
  path: string
}

/** Counts ws connections in and out and logs them. */
export class Counter {
  counts: ServerCounts = { open: 0, peak: 0, accepted: 0, byPath: {}, peakByPath: {} }
  #live = new Map<Socket, string>()
  /** connections logged as open whose `end` is not logged yet */
  #going = new Map<Socket, { conn: number; path: string }>()
  #log: ConnectionEvent[] = []
  #serial = 0

  constructor(readonly clock: () => number) {}

  /** A handshake completed. */
  in(socket: Socket, path: string): void {
    const { counts } = this
    this.#live.set(socket, path)
    counts.open++
    counts.accepted++
    counts.peak = Math.max(counts.peak, counts.open)
    const n = (counts.byPath[path] ?? 0) + 1
    counts.byPath[path] = n
    counts.peakByPath[path] = Math.max(counts.peakByPath[path] ?? 0, n)
    const conn = ++this.#serial
    this.#going.set(socket, { conn, path })
    this.#log.push({ at: this.clock(), type: 'open', conn, path })
  }

  /** A sign the connection is going (its FIN, an error): logged once, the first time. */
  going(socket: Socket): void {
    const c = this.#going.get(socket)
    if (c === undefined) return
    this.#going.delete(socket)
    this.#log.push({ at: this.clock(), type: 'end', ...c })
  }

  /** Its socket closed, or the server destroyed it (idempotent). */
  out(socket: Socket): void {
    this.going(socket)
    const path = this.#live.get(socket)
    if (path === undefined) return
    this.#live.delete(socket)
    this.counts.open--
    this.counts.byPath[path] = (this.counts.byPath[path] ?? 1) - 1
  }

  snapshot(): ServerCounts {
    return { ...this.counts, byPath: { ...this.counts.byPath }, peakByPath: { ...this.counts.peakByPath } }
  }

  /** The connection log since start/reset (a copy). */
  log(): ConnectionEvent[] {
    return this.#log.map((e) => ({ ...e }))
  }

  /** Clears peaks, counters and the log; open connections stay counted (and out of the log). */
  reset(): void {
    const byPath: Record<string, number> = {}
    for (const [path, n] of Object.entries(this.counts.byPath)) if (n > 0) byPath[path] = n
    this.counts = { open: this.counts.open, peak: this.counts.open, accepted: 0, byPath, peakByPath: { ...byPath } }
    this.#log = []
    this.#going.clear()
  }
}
