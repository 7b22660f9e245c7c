/**
 * Cross-tab pools in Node, for the protocol's integration tests: "tabs" and "hosts" in one
 * process, talking over real BroadcastChannels (structured clone, asynchronous delivery) as the
 * leader-tab transport does. The Web Locks election itself is the browser's; the Playwright suite
 * covers it (e2e/cross-tab.spec.ts).
 */
import { onTestFinished } from 'vitest'
import { WebSocketPool, type PoolOptions } from '../../src/index.js'
import { resolveOptions } from '../../src/core/options.js'
import { PoolHost, type PoolHostOptions } from '../../src/shared/pool-host.js'
import { RemoteBackend } from '../../src/shared/remote-backend.js'
import type { ToClient, ToHost } from '../../src/shared/messages.js'

let channels = 0
/** A fresh channel name per test. */
export const channelName = (): string => `wspool-test-${process.pid}-${++channels}`

export interface TestHost {
  host: PoolHost
  pool: WebSocketPool
  /** The leader tab dies: its channel goes silent and its sockets close (nothing said). */
  crash(): Promise<void>
  /** Its messages stop (a frozen or hung leader) without closing anything. */
  mute(): void
}

/** A host (the leader tab's side) on `name`, announced to the tabs. */
export function startHost(name: string, options: PoolOptions = {}, hostOptions: Partial<PoolHostOptions> = {}): TestHost {
  const pool = new WebSocketPool(options)
  const r = resolveOptions(options)
  const host = new PoolHost(pool, { limits: { maxPerHost: r.maxPerHost, maxTotal: r.maxTotal, minIdlePerHost: r.minIdlePerHost }, ...hostOptions })
  const channel = new BroadcastChannel(name)
  let muted = false
  const wire = { post: (m: ToClient) => void (muted || channel.postMessage(m)) }
  channel.onmessage = (e: MessageEvent) => {
    const m = e.data as ToHost | ToClient
    if (!muted && 'c' in m) host.receive(m, wire)
  }
  channel.postMessage({ k: 'host', host: host.id } satisfies ToClient)
  let down = false
  const crash = async () => {
    if (down) return
    down = true
    muted = true
    channel.close()
    await host.close()
  }
  onTestFinished(crash)
  return { host, pool, crash, mute: () => void (muted = true) }
}

/** A tab's shared pool on `name`. */
export function openTab(name: string, options: PoolOptions = {}): WebSocketPool {
  const channel = new BroadcastChannel(name)
  let backend: RemoteBackend | undefined
  const pool = new WebSocketPool(options, (resolved, makeLease) => {
    backend = new RemoteBackend(resolved, makeLease, {
      post: (m: ToHost) => channel.postMessage(m),
      close: () => void setTimeout(() => channel.close(), 0),
    })
    return backend
  })
  channel.onmessage = (e: MessageEvent) => {
    const m = e.data as ToHost | ToClient
    if (!('c' in m)) backend!.receive(m)
  }
  onTestFinished(() => pool.close())
  return pool
}
