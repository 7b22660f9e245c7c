/**
 * The chaos run's fault loop: at random intervals (0.2-1.5 s) one fault on one of the servers,
 * and every 1-3 s a resize of the pool (both caps).
 * - `terminate`: every socket destroyed at once (no close frame)
 * - `close-code`: a close with 1001/1011/4000 asked of the server, by a control message on a
 *   lease in use (recorded with the lease: it counts in drops too) or by a request
 * - `outage`: the server stops listening for 0.1-2 s, then listens again on the same port
 * - `half-open`: for 0.5-2.5 s the server records and answers nothing, then its sockets die
 * - `refuse`: for 0.2-2 s upgrades are refused with HTTP 503
 * - `slow`: for 0.5-3 s the server delays every reply (echoes, request replies, pongs) by
 *   0.1-1.5 s, so requests time out and heartbeats miss; on top of the 0-600 ms that each
 *   request asks for
 * The first seven faults are the six kinds in a random order (`close-code` twice), so a run of
 * 15 s sees each kind; then they are drawn at random (`close-code` twice as often). Outages and slow spells run in the
 * background, overlapping the next faults (one of each kind per server at a time).
 */
import { track } from './callers.js'
import { clock, sleep, type Rng, type World } from './world.js'

/** The per-origin caps (`maxPerHost`) the pool is resized between. */
export const CAPS = [2, 4, 6, 8]
/** The total caps (`maxTotal`): each resize picks one below twice `maxPerHost`, the sum over the two origins. */
export const TOTALS = [3, 5, 7, 10, 12]

/** The kinds of fault, weighted: `close-code` twice. */
const KINDS = ['terminate', 'close-code', 'close-code', 'outage', 'half-open', 'refuse', 'slow'] as const

/** Resizes the pool to random caps, recording them as `caps.ts` asks (the larger of old and new during the call). */
function resize(w: World, g: Rng): void {
  const perHost = g.pick(CAPS)
  const total = g.pick(TOTALS.filter((t) => t < 2 * perHost))
  const was = w.caps[w.caps.length - 1]
  w.caps.push({ at: clock(), perHost: Math.max(perHost, was.perHost), total: Math.max(total, was.total) })
  w.pool.resize({ maxPerHost: perHost, maxTotal: total })
  w.caps.push({ at: clock(), perHost, total })
}

/** Asks server `i` for a close with 1001, 1011 or 4000: by a control message on one of its leases, or by a request. */
function askClose(w: World, g: Rng, i: number): void {
  const code = g.pick([1001, 1011, 4000])
  const [lease, rec] = g.pick([...w.live].filter(([, r]) => r.server === i)) ?? []
  if (lease && rec && g.rand() < 0.7) {
    const message = JSON.stringify({ id: `chaos-${w.next.control++}`, data: { close: { code, reason: 'chaos' } } })
    try {
      lease.send(message)
      ;(rec.controls ??= []).push(message)
    } catch {}
  } else void track(w, { kind: 'request' }, w.pool.request(`${w.servers[i].url}/rpc`, { close: { code } }, { timeout: 2000 }))
}

/**
 * Injects faults until `w.stop`, counting each kind in `tally`; resolves once every server is
 * back to normal (listening, not half-open, not refusing, not slow).
 */
export async function faults(w: World, g: Rng, tally: Record<string, number>): Promise<void> {
  const count = (kind: string): void => void (tally[kind] = (tally[kind] ?? 0) + 1)
  /** outages and slow spells under way, by kind and server */
  const background = new Map<string, Promise<void>>()
  let nextResize = Date.now() + g.between(1000, 3000)
  const deck = KINDS.map((kind) => ({ kind, key: g.rand() })).sort((a, b) => a.key - b.key).map((d) => d.kind)
  while (!w.stop) {
    await sleep(g.between(200, 1500))
    if (w.stop) break
    if (Date.now() >= nextResize) {
      resize(w, g)
      count('resize')
      nextResize = Date.now() + g.between(1000, 3000)
    }
    const kind = deck.shift() ?? g.pick(KINDS)
    const i = g.between(0, w.servers.length - 1)
    const server = w.servers[i]
    if (kind === 'terminate') server.dropAll()
    else if (kind === 'close-code') askClose(w, g, i)
    else if (kind === 'outage' || kind === 'slow') {
      const key = `${kind} ${i}`
      if (background.has(key)) continue
      let spell: Promise<void>
      if (kind === 'outage') spell = server.outage(g.between(100, 2000))
      else {
        server.setReplyDelay(g.between(100, 1500))
        spell = sleep(g.between(500, 3000)).then(() => server.setReplyDelay(0))
      }
      background.set(key, spell.finally(() => background.delete(key)))
    } else if (kind === 'half-open') {
      server.setHalfOpen(true)
      w.deaf[i] = true
      await sleep(g.between(500, 2500))
      // A half-open peer never comes back: its sockets die (nothing sent meanwhile was recorded).
      server.dropAll()
      server.setHalfOpen(false)
      w.deaf[i] = false
    } else {
      server.setRefuse(true)
      await sleep(g.between(200, 2000))
      server.setRefuse(false)
    }
    count(kind)
  }
  await Promise.all(background.values())
  for (const server of w.servers) {
    server.setHalfOpen(false)
    server.setRefuse(false)
    server.setReplyDelay(0)
  }
}
