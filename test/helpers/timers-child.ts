/**
 * Child process for the issue-7 "nothing after close()" timer tests (bug 7). It wraps
 * `setTimeout`/`clearTimeout` before importing the pool, remembers which timers were created from
 * wspool's own source (`src/`), and after `await pool.close()` prints one JSON line:
 * `{ pending, timers }`: the pool timers neither fired nor cleared, and where each was created.
 * (Unref'd timers do not show in `process.getActiveResourcesInfo()`, hence the wrapping.)
 *
 * Usage: node --import tsx test/helpers/timers-child.ts <mode> <ws-url>
 * - breaker:      breaker { failures: 1, cooldown: 60000 }; an `error` listener closes the pool
 *                 on the failed attempt that opens the circuit (<ws-url> refuses connections)
 * - connect:      a `connect` listener closes the pool
 * - reconnecting: a leased connection dropped by the server (<ws-url> closes after one message);
 *                 a `reconnecting` listener closes the pool
 */
import { fileURLToPath } from 'node:url'

const srcDir = fileURLToPath(new URL('../../src/', import.meta.url))
const pending = new Map<unknown, string>()
const realSet = globalThis.setTimeout
const realClear = globalThis.clearTimeout

function origin(): string | undefined {
  const stack = new Error().stack ?? ''
  const frame = stack.split('\n').find((l) => l.includes(srcDir))
  return frame?.trim()
}

globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const where = origin()
  const handle = realSet(() => {
    pending.delete(handle)
    fn(...args)
  }, ms)
  if (where !== undefined) pending.set(handle, where)
  return handle
}) as typeof setTimeout
globalThis.clearTimeout = ((handle: Parameters<typeof clearTimeout>[0]) => {
  pending.delete(handle)
  realClear(handle)
}) as typeof clearTimeout

const [mode, url] = process.argv.slice(2)

async function main(): Promise<void> {
  const { createPool } = await import('../../src/index.js')
  let closing: Promise<void> | undefined
  if (mode === 'breaker') {
    const pool = createPool({ breaker: { failures: 1, cooldown: 60_000 }, reconnect: { initialDelay: 60_000, maxDelay: 60_000, jitter: 0 } })
    pool.on('error', () => void (closing ??= pool.close()))
    await pool.acquire(url).catch(() => {})
    await (closing ?? pool.close())
  } else if (mode === 'connect') {
    const pool = createPool({ breaker: false })
    pool.on('connect', () => void (closing ??= pool.close()))
    await pool.acquire(url).catch(() => {})
    await (closing ?? pool.close())
  } else if (mode === 'reconnecting') {
    const pool = createPool({ breaker: false, reconnect: { initialDelay: 60_000, maxDelay: 60_000, jitter: 0 } })
    const lease = await pool.acquire(url)
    const reconnecting = new Promise<void>((resolve) => pool.on('reconnecting', () => {
      closing ??= pool.close()
      resolve()
    }))
    lease.send('bye')
    await reconnecting
    await closing
  } else throw new Error(`unknown mode ${mode}`)
  console.log(JSON.stringify({ pending: pending.size, timers: [...pending.values()] }))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
