/**
 * react-use-websocket's heartbeat, one per connection: every component on a shared connection
 * counts the same inbound traffic and the connection sends one ping per interval, however many
 * components ride it (react-use-websocket runs one per component on a shared socket).
 */
import type { Lease, WebSocketPool } from 'wspool'
import type { HeartbeatOptions } from './websocket-types.js'

interface Beat {
  /** The leases of the components riding the connection: the heartbeat uses any of them. */
  leases: Set<Lease>
  last: number
  stop(): void
}

const beats = new WeakMap<WebSocketPool, Map<number, Beat>>()

/**
 * Joins (or starts) the heartbeat of `lease`'s connection; returns `[seen, leave]`: call `seen()`
 * on every inbound message, `leave()` when this holder is done. The first holder's options set
 * the heartbeat of the connection.
 */
export function joinHeartbeat(pool: WebSocketPool, lease: Lease, options: true | HeartbeatOptions): [() => void, () => void] {
  let byId = beats.get(pool)
  if (!byId) beats.set(pool, (byId = new Map()))
  const map = byId
  const id = lease.id
  let beat = map.get(id)
  if (!beat) {
    const { message = 'ping', timeout = 60000, interval = 25000 } = options === true ? {} : options
    let sent = Date.now()
    const timer = setInterval(() => {
      const now = Date.now()
      const [any] = beat!.leases
      if (beat!.last + timeout <= now) {
        any?.destroy(1000, 'heartbeat timeout')
      } else if (beat!.last + interval <= now && sent + interval <= now && any?.state === 'open') {
        any.send(typeof message === 'function' ? message() : message)
        sent = now
      }
    }, Math.max(100, interval / 10))
    map.set(id, (beat = { leases: new Set(), last: Date.now(), stop: () => clearInterval(timer) }))
  }
  const b = beat
  b.leases.add(lease)
  return [
    () => void (b.last = Date.now()),
    () => {
      if (b.leases.delete(lease) && !b.leases.size) {
        b.stop()
        if (map.get(id) === b) map.delete(id)
      }
    },
  ]
}
