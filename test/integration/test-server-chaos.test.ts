/**
 * What the test server offers the chaos run besides its routes and modes (`test-server.test.ts`):
 * the connection log on a clock of the caller's, and the slow server (`setReplyDelay`).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startTestServer, type TestServer } from '../server/test-server.js'

const servers: TestServer[] = []
const sockets: WebSocket[] = []
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url)
  ws.on('error', () => {})
  sockets.push(ws)
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  return ws
}

function next(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())))
}

async function until(check: () => boolean, timeout = 5000): Promise<void> {
  const end = Date.now() + timeout
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('test server: for the chaos run', () => {
  it('logs when each connection opened and began to go (the peer\'s FIN, a destroy), stamped by its clock', async () => {
    let t = 0
    const server = await startTestServer({ clock: () => ++t })
    servers.push(server)
    const a = await open(`${server.url}/a`)
    await open(`${server.url}/b`)
    a.close()
    await until(() => server.counts().open === 1)
    server.dropAll()
    expect(server.connections()).toEqual([
      { at: 1, type: 'open', conn: 1, path: '/a' },
      { at: 2, type: 'open', conn: 2, path: '/b' },
      { at: 3, type: 'end', conn: 1, path: '/a' },
      { at: 4, type: 'end', conn: 2, path: '/b' },
    ])
    server.reset()
    expect(server.connections()).toEqual([])
  })

  it('setReplyDelay delays echoes, /rpc replies and pongs; 0 restores', async () => {
    const server = await startTestServer()
    servers.push(server)
    const ws = await open(`${server.url}/rpc`)
    server.setReplyDelay(150)
    const since = Date.now()
    const echo = next(ws)
    ws.send('slow')
    expect(await echo).toBe('slow')
    const reply = next(ws)
    ws.send(JSON.stringify({ id: 1, data: { delay: 50 } }))
    expect(JSON.parse(await reply)).toEqual({ id: 1, data: { delay: 50 } })
    const pong = new Promise((resolve) => ws.once('pong', resolve))
    ws.ping()
    await pong
    expect(Date.now() - since).toBeGreaterThanOrEqual(150 + 200 + 150 - 5)
    server.setReplyDelay(0)
    const fast = Date.now()
    const back = next(ws)
    ws.send('fast')
    await back
    expect(Date.now() - fast).toBeLessThan(100)
    expect(() => server.setReplyDelay(-1)).toThrow(RangeError)
  })
})
