/**
 * The chaos run's fault loop: at random intervals (0.2-1.5 s) one fault, and every 1-3 s a
 * resize of the pool.
 * - `terminate`: every socket destroyed at once (no close frame)
 * - `close-code`: a close with 1001/1011/4000 asked of the server, by a control message on a
 *   lease in use (recorded with the lease: it counts in drops too) or by a request
 * - `outage`: the server stops listening for 0.1-2 s, then listens again on the same port
 * - `half-open`: for 0.5-2.5 s the server records and answers nothing, then its sockets die
 * - `refuse`: for 0.2-2 s upgrades are refused with HTTP 503
 */
import { track } from './callers.js'
import { sleep, type Rng, type World } from './world.js'

/** The per-origin caps the pool is resized between. */
export const CAPS = [2, 4, 6, 8]

/**
 * Injects faults until `w.stop`, counting each kind in `tally`; resolves once the server is
 * back to normal (listening, not half-open, not refusing).
 */
export async function faults(w: World, g: Rng, tally: Record<string, number>): Promise<void> {
  const { server, pool } = w
  const count = (kind: string): void => void (tally[kind] = (tally[kind] ?? 0) + 1)
  let outage: Promise<void> | undefined
  let nextResize = Date.now() + g.between(1000, 3000)
  while (!w.stop) {
    await sleep(g.between(200, 1500))
    if (w.stop) break
    if (Date.now() >= nextResize) {
      pool.resize({ maxPerHost: g.pick(CAPS) })
      count('resize')
      nextResize = Date.now() + g.between(1000, 3000)
    }
    const kind = g.pick(['terminate', 'close-code', 'close-code', 'outage', 'half-open', 'refuse'] as const)
    if (kind === 'terminate') server.dropAll()
    else if (kind === 'close-code') {
      const code = g.pick([1001, 1011, 4000])
      const [lease, rec] = g.pick([...w.live]) ?? []
      if (lease && rec && g.rand() < 0.7) {
        const message = JSON.stringify({ id: `chaos-${w.next.control++}`, data: { close: { code, reason: 'chaos' } } })
        try {
          lease.send(message)
          ;(rec.controls ??= []).push(message)
        } catch {}
      } else void track(w, { kind: 'request' }, pool.request(`${server.url}/rpc`, { close: { code } }, { timeout: 2000 }))
    } else if (kind === 'outage') {
      if (outage) continue
      outage = server.outage(g.between(100, 2000)).finally(() => (outage = undefined))
    } else if (kind === 'half-open') {
      server.setHalfOpen(true)
      w.deaf = true
      await sleep(g.between(500, 2500))
      // A half-open peer never comes back: its sockets die (nothing sent meanwhile was recorded).
      server.dropAll()
      server.setHalfOpen(false)
      w.deaf = false
    } else {
      server.setRefuse(true)
      await sleep(g.between(200, 2000))
      server.setRefuse(false)
    }
    count(kind)
  }
  await outage
  server.setHalfOpen(false)
  server.setRefuse(false)
}
