/**
 * The leader-tab transport of a cross-tab pool: the tabs of one app (same origin and pool name)
 * elect one of them with a Web Lock; it holds the connections (a {@link PoolHost} over an
 * ordinary pool) and every tab, itself included, talks to it over a BroadcastChannel.
 *
 * The lock is held for as long as the leader lives: when its tab closes or crashes the browser
 * releases it, the next tab in line is granted it, builds a new host and announces it, and the
 * other tabs attach to it (see {@link RemoteBackend}). A leader whose pool is closed steps down
 * the same way, after closing its connections.
 *
 * A tab that stops running (frozen, in the back/forward cache, closing) must neither lead nor be
 * next in line: a frozen leader would stall every tab, and a frozen tab granted the lock would
 * never take it up. So on `freeze`/`pagehide` it steps down at once (closing its connections)
 * and leaves the queue; on `resume`/`pageshow` it stands again.
 */
import type { PoolOptions } from '../core/options.js'
import type { Limits } from '../pool/backend.js'
import { WebSocketPool } from '../pool/pool.js'
import { onPageLifecycle } from '../runtime/environment.js'
import type { ToClient, ToHost } from './messages.js'
import { PoolHost } from './pool-host.js'
import type { HostWire } from './remote-backend.js'

interface LockManager {
  request(name: string, options: { signal?: AbortSignal }, fn: () => Promise<void>): Promise<unknown>
}

/** Whether this runtime can elect a leader tab (Web Locks and BroadcastChannel). */
export function canElect(): boolean {
  const g = globalThis as { navigator?: { locks?: unknown }; BroadcastChannel?: unknown }
  return typeof g.BroadcastChannel === 'function' && typeof (g.navigator?.locks as LockManager | undefined)?.request === 'function'
}

/** This tab's part in the election: the client's channel, and the host while it leads. */
export class LeaderElection implements HostWire {
  readonly #channel: BroadcastChannel
  /** Aborts this tab's place in the queue for the lock (a new one each time it stands). */
  #stop = new AbortController()
  #host: PoolHost | null = null
  #hostChannel: BroadcastChannel | null = null
  /** While this tab leads, its own pool talks to the host over this port (a MessageChannel in the tab), not the BroadcastChannel. */
  #local: MessagePort | null = null
  readonly #receive: (message: ToClient) => void
  #stepDown: (() => void) | undefined
  #closed = false
  readonly #detachPage: () => void

  constructor(
    readonly channelName: string,
    readonly options: PoolOptions,
    readonly limits: Limits,
    receive: (message: ToClient) => void,
  ) {
    this.#receive = receive
    this.#channel = new BroadcastChannel(channelName)
    this.#channel.onmessage = (e: MessageEvent) => {
      const m = e.data as ToClient | ToHost
      // While leading, the host's messages for this tab come over the local port (these are copies).
      if (!('c' in m) && this.#local === null) receive(m)
    }
    this.#stand()
    this.#detachPage = onPageLifecycle((phase) => this.#page(phase))
  }

  /** Whether this tab holds the connections now. */
  get leading(): boolean {
    return this.#host !== null
  }

  post(message: ToHost): void {
    if (this.#local !== null) this.#local.postMessage(message)
    else this.#channel.postMessage(message)
  }

  /** This tab's pool closed: it stops listening, and steps down if it leads (after closing the connections). */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#detachPage()
    this.#stop.abort()
    // Let the goodbye reach the host before this tab's channel closes.
    setTimeout(() => this.#channel.close(), 0)
    const host = this.#host
    if (host) void host.close().finally(() => this.#resign())
  }

  /** Joins the queue for the lock. */
  #stand(): void {
    const stop = (this.#stop = new AbortController())
    const locks = (globalThis as unknown as { navigator: { locks: LockManager } }).navigator.locks
    locks.request(this.channelName, { signal: stop.signal }, () => this.#lead(stop.signal)).catch(() => {
      // aborted: this tab's pool closed, or the page went away, before it was elected
    })
  }

  #page(phase: 'away' | 'back'): void {
    if (this.#closed) return
    if (phase === 'back') {
      if (this.#stop.signal.aborted) this.#stand()
      return
    }
    this.#stop.abort()
    const host = this.#host
    if (host === null) return
    // The lock goes now, not once the sockets have closed: a frozen page runs nothing more.
    void host.close()
    this.#resign()
  }

  /** Granted the lock: host the pool until this tab's pool closes (or the tab goes away). */
  async #lead(stop: AbortSignal): Promise<void> {
    // Granted just as the page went away (or the pool closed): pass the lock on.
    if (this.#closed || stop.aborted) return
    const pool = new WebSocketPool(this.options)
    const hostChannel = (this.#hostChannel = new BroadcastChannel(this.channelName))
    const wire = { post: (m: ToClient) => hostChannel.postMessage(m) }
    const host = (this.#host = new PoolHost(pool, { limits: this.limits }))
    hostChannel.onmessage = (e: MessageEvent) => {
      const m = e.data as ToClient | ToHost
      if ('c' in m) host.receive(m, wire)
    }
    // This tab's own pool skips the BroadcastChannel (a hop through the browser each way): a
    // port pair within the tab, still structured-cloned and asynchronous as the other tabs see it.
    const { port1, port2 } = new MessageChannel()
    const localWire = { post: (m: ToClient) => port1.postMessage(m) }
    port1.onmessage = (e: MessageEvent) => host.receive(e.data as ToHost, localWire)
    port2.onmessage = (e: MessageEvent) => this.#receive(e.data as ToClient)
    this.#local = port2
    // Every tab (this one too, over its port) attaches now.
    const announce: ToClient = { k: 'host', host: host.id }
    hostChannel.postMessage(announce)
    port1.postMessage(announce)
    await new Promise<void>((resolve) => (this.#stepDown = resolve))
  }

  #resign(): void {
    this.#local?.close()
    this.#local = null
    this.#hostChannel?.close()
    this.#hostChannel = null
    this.#host = null
    this.#stepDown?.()
  }
}
