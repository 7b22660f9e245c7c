/**
 * Child process for the exit test: uses a pool against the test server, leaves it busy (leases,
 * a queued acquire, a hanging connect, a leased connection waiting out a long reconnect delay),
 * then closes it (or not, with `--no-close`, the control case) and returns from its main
 * function. The parent checks that the process exits on its own: after close() nothing may keep
 * it alive.
 *
 * Usage: node --import tsx test/helpers/exit-child.ts <ws-url> [--no-close]
 */
import { createPool } from '../../src/index.js'

const [base, flag] = process.argv.slice(2)

async function main(): Promise<void> {
  const pool = createPool({
    maxPerHost: 3,
    minIdlePerHost: 1,
    idleTimeout: 60_000,
    maxLifetime: 120_000,
    breaker: false,
    reconnect: { initialDelay: 60_000, maxDelay: 60_000, jitter: 0 },
  })
  pool.on('open', () => {})
  const lease = await pool.acquire(`${base}/echo`)
  const echoed = new Promise((resolve) => lease.once('message', resolve))
  lease.send('ping')
  await echoed
  await pool.send(`${base}/log?tag=child`, 'hello from child')
  const other = await pool.acquire(`${base}/echo`)
  // A leased connection the server closes (4000): it waits a minute before reconnecting.
  const dropper = await pool.acquire(`${base}/close?code=4000&after=1`)
  const reconnecting = new Promise((resolve) => dropper.once('reconnecting', resolve))
  dropper.send('bye')
  await reconnecting
  // Every slot is leased: a queued acquire with a long deadline, and a connect that hangs.
  const queued = pool.acquire(`${base}/echo`, { timeout: 60_000 }).catch((e: Error & { code?: string }) => e.code)
  const hanging = pool
    .acquire(`${base.replace('127.0.0.1', 'localhost')}/hang`, { timeout: 60_000 })
    .catch((e: Error & { code?: string }) => e.code)
  void other
  if (flag === '--no-close') {
    console.log('not closing')
    return
  }
  await pool.close()
  console.log('closed', await queued, await hanging)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
