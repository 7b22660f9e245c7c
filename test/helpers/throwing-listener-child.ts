/**
 * Child process for the issue-7 throwing-listener test (bug 6): a pool `open` listener and a lease
 * `message` listener throw; the child must carry on (other listeners still run, the pool works),
 * close its pool and exit with code 0 on its own. Node 20 has no `reportError`: the errors are
 * expected on stderr (console.error). With `--report-error` the child installs a
 * `globalThis.reportError` first, which must then receive them.
 *
 * Usage: node --import tsx test/helpers/throwing-listener-child.ts <ws-url> [--report-error]
 */
import { createPool } from '../../src/index.js'

const [base, flag] = process.argv.slice(2)
if (flag === '--report-error') {
  ;(globalThis as { reportError?: (e: unknown) => void }).reportError = (e: unknown) =>
    console.log(`reportError: ${(e as Error).message}`)
}

async function main(): Promise<void> {
  const pool = createPool({ breaker: false })
  let opens = 0
  pool.on('open', () => {
    throw new Error('boom from a pool open listener')
  })
  pool.on('open', () => void opens++)
  const lease = await pool.acquire(`${base}/echo`)
  lease.on('message', () => {
    throw new Error('boom from a lease message listener')
  })
  const echoed = new Promise<unknown>((resolve) => lease.on('message', resolve))
  lease.send('ping')
  const echo = await echoed
  // Give a deferred rethrow (a timer) the chance to run before we carry on.
  await new Promise((resolve) => setTimeout(resolve, 20))
  lease.send('ping again')
  await new Promise<unknown>((resolve) => lease.once('message', resolve))
  lease.release()
  await pool.send(`${base}/log?tag=child`, 'after the throws')
  await pool.close()
  console.log(`done echo=${String(echo)} opens=${opens}`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
