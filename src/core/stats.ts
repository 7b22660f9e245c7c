/**
 * Counters, gauges and latency summaries, with a cached snapshot.
 *
 * Every host record feeds the pool-wide totals as it changes, so totals survive hosts and
 * reading them never sums over connections. A snapshot is rebuilt only after something changed
 * (a record's cache was dropped, a message counter moved, or the registry's `#dirty` flag), so
 * repeated reads return the same object: fit for `useSyncExternalStore`.
 */
import { LatencyWindow, type LatencySummary } from './latency.js'

export { LatencyWindow, type LatencySummary }

/** Per-origin (or pool-wide) figures. Gauges are current levels; counters only grow. */
export interface HostStats {
  /** Live connections counting toward the cap: connecting, open, reconnecting and closing. */
  connections: number
  /** Connections whose socket is open. */
  open: number
  /** Connections making their first attempts (including backoff waits before they first open). */
  connecting: number
  /** Connections reconnecting after an unexpected drop. */
  reconnecting: number
  /** Connections held: by an exclusive lease, or carrying shared holders or requests. */
  active: number
  /** Connections carrying shared holders or requests (a part of `active`). */
  shared: number
  /** Open connections held by nobody. */
  idle: number
  /** Acquires not yet settled (queued, or waiting for their connection to open), and requests not yet sent (queued, or buffered for a connection that is not open). */
  pending: number
  /** Requests sent and not yet answered. */
  inFlight: number
  /** The cap (`maxPerHost` per host, `maxTotal` in totals); `null` when unlimited. */
  max: number | null
  /** Connections created. */
  created: number
  /** Connections closed for good. */
  closed: number
  /** Successful reopenings after a drop. */
  reconnects: number
  /** Failed connection attempts and socket errors. */
  errors: number
  /** Acquires rejected with `ERR_ACQUIRE_TIMEOUT`, requests with `ERR_REQUEST_TIMEOUT`. */
  timeouts: number
  /** Acquires rejected with `ERR_QUEUE_FULL` or `ERR_CIRCUIT_OPEN`. */
  rejected: number
  /** Buffered messages discarded (each also reported in a `drop` event). */
  dropped: number
  /** Messages received (heartbeat traffic excluded). */
  messagesIn: number
  /** Messages written to a socket (heartbeat traffic excluded). */
  messagesOut: number
  /** Payload bytes received: UTF-8 bytes for text, `byteLength` for binary. */
  bytesIn: number
  /** Payload bytes written to a socket. */
  bytesOut: number
  /** Requests answered (a reply matched them). */
  requests: number
  /** Time from `acquire` to its lease, ms. */
  acquireWait: LatencySummary
  /** Time from a socket's construction to its open event, ms. */
  connectTime: LatencySummary
  /** Time from `request` to its reply, ms. */
  requestTime: LatencySummary
  /** Circuit breaker state of the origin (hosts only, not totals). */
  circuit?: 'closed' | 'open' | 'half-open'
}

/** The snapshot `pool.stats()` returns: plain, JSON-serialisable. */
export interface PoolStats {
  /** Figures over every origin. */
  totals: HostStats
  /** Figures per origin, keyed by origin. */
  hosts: Record<string, HostStats>
}

/** The numeric fields of {@link HostStats} that are counted (not the cap or summaries). */
export type CountField = Exclude<keyof HostStats, 'max' | 'acquireWait' | 'connectTime' | 'requestTime' | 'circuit'>
/** The latency summaries of {@link HostStats}. */
export type LatencyField = 'acquireWait' | 'connectTime' | 'requestTime'

/** Fixed-shape counters: every record has the same hidden class, so updates stay fast. */
class Counters implements Record<CountField, number> {
  connections = 0; open = 0; connecting = 0; reconnecting = 0; active = 0; shared = 0; idle = 0; pending = 0
  inFlight = 0; created = 0; closed = 0; reconnects = 0; errors = 0; timeouts = 0; rejected = 0; dropped = 0
  messagesIn = 0; messagesOut = 0; bytesIn = 0; bytesOut = 0; requests = 0
}

/**
 * Mutable figures of one origin (or of the totals, which have no parent). Every change to a host
 * changes the totals too, so a fresh totals snapshot means nothing counted changed anywhere; only
 * the circuit state (hosts only) has to tell the registry itself.
 */
export class StatsRecord {
  readonly values = new Counters()
  readonly acquireWait = new LatencyWindow()
  readonly connectTime = new LatencyWindow()
  readonly requestTime = new LatencyWindow()
  #circuit: 'closed' | 'open' | 'half-open' = 'closed'
  /** This record's snapshot, null after a change; `#max` is the cap it was built with. */
  #cached?: HostStats | null
  #max?: number
  readonly #registry: StatsRegistry
  readonly #parent: StatsRecord | null

  constructor(registry: StatsRegistry, parent: StatsRecord | null) {
    this.#registry = registry
    this.#parent = parent
  }

  /** Adds `n` (may be negative, for gauges) here and in the totals. */
  add(field: CountField, n = 1): void {
    const parent = this.#parent
    this.values[field] += n
    this.#cached = null
    if (parent) {
      parent.values[field] += n
      parent.#cached = null
    }
  }

  /** Moves the `active` gauge of a host: the acquire/release hot path, kept to named increments. */
  active(n: number): void {
    this.values.active += n
    this.#parent!.values.active += n
    this.#touch()
  }

  /** Moves the `idle` gauge of a host (hot path). */
  idle(n: number): void {
    this.values.idle += n
    this.#parent!.values.idle += n
    this.#touch()
  }

  /** Moves the `pending` gauge of a host (hot path). */
  pending(n: number): void {
    this.values.pending += n
    this.#parent!.values.pending += n
    this.#touch()
  }

  /** Moves `n` requests of a host from `pending` to `inFlight` (sent), or back with a negative `n` (the request hot path). */
  sent(n: number): void {
    const v = this.values
    const t = this.#parent!.values
    v.pending -= n
    t.pending -= n
    v.inFlight += n
    t.inFlight += n
    this.#touch()
  }

  /** Moves the `shared` gauge of a host, and `active` with it (a connection carrying shared holders or requests is active). */
  shared(n: number): void {
    const v = this.values
    const t = this.#parent!.values
    v.shared += n
    t.shared += n
    v.active += n
    t.active += n
    this.#touch()
  }

  /** Counts one answered request and its time (the request hot path). */
  answered(ms: number): void {
    this.values.requests++
    this.#parent!.values.requests++
    this.requestTime.record(ms)
    this.#parent!.requestTime.record(ms)
    this.#touch()
  }

  /** Drops the cached snapshots of a host and of the totals. */
  #touch(): void {
    this.#cached = this.#parent!.#cached = null
  }

  /** Counts one message in or out of a host: the hot path, kept to plain increments. */
  message(inbound: boolean, bytes: number): void {
    const v = this.values
    const t = this.#parent!.values
    if (inbound) {
      v.messagesIn++; v.bytesIn += bytes; t.messagesIn++; t.bytesIn += bytes
    } else {
      v.messagesOut++; v.bytesOut += bytes; t.messagesOut++; t.bytesOut += bytes
    }
    // No cache invalidation here: `snapshot` compares the message counters instead.
  }

  /** Sets the circuit state shown for this origin. */
  setCircuit(state: 'closed' | 'open' | 'half-open'): void {
    this.#circuit = state
    this.#cached = null
    this.#registry.invalidate()
  }

  /** Records a latency sample of a host, here and in the totals. */
  latency(which: LatencyField, ms: number): void {
    if (which === 'acquireWait') {
      // The acquire hot path: named fields, not a keyed lookup.
      this.acquireWait.record(ms)
      this.#parent!.acquireWait.record(ms)
    } else {
      this[which].record(ms)
      this.#parent![which].record(ms)
    }
    this.#touch()
  }

  /** The snapshot: the cached one while nothing changed (message counters move without invalidating it). */
  snapshot(max: number): HostStats {
    const c = this.#cached
    const v = this.values
    if (c && this.#max === max && c.messagesIn === v.messagesIn && c.messagesOut === v.messagesOut) return c
    this.#max = max
    // Object.assign copies a class instance's fields about 3x faster than a spread does in V8.
    return (this.#cached = Object.assign({}, v, {
      max: max < Infinity ? max : null,
      acquireWait: this.acquireWait.summary(),
      connectTime: this.connectTime.summary(),
      requestTime: this.requestTime.summary(),
      ...(this.#parent && { circuit: this.#circuit }),
    }))
  }
}

/** All records of a pool, and the cached snapshot. */
export class StatsRegistry {
  readonly totals: StatsRecord = new StatsRecord(this, null)
  readonly #hosts = new Map<string, StatsRecord>()
  /** Set when the set of hosts, a circuit or the caps changed: what the totals do not show. */
  #dirty = true
  #cached?: PoolStats

  /** The record of `origin`, created on first use. */
  host(origin: string): StatsRecord {
    let rec = this.#hosts.get(origin)
    if (!rec) {
      this.#hosts.set(origin, (rec = new StatsRecord(this, this.totals)))
      this.#dirty = true
    }
    return rec
  }

  /** Forgets the record of `origin` (the totals keep what it counted). */
  drop(origin: string): void {
    if (this.#hosts.delete(origin)) this.#dirty = true
  }

  /** The current snapshot; the same object until a figure changes. */
  snapshot(maxPerHost: number, maxTotal: number): PoolStats {
    const totals = this.totals.snapshot(maxTotal)
    if (this.#dirty || this.#cached?.totals !== totals) {
      const hosts: Record<string, HostStats> = {}
      for (const [origin, rec] of this.#hosts) hosts[origin] = rec.snapshot(maxPerHost)
      this.#cached = { totals, hosts }
      this.#dirty = false
    }
    return this.#cached!
  }

  /** Marks the snapshot stale (e.g. after the caps changed). */
  invalidate(): void {
    this.#dirty = true
  }
}
