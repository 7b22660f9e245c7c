/**
 * Run the shared test server from the command line:
 *   npx tsx test/server/cli.ts [--port N] [--host H]
 * Prints the ws URL on the first line, then runs until killed (SIGINT/SIGTERM close it cleanly).
 */
import { parseArgs } from 'node:util'
import { startTestServer } from './test-server.js'

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
})
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected an integer in [0, 65535], got ${JSON.stringify(values.port)}`)
  process.exit(2)
}

const server = await startTestServer({ port, host: values.host }).catch((err: NodeJS.ErrnoException) => {
  console.error(`test server: cannot listen on ${values.host}:${port}: ${err.code ?? err.message}`)
  process.exit(1)
})
console.log(server.url)
console.log(`control: ${server.httpUrl}/_/stats  (POST /_/drop, /_/outage?ms=N, /_/half-open?on=1, /_/refuse?on=1, /_/reset)`)

const stop = (): void => {
  void server.close().then(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
