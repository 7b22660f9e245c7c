/**
 * The SharedWorker transport of a cross-tab pool. In the worker script, `serveSharedPool()` hosts
 * the pool (a {@link PoolHost}) for every tab that connects; in a tab, {@link WorkerWire} is the
 * way to it over the worker's MessagePort.
 */
import { PoolError } from '../core/errors.js'
import { limitsOf, resolveOptions, type PoolOptions } from '../core/options.js'
import { WebSocketPool } from '../pool/pool.js'
import type { ToClient, ToHost } from './messages.js'
import { PoolHost } from './pool-host.js'
import type { HostWire } from './remote-backend.js'

/** What `createSharedPool({ worker })` accepts: the worker script's URL, or a function that starts the worker. */
export type WorkerSource = string | URL | (() => SharedWorker)

/** A tab's way to the pool in a SharedWorker. */
export class WorkerWire implements HostWire {
  readonly #worker: SharedWorker
  readonly #port: MessagePort

  /**
   * @throws PoolError `ERR_INVALID_OPTION` when the worker cannot even be constructed (a malformed
   * or cross-origin URL, a function that throws or returns no SharedWorker): a mistake in the
   * option, not a failure to fall back from (a script that fails to load is reported to `failed`)
   */
  constructor(source: WorkerSource, name: string, receive: (message: ToClient) => void, failed: (error: PoolError) => void) {
    let worker: SharedWorker
    try {
      worker = typeof source === 'function' ? source() : new SharedWorker(source, { name: `wspool:${name}`, type: 'module' })
    } catch (error) {
      throw new PoolError('ERR_INVALID_OPTION', `Expected \`worker\` to start a SharedWorker, but it threw: ${(error as Error)?.message ?? String(error)}`, { cause: error })
    }
    if (!(worker && typeof worker === 'object' && worker.port)) {
      throw new PoolError('ERR_INVALID_OPTION', 'Expected `worker` to return a SharedWorker, got ' + (worker === null ? 'null' : typeof worker))
    }
    this.#worker = worker
    this.#port = worker.port
    this.#port.onmessage = (e: MessageEvent) => receive(e.data as ToClient)
    this.#worker.onerror = (e: Event) => {
      const where = typeof source === 'function' ? 'the shared worker' : `the shared worker script ${String(source)}`
      failed(new PoolError('ERR_CONNECT_FAILED', `The pool's host could not start: ${where} failed to load or threw (${(e as ErrorEvent).message ?? e.type})`, { cause: e }))
    }
    this.#port.start()
  }

  post(message: ToHost): void {
    this.#port.postMessage(message)
  }

  close(): void {
    // Let the goodbye reach the worker before the port closes.
    setTimeout(() => this.#port.close(), 0)
  }
}

/**
 * Hosts a cross-tab pool in a SharedWorker script: call it once at the top of the worker.
 * The pool is built when the first tab connects, from `options` over the options that tab gave
 * `createSharedPool` (options that are functions, such as `resolveUrl` or `codec`, cannot cross
 * to a worker: give them here). It closes when the last tab has gone, and opens again for the
 * next one.
 * @throws PoolError `ERR_INVALID_OPTION` when not called in a SharedWorker
 */
export function serveSharedPool(options: PoolOptions = {}): void {
  const scope = globalThis as unknown as { onconnect?: unknown; addEventListener(t: string, fn: (e: MessageEvent) => void): void }
  if (!('onconnect' in scope)) throw new PoolError('ERR_INVALID_OPTION', 'serveSharedPool() runs in a SharedWorker script (no `connect` event here)')
  let host: PoolHost | null = null
  const hostFor = (tabOptions: Record<string, unknown> | undefined): PoolHost => {
    if (host) return host
    const merged = { ...tabOptions, ...options }
    const limits = limitsOf(resolveOptions(merged))
    const pool = new WebSocketPool(merged)
    const made: PoolHost = new PoolHost(pool, {
      limits,
      onEmpty: () => {
        if (host !== made) return
        host = null
        void made.close()
      },
    })
    return (host = made)
  }
  scope.addEventListener('connect', (e: MessageEvent) => {
    const port = e.ports[0]
    const wire = { post: (m: ToClient) => port.postMessage(m) }
    port.onmessage = (ev: MessageEvent) => {
      const m = ev.data as ToHost
      try {
        if (m.k === 'hello') hostFor(m.options).receive(m, wire)
        else if (host) host.receive(m, wire)
        else port.postMessage({ k: 'unknown', to: m.c } satisfies ToClient)
      } catch (error) {
        // Options the first tab sent that are invalid: every tab hears why.
        port.postMessage({ k: 'event', t: 'error', e: { origin: '', url: '', error: { $error: { name: 'PoolError', message: (error as Error).message, code: (error as PoolError).code } } } } satisfies ToClient)
      }
    }
    port.start()
  })
}
