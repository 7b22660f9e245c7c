/**
 * What the page knows, built only from the pool's public events and stats: one tile per pooled
 * connection, the reconnect attempts, close outcomes and a short event log.
 */

/** A connection's state as the page colours it. */
export type TileState = 'connecting' | 'idle' | 'leased' | 'reconnecting'

export interface Tile {
  id: number
  origin: string
  socket: 'connecting' | 'open' | 'reconnecting'
  leased: boolean
  /** Current reconnect attempt, 0 while healthy. */
  attempt: number
}

export interface Attempt {
  at: number
  id: number
  origin: string
  attempt: number
  delay: number
  code: number
}

export interface CloseOutcome {
  at: number
  id: number
  label: string
  code: number
  reason: string
  retried: boolean
  /** Set once a retried connection is open again. */
  reopened: boolean
}

export interface LogLine {
  at: number
  type: string
  origin: string
  text: string
}

interface Ref {
  origin: string
  id: number
  url: string
}

/** The subset of the pool's events the page listens to (names and payloads per the SPEC). */
export interface EventSource {
  on(type: 'connect', fn: (e: Ref & { attempt: number }) => void): unknown
  on(type: 'open', fn: (e: Ref & { reconnect: boolean; connectTime: number }) => void): unknown
  on(type: 'close', fn: (e: Ref & { code: number; reason: string; willReconnect: boolean }) => void): unknown
  on(type: 'reconnecting', fn: (e: Ref & { attempt: number; delay: number; code: number }) => void): unknown
  on(type: 'acquire', fn: (e: Ref & { wait: number }) => void): unknown
  on(type: 'release', fn: (e: Ref) => void): unknown
  on(type: 'evict', fn: (e: Ref & { reason: string }) => void): unknown
  on(type: 'drop', fn: (e: Ref & { count: number; reason: string }) => void): unknown
  on(type: 'enqueue', fn: (e: { origin: string; pending: number }) => void): unknown
  on(type: 'timeout', fn: (e: { origin: string; wait: number }) => void): unknown
  on(type: 'error', fn: (e: { origin: string; id?: number; error: Error; attempt?: number }) => void): unknown
}

export function tileState(t: Tile): TileState {
  if (t.socket === 'open') return t.leased ? 'leased' : 'idle'
  return t.socket
}

const MAX_LOG = 40
const MAX_ATTEMPTS = 200

export class Model {
  readonly tiles = new Map<number, Tile>()
  readonly attempts: Attempt[] = []
  readonly closes: CloseOutcome[] = []
  readonly log: LogLine[] = []
  /** Connection ids whose close outcome the page wants to show, with a label. */
  readonly watched = new Map<number, string>()
  version = 0

  constructor(
    private readonly names: Record<string, string>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  attach(pool: EventSource, onChange: () => void): void {
    const touch = (): void => {
      this.version++
      onChange()
    }
    pool.on('connect', (e) => {
      const t = this.tile(e)
      if (t.socket !== 'reconnecting') t.socket = 'connecting'
      touch()
    })
    pool.on('open', (e) => {
      const t = this.tile(e)
      t.socket = 'open'
      t.attempt = 0
      const outcome = this.closes.find((c) => c.id === e.id && c.retried && !c.reopened)
      if (outcome) outcome.reopened = true
      this.push('open', e.origin, `#${e.id} ${e.reconnect ? 'reopened' : 'opened'} in ${Math.round(e.connectTime)} ms`)
      touch()
    })
    pool.on('acquire', (e) => {
      this.tile(e).leased = true
      this.push('acquire', e.origin, `#${e.id} leased after ${Math.round(e.wait)} ms`)
      touch()
    })
    pool.on('release', (e) => {
      const t = this.tiles.get(e.id)
      if (t) t.leased = false
      this.push('release', e.origin, `#${e.id} released`)
      touch()
    })
    pool.on('reconnecting', (e) => {
      const t = this.tile(e)
      t.socket = 'reconnecting'
      t.attempt = e.attempt
      this.attempts.push({ at: this.now(), id: e.id, origin: e.origin, attempt: e.attempt, delay: e.delay, code: e.code })
      if (this.attempts.length > MAX_ATTEMPTS) this.attempts.shift()
      this.push('reconnecting', e.origin, `#${e.id} attempt ${e.attempt} in ${Math.round(e.delay)} ms`)
      touch()
    })
    pool.on('close', (e) => {
      if (e.willReconnect) {
        const t = this.tiles.get(e.id)
        if (t) t.socket = 'reconnecting'
      } else {
        this.tiles.delete(e.id)
      }
      const label = this.watched.get(e.id)
      if (label !== undefined) {
        this.watched.delete(e.id)
        this.closes.unshift({ at: this.now(), id: e.id, label, code: e.code, reason: e.reason, retried: e.willReconnect, reopened: false })
      }
      const why = e.reason ? ` "${e.reason}"` : ''
      this.push('close', e.origin, `#${e.id} closed ${e.code}${why}${e.willReconnect ? ', will reconnect' : ', for good'}`)
      touch()
    })
    pool.on('evict', (e) => {
      this.push('evict', e.origin, `#${e.id} evicted (${e.reason})`)
      touch()
    })
    pool.on('drop', (e) => {
      this.push('drop', e.origin, `#${e.id} dropped ${e.count} buffered (${e.reason})`)
      touch()
    })
    pool.on('enqueue', (e) => {
      this.push('enqueue', e.origin, `acquire queued (${e.pending} waiting)`)
      touch()
    })
    pool.on('timeout', (e) => {
      this.push('timeout', e.origin, `acquire timed out after ${Math.round(e.wait)} ms`)
      touch()
    })
    pool.on('error', (e) => {
      const who = e.id === undefined ? '' : `#${e.id} `
      this.push('error', e.origin, `${who}${e.attempt ? `attempt ${e.attempt} ` : ''}failed: ${e.error.message}`)
      touch()
    })
  }

  /** Drops tiles the pool no longer counts (e.g. a first attempt that gave up without a close). */
  reconcile(origin: string, live: number): void {
    const mine = [...this.tiles.values()].filter((t) => t.origin === origin)
    let extra = mine.length - live
    for (const t of mine) {
      if (extra <= 0) break
      if (!t.leased && t.socket === 'connecting') {
        this.tiles.delete(t.id)
        extra--
      }
    }
  }

  tilesOf(origin: string): Tile[] {
    return [...this.tiles.values()].filter((t) => t.origin === origin).sort((a, b) => a.id - b.id)
  }

  private tile(e: Ref): Tile {
    let t = this.tiles.get(e.id)
    if (!t) {
      t = { id: e.id, origin: e.origin, socket: 'connecting', leased: false, attempt: 0 }
      this.tiles.set(e.id, t)
    }
    // A connection held from a replica list moves to another origin when its own circuit opens
    // (same id): its events then name the new origin, and so does its tile.
    t.origin = e.origin
    return t
  }

  private push(type: string, origin: string, text: string): void {
    this.log.unshift({ at: this.now(), type, origin: this.names[origin] ?? origin, text })
    if (this.log.length > MAX_LOG) this.log.pop()
  }
}
