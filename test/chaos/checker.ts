/**
 * The chaos suite's checker: a pure function (no I/O, no clock) from what the clients and the
 * server recorded to a verdict. `run.ts` feeds it; `test/unit/chaos-checker.test.ts` proves it
 * catches what it claims to.
 *
 * Messages are `${tag}#${seq}` with `tag` unique per lease, so the server's log under `tag`
 * is that lease's traffic in arrival order (across the lease's reconnects). Other log entries
 * (control messages) are ignored. The caps are checked over time by `caps.ts`.
 */
import { checkCaps, type CapsRecord, type CapsReport } from './caps.js'

export type { CapChange, CapsRecord, CapsReport } from './caps.js'

/** Codes a settled operation may carry (README "Errors"). */
export const DOCUMENTED_CODES: ReadonlySet<string> = new Set([
  'ERR_INVALID_OPTION', 'ERR_INVALID_ARGUMENT', 'ERR_INVALID_URL', 'ERR_ACQUIRE_TIMEOUT',
  'ERR_QUEUE_FULL', 'ERR_CONNECT_FAILED', 'ERR_CIRCUIT_OPEN', 'ERR_POOL_CLOSED',
  'ERR_LEASE_RELEASED', 'ERR_LEASE_CLOSED', 'ERR_BUFFER_FULL', 'ERR_REQUEST_TIMEOUT',
  'ERR_CONNECTION_LOST',
])

/** One acquire or request, as its caller saw it. */
export interface OpRecord {
  kind: 'acquire' | 'request'
  /** `value`: resolved; `error`: rejected with a PoolError (`code`) or something else (`code` undefined); `abort`: rejected with the signal's reason */
  settled?: { outcome: 'value' | 'error' | 'abort'; code?: string }
  /** a request resolved with a reply that is not its own */
  wrongReply?: boolean
}

/** One lease: its tag, connection id and the sequence numbers `send` accepted (did not throw). */
export interface LeaseRecord {
  tag: string
  connId: number
  accepted: number[]
  /** the part of `accepted` sent while the server was half-open (it records nothing then): expected lost */
  blind?: number[]
  /** other texts `send` accepted on this lease (control messages, each unique): they count in drops too */
  controls?: string[]
}

export interface ClientRecord {
  ops: OpRecord[]
  leases: LeaseRecord[]
  /** pool `drop` events */
  drops: { id: number; count: number }[]
  /** pool `close` events: socket deaths (`willReconnect` true or false) and connection ends (`willReconnect` false) */
  closes: { id: number; willReconnect: boolean }[]
}

/** Server side: text messages received per tag, in arrival order; what the cap check needs (`caps.ts`). */
export interface ServerRecord {
  logs: Record<string, string[]>
  caps?: CapsRecord
}

/** The `pool.stats().totals` fields the checker reconciles, read after `close()`. */
export interface TotalsRecord {
  created: number
  closed: number
  dropped: number
  timeouts: number
  rejected: number
  requests: number
  connections: number
  open: number
  connecting: number
  reconnecting: number
  active: number
  idle: number
  pending: number
  inFlight: number
}

export interface Report {
  ops: number
  hung: number
  undocumented: number
  accepted: number
  received: number
  dropped: number
  /** accepted, not received, not reported dropped, on a connection that had socket deaths */
  lostAtDeath: number
  /** accepted while the server was half-open, not received, not reported dropped */
  lostHalfOpen: number
  /** socket deaths (pool `close` events) */
  deaths: number
  duplicates: number
  reordered: number
  /** the cap check's figures, when the server record had what it needs */
  caps?: CapsReport
  violations: string[]
}

const parse = (tag: string, entry: string): number | undefined => {
  if (!entry.startsWith(`${tag}#`)) return undefined
  const n = Number(entry.slice(tag.length + 1))
  return Number.isInteger(n) && n >= 0 ? n : undefined
}

/** Checks one run; `violations` is empty when nothing is wrong. */
export function check(client: ClientRecord, server: ServerRecord, totals?: TotalsRecord): Report {
  const violations: string[] = []
  const r: Report = {
    ops: client.ops.length, hung: 0, undocumented: 0, accepted: 0, received: 0, dropped: 0,
    lostAtDeath: 0, lostHalfOpen: 0, deaths: client.closes.length, duplicates: 0, reordered: 0, violations,
  }

  for (const [i, op] of client.ops.entries()) {
    if (!op.settled) {
      r.hung++
      violations.push(`hung: ${op.kind} #${i} never settled`)
    } else if (op.wrongReply) {
      violations.push(`wrong reply: ${op.kind} #${i} resolved with another request's reply`)
    } else if (op.settled.outcome === 'error' && !DOCUMENTED_CODES.has(op.settled.code ?? '')) {
      r.undocumented++
      violations.push(`undocumented: ${op.kind} #${i} rejected with ${op.settled.code ?? 'a non-PoolError'}`)
    }
  }

  const dropsById = new Map<number, number>()
  for (const d of client.drops) {
    dropsById.set(d.id, (dropsById.get(d.id) ?? 0) + d.count)
    r.dropped += d.count
  }
  const deathsById = new Map<number, number>()
  for (const c of client.closes) deathsById.set(c.id, (deathsById.get(c.id) ?? 0) + 1)
  // Drops are reported per connection: the messages a connection's leases lost are weighed
  // against its drops and deaths together (run.ts gives each connection one lease).
  const missingById = new Map<number, number>()
  const blindById = new Map<number, number>()
  for (const lease of client.leases) {
    const accepted = new Set(lease.accepted)
    r.accepted += lease.accepted.length
    const seen = new Set<number>()
    let max = -1
    for (const entry of server.logs[lease.tag] ?? []) {
      const seq = parse(lease.tag, entry)
      if (seq === undefined) continue
      if (seen.has(seq)) {
        r.duplicates++
        violations.push(`duplicate: ${lease.tag}#${seq} received twice`)
        continue
      }
      seen.add(seq)
      r.received++
      if (!accepted.has(seq)) violations.push(`phantom: ${lease.tag}#${seq} received but never accepted by send`)
      if (seq < max) {
        r.reordered++
        violations.push(`reordered: ${lease.tag}#${seq} received after #${max}`)
      }
      max = Math.max(max, seq)
    }
    const log = server.logs[lease.tag] ?? []
    const missing = lease.accepted.filter((s) => !seen.has(s)).length + (lease.controls ?? []).filter((c) => !log.includes(c)).length
    missingById.set(lease.connId, (missingById.get(lease.connId) ?? 0) + missing)
    // A control message sent while deaf is not in `blind`: if it is missing, it is weighed as lost at a death.
    const blind = (lease.blind ?? []).filter((s) => !seen.has(s)).length
    blindById.set(lease.connId, (blindById.get(lease.connId) ?? 0) + blind)
  }
  for (const [id, missing] of missingById) {
    const dropped = dropsById.get(id) ?? 0
    if (dropped > missing) violations.push(`over-reported: connection ${id} reported ${dropped} dropped, but only ${missing} accepted message(s) did not arrive`)
    let unexplained = Math.max(0, missing - dropped)
    const deaf = Math.min(unexplained, blindById.get(id) ?? 0)
    r.lostHalfOpen += deaf
    unexplained -= deaf
    if (unexplained === 0) continue
    if ((deathsById.get(id) ?? 0) > 0) r.lostAtDeath += unexplained
    else violations.push(`lost: ${unexplained} accepted message(s) on connection ${id} neither received nor dropped, and it never died`)
  }

  if (server.caps) {
    r.caps = checkCaps(server.caps)
    violations.push(...r.caps.violations)
  }

  if (totals) {
    const count = (codes: string[]): number => client.ops.filter((o) => o.settled?.code !== undefined && codes.includes(o.settled.code)).length
    const expect = (name: keyof TotalsRecord, want: number): void => {
      if (totals[name] !== want) violations.push(`stats: totals.${name} is ${totals[name]}, the client counted ${want}`)
    }
    expect('dropped', r.dropped)
    expect('timeouts', count(['ERR_ACQUIRE_TIMEOUT', 'ERR_REQUEST_TIMEOUT']))
    expect('rejected', count(['ERR_QUEUE_FULL', 'ERR_CIRCUIT_OPEN']))
    expect('requests', client.ops.filter((o) => o.kind === 'request' && o.settled?.outcome === 'value').length)
    expect('closed', client.closes.filter((c) => !c.willReconnect).length)
    expect('created', totals.closed)
    for (const level of ['connections', 'open', 'connecting', 'reconnecting', 'active', 'idle', 'pending', 'inFlight'] as const) expect(level, 0)
  }
  return r
}
