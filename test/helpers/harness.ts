/**
 * Shared integration-test harness: a real test server and a pool per test, each with its
 * teardown registered on the line that creates it, plus small waiting helpers.
 *
 * Timing bounds here are hang guards, never assertions about speed.
 */
import { onTestFinished, vi } from 'vitest'
import WS from 'ws'
import { startTestServer, type TestServer } from '../server/test-server.js'
import { createPool } from '../../src/index.js'

export type Pool = ReturnType<typeof createPool>
export type PoolOptions = NonNullable<Parameters<typeof createPool>[0]>
export type Lease = Awaited<ReturnType<Pool['acquire']>>

/** Every pool event named in the SPEC. */
export const POOL_EVENTS = [
  'connect',
  'open',
  'close',
  'reconnecting',
  'error',
  'acquire',
  'release',
  'enqueue',
  'timeout',
  'evict',
  'drop',
] as const
export type PoolEventName = (typeof POOL_EVENTS)[number]

export interface Recorded {
  type: PoolEventName
  payload: any
}

/** A test server on 127.0.0.1:0, closed when the current test finishes. */
export async function startServer(): Promise<TestServer> {
  const server = await startTestServer()
  onTestFinished(() => server.close())
  return server
}

/** A pool closed when the current test finishes. */
export function newPool(options?: PoolOptions): Pool {
  const pool = createPool(options)
  onTestFinished(async () => {
    await pool.close()
  })
  return pool
}

/** Records every pool event, in emission order. */
export function recordEvents(pool: Pool): Recorded[] {
  const events: Recorded[] = []
  for (const type of POOL_EVENTS) {
    ;(pool.on as any)(type, (payload: unknown) => events.push({ type, payload }))
  }
  return events
}

export function ofType(events: Recorded[], type: PoolEventName): Recorded['payload'][] {
  return events.filter((e) => e.type === type).map((e) => e.payload)
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `fn` until it returns without throwing (an `expect` inside is the usual body). */
export function eventually<T>(fn: () => T, timeout = 5000): Promise<T> {
  return vi.waitFor(fn, { timeout, interval: 5 })
}

/** Resolves with the next payload of `type` matching `where`; rejects after `timeout` ms. */
export function nextEvent(
  emitter: { on: (...args: never[]) => unknown; off: (...args: never[]) => unknown },
  type: string,
  where: (payload: any) => boolean = () => true,
  timeout = 5000,
): Promise<any> {
  const target = emitter as any
  return new Promise((resolve, reject) => {
    const listener = (payload: unknown): void => {
      if (!where(payload)) return
      cleanup()
      resolve(payload)
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`no '${type}' event within ${timeout} ms`))
    }, timeout)
    const cleanup = (): void => {
      clearTimeout(timer)
      target.off(type, listener)
    }
    target.on(type, listener)
  })
}

/** 'fulfilled' | 'rejected' | 'pending' after letting queued callbacks run. */
export async function stateOf(promise: Promise<unknown>, wait = 20): Promise<'fulfilled' | 'rejected' | 'pending'> {
  let state: 'fulfilled' | 'rejected' | 'pending' = 'pending'
  promise.then(
    () => (state = 'fulfilled'),
    () => (state = 'rejected'),
  )
  await delay(wait)
  return state
}

/** Settles to the rejection reason, or throws if the promise fulfilled. */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected the promise to reject, it fulfilled')
}

/** The thrown value of a synchronous call, or throws if it returned. */
export function thrownBy(fn: () => unknown): any {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected the call to throw, it returned')
}

/** A port on 127.0.0.1 where nothing listens (a server bound, then closed). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net')
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return port
}

export const utf8Bytes = (s: string): number => new TextEncoder().encode(s).byteLength

/**
 * A `ws` subclass for the `WebSocket` option that counts the client's own sockets, per origin
 * and in total, from construction until their close event: the exact measure of what the pool
 * keeps live. (The server's count can briefly include a socket the client already saw fully
 * closed, until the server processes its FIN; it is exact only when no socket closes.)
 */
export function trackSockets(): {
  WebSocket: NonNullable<PoolOptions['WebSocket']>
  live(origin?: string): number
  peak(origin?: string): number
} {
  const live = new Map<string, number>()
  const peak = new Map<string, number>()
  const bump = (key: string, n: number): void => {
    const v = (live.get(key) ?? 0) + n
    live.set(key, v)
    peak.set(key, Math.max(peak.get(key) ?? 0, v))
  }
  class Tracked extends WS {
    constructor(url: string | URL, protocols?: string | string[], options?: WS.ClientOptions) {
      super(url, protocols, options)
      const origin = new URL(String(url)).origin
      bump(origin, 1)
      bump('*', 1)
      this.once('close', () => {
        bump(origin, -1)
        bump('*', -1)
      })
    }
  }
  return {
    WebSocket: Tracked as unknown as NonNullable<PoolOptions['WebSocket']>,
    live: (origin = '*') => live.get(origin) ?? 0,
    peak: (origin = '*') => peak.get(origin) ?? 0,
  }
}
