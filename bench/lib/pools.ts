// Uniform adapters over generic-pool, tarn and wspool for the pool benchmarks.
import genericPool from 'generic-pool'
import tarn from 'tarn'
import type { WsLease, WsPoolModule } from './types.js'

export interface PoolAdapter<R = unknown> {
  name: string
  acquire(): Promise<R>
  release(r: R): void
  close(): Promise<void>
}

export interface AdapterOptions<R> {
  max: number
  /** pool-level acquire timeout in ms (default: each library's default) */
  acquireTimeout?: number
  create?: () => Promise<R>
  destroy?: (r: R) => Promise<void> | void
}

const trivialCreate = async () => ({}) as any

export function makeGenericPool<R = object>(o: AdapterOptions<R>): PoolAdapter<R> {
  const pool = genericPool.createPool<R>(
    { create: o.create ?? trivialCreate, destroy: async (r) => void (await o.destroy?.(r)) },
    { max: o.max, min: 0, ...(o.acquireTimeout ? { acquireTimeoutMillis: o.acquireTimeout } : {}) },
  )
  return {
    name: 'generic-pool',
    acquire: () => pool.acquire(),
    release: (r) => void pool.release(r).catch(() => {}),
    async close() {
      await pool.drain()
      await pool.clear()
    },
  }
}

export function makeTarn<R = object>(o: AdapterOptions<R>): PoolAdapter<R> {
  const pool = new tarn.Pool<R>({
    create: (o.create ?? trivialCreate) as () => Promise<R>,
    destroy: (r: R) => o.destroy?.(r),
    min: 0,
    max: o.max,
    ...(o.acquireTimeout ? { acquireTimeoutMillis: o.acquireTimeout } : {}),
  })
  return {
    name: 'tarn',
    acquire: () => pool.acquire().promise,
    release: (r) => void pool.release(r),
    async close() {
      await pool.destroy()
    },
  }
}

export function makeWspool(
  mod: WsPoolModule,
  url: string,
  o: { max: number; acquireTimeout?: number; WebSocket?: unknown; extra?: Record<string, unknown> },
): PoolAdapter<WsLease> & { pool: ReturnType<WsPoolModule['createPool']> } {
  const pool = mod.createPool({
    maxPerHost: o.max,
    ...(o.acquireTimeout ? { acquireTimeout: o.acquireTimeout } : {}),
    ...(o.WebSocket ? { WebSocket: o.WebSocket } : {}),
    ...o.extra,
  })
  return {
    name: 'wspool',
    pool,
    acquire: () => pool.acquire(url),
    release: (l) => l.release(),
    close: () => pool.close(),
  }
}

/** Open `n` resources at once and give them back, so the measured loops run on a warm pool. */
export async function warm<R>(p: PoolAdapter<R>, n: number): Promise<void> {
  const rs = await Promise.all(Array.from({ length: n }, () => p.acquire()))
  for (const r of rs) p.release(r)
  await new Promise((r) => setImmediate(r))
}

/**
 * The floor for any promise-based pool: a minimal, correct-for-this-benchmark pool (free list +
 * FIFO of waiters, no timeouts, no stats, no events). Shown as a reference row: no real pool can
 * beat it, so it tells whether a goal stated against another pool is reachable at all.
 */
export function makeFloor(max: number): PoolAdapter<object> {
  const free: object[] = []
  let created = 0
  const waiters: ((r: object) => void)[] = []
  let head = 0
  return {
    name: 'floor (minimal promise pool)',
    acquire() {
      const r = free.pop()
      if (r !== undefined) return Promise.resolve(r)
      if (created < max) {
        created++
        return Promise.resolve({})
      }
      return new Promise<object>((resolve) => waiters.push(resolve))
    },
    release(r) {
      if (head < waiters.length) {
        const w = waiters[head]
        waiters[head++] = undefined as never
        if (head > 1024 && head * 2 > waiters.length) {
          waiters.splice(0, head)
          head = 0
        }
        w(r)
      } else free.push(r)
    },
    async close() {},
  }
}
