/**
 * The chaos run's callers: each one loops until the run stops, acquiring (some with an abort
 * signal or a short timeout) and sending numbered messages, making requests (some delayed past
 * their timeout, some idempotent), releasing or destroying, and records what it saw for the
 * checker.
 *
 * Each operation goes to one of the two servers (origins). An exclusive lease acquires its own
 * URL (`/rpc?tag=<tag>`), so its connection serves no other lease and the server's log under its
 * tag is that lease's traffic in arrival order. A shared lease acquires one of four group URLs of
 * its server (`/rpc?tag=g<k>`) and prefixes its tag with the group's;
 * the checker reads each holder's messages out of the group's log and weighs a shared
 * connection's drops and deaths against what all its holders lost.
 */
import { PoolError } from '../../src/index.js'
import type { LeaseRecord, OpRecord } from './checker.js'
import { sleep, type Rng, type World } from './world.js'

/** Runs `p` as operation `op`, recording how it settled (an abort: rejected with `signal`'s reason). */
export async function track<T>(w: World, op: OpRecord, p: Promise<T>, signal?: AbortSignal): Promise<T | undefined> {
  w.record.ops.push(op)
  try {
    const value = await p
    op.settled = { outcome: 'value' }
    return value
  } catch (err) {
    if (signal?.aborted && err === signal.reason) op.settled = { outcome: 'abort' }
    else op.settled = { outcome: 'error', code: err instanceof PoolError ? err.code : undefined }
    return undefined
  }
}

/** An abort signal some of the time, aborted after 0-300 ms. */
function maybeSignal(g: Rng): AbortSignal | undefined {
  if (g.rand() >= 0.2) return undefined
  const ac = new AbortController()
  setTimeout(() => ac.abort(new Error('chaos abort')), g.between(0, 300))
  return ac.signal
}

/** Acquires a lease, sends 1-40 numbered messages on it, releases or destroys it; false if the acquire failed. */
async function leaseSession(w: World, g: Rng): Promise<boolean> {
  // Some leases are shared: holders join one connection per group URL and tag their messages
  // `${group}.${tag}`, so the group's log holds each holder's traffic in its own order.
  const group = g.rand() < 0.2 ? `g${g.between(0, 3)}` : undefined
  const tag = group ? `${group}.t${w.next.tag++}` : `t${w.next.tag++}`
  const signal = maybeSignal(g)
  const timeout = g.rand() < 0.2 ? g.between(100, 1000) : undefined
  const server = g.between(0, w.servers.length - 1)
  const url = `${w.servers[server].url}/rpc?tag=${group ?? tag}`
  const lease = await track(w, { kind: 'acquire' }, w.pool.acquire(url, { signal, timeout, priority: g.between(0, 2), shared: !!group }), signal)
  if (!lease) return false
  const rec: LeaseRecord & { server: number; log: string; blind: number[] } = { tag, server, log: group ?? tag, connId: lease.id, accepted: [], blind: [] }
  w.record.leases.push(rec)
  w.leaseLogs.push(rec)
  w.live.set(lease, rec)
  const n = g.between(1, 40)
  for (let seq = 0; seq < n && !w.stop; seq++) {
    try {
      lease.send(`${tag}#${seq}`)
      rec.accepted.push(seq)
      if (w.deaf[server]) rec.blind.push(seq)
    } catch (err) {
      if (!(err instanceof PoolError)) throw err
      if (err.code !== 'ERR_BUFFER_FULL') break // closed for good
    }
    if (g.rand() < 0.3) await sleep(g.between(0, 60))
  }
  w.live.delete(lease)
  if (g.rand() < (group ? 0.03 : 0.15)) lease.destroy(g.pick([1000, 4000]), 'chaos')
  else lease.release()
  return true
}

/** One request whose reply the server delays 0-600 ms; false if it failed. */
async function request(w: World, g: Rng): Promise<boolean> {
  const n = w.next.req++
  const signal = maybeSignal(g)
  const payload = { n, delay: g.between(0, 600) }
  const op: OpRecord = { kind: 'request' }
  const reply = await track(
    w,
    op,
    w.pool.request<{ n: number }>(`${g.pick(w.servers).url}/rpc`, payload, { timeout: g.between(300, 3000), idempotent: g.rand() < 0.5, signal }),
    signal,
  )
  if (reply !== undefined && reply.n !== n) op.wrongReply = true
  return reply !== undefined
}

/** One caller: lease sessions, requests and pauses until the run stops. */
export async function worker(w: World, g: Rng): Promise<void> {
  while (!w.stop) {
    const r = g.rand()
    const ok = r < 0.55 ? await leaseSession(w, g) : r < 0.9 ? await request(w, g) : (await sleep(g.between(10, 200)), true)
    // A caller whose operation failed waits a little, as a real one would (an open circuit
    // fails fast: without this the workers would spin on it).
    if (!ok) await sleep(g.between(20, 200))
  }
}
