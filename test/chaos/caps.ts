/**
 * The chaos checker's cap check (pure): the servers never saw more connections open than the caps
 * in force allowed, per origin (`maxPerHost`) and across origins (`maxTotal`).
 *
 * The bound. The pool counts a connection toward the caps from its creation (its first attempt)
 * until its socket has fully closed, and creates one only while fewer than the cap in force are
 * counted. So right after it creates a connection under a cap c it counts at most c, and until it
 * creates the next one its count can only fall, whatever the cap does meanwhile: a shrink closes
 * idle connections first and lets leased ones finish, so the count may stay above the new cap for
 * a while, and their sockets may even reopen (a reconnecting connection is counted all along).
 * The bound at any moment is therefore the cap that was in force when the pool last created a
 * connection: to that origin for `maxPerHost`, to any origin for `maxTotal`.
 *
 * The servers' side. A connection is open on a server from its handshake to its `end`, the first
 * sign of its going (`test/server/counts.ts`), and each one is a socket of a connection the pool
 * counts, not yet counted by the server when it opens. So when a socket opens, the connections
 * already open are fewer than the bound; one more is a pool that opened beyond its cap.
 *
 * This needs every timestamp from one clock (the run shares one, strictly increasing, between the
 * servers and the pool's listeners), the pool's first `connect` event of a connection id as its
 * creation (the pool emits it in the same synchronous turn), and a cap change recorded around
 * `resize` as the larger of the old and the new caps just before the call (a grow creates
 * connections inside the call) and the new ones after it.
 */

/** The caps in force from `at` on. */
export interface CapChange {
  at: number
  perHost: number
  total: number
}

/** A server's connection log entry (`ConnectionEvent` of the test server; `path` is not needed). */
export interface ServerConnEvent {
  at: number
  type: 'open' | 'end'
  conn: number
}

export interface CapsRecord {
  /** the caps in force, in time order; the first entry is in force from the start */
  caps: CapChange[]
  /** the pool's creations of connections (first `connect` event of an id), by origin */
  creations: { at: number; origin: string }[]
  /** each server's connection log, by its origin (`ws://host:port`) */
  servers: Record<string, ServerConnEvent[]>
}

export interface CapsReport {
  /** sockets opened on the servers */
  opens: number
  /** of those, opened at or above a cap then in force: allowed, the pool last created a connection under a larger one */
  aboveShrunk: number
  /** the most connections open at once on one server, and on all of them */
  peakPerHost: number
  peakTotal: number
  /** the largest caps ever in force */
  maxPerHost: number
  maxTotal: number
  violations: string[]
}

type Ev =
  | { at: number; rank: 0; cap: CapChange }
  | { at: number; rank: 1; origin: string }
  | { at: number; rank: 2 | 3; origin: string; conn: number }

/** Checks the caps over time; at equal times caps come first, then creations, ends and opens. */
export function checkCaps(r: CapsRecord): CapsReport {
  if (r.caps.length === 0) throw new Error('checkCaps: no caps recorded')
  const violations: string[] = []
  const report: CapsReport = {
    opens: 0, aboveShrunk: 0, peakPerHost: 0, peakTotal: 0,
    maxPerHost: Math.max(...r.caps.map((c) => c.perHost)), maxTotal: Math.max(...r.caps.map((c) => c.total)), violations,
  }
  const evs: Ev[] = [
    ...r.caps.map((cap): Ev => ({ at: cap.at, rank: 0, cap })),
    ...r.creations.map(({ at, origin }): Ev => ({ at, rank: 1, origin })),
    ...Object.entries(r.servers).flatMap(([origin, log]) => log.map(({ at, type, conn }): Ev => ({ at, rank: type === 'end' ? 2 : 3, origin, conn }))),
  ]
  evs.sort((a, b) => a.at - b.at || a.rank - b.rank)

  let cap = r.caps[0]
  /** per origin: `maxPerHost` when the pool last created a connection to it */
  const hostBound = new Map<string, number>()
  /** `maxTotal` when the pool last created a connection */
  let totalBound = cap.total
  const open = new Map<string, number>()
  let total = 0
  for (const ev of evs) {
    if (ev.rank === 0) cap = ev.cap
    else if (ev.rank === 1) {
      hostBound.set(ev.origin, cap.perHost)
      totalBound = cap.total
    } else if (ev.rank === 2) {
      open.set(ev.origin, Math.max(0, (open.get(ev.origin) ?? 0) - 1))
      total = Math.max(0, total - 1)
    } else {
      const n = open.get(ev.origin) ?? 0
      const bound = hostBound.get(ev.origin) ?? cap.perHost
      const at = `${ev.at.toFixed(1)} ms`
      if (n >= bound) violations.push(`maxPerHost: connection ${ev.conn} to ${ev.origin} opened at ${at} while ${n} were open there; the cap was ${bound} when the pool last created a connection to it`)
      if (total >= totalBound) violations.push(`maxTotal: connection ${ev.conn} to ${ev.origin} opened at ${at} while ${total} were open on all servers; the cap was ${totalBound} when the pool last created a connection`)
      else if (n < bound && (n >= cap.perHost || total >= cap.total)) report.aboveShrunk++
      report.opens++
      open.set(ev.origin, n + 1)
      total++
      report.peakPerHost = Math.max(report.peakPerHost, n + 1)
      report.peakTotal = Math.max(report.peakTotal, total)
    }
  }
  return report
}
