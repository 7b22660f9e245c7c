// Benchmark echo server: a child process, controlled over IPC by the benchmark worker.
// Binds 127.0.0.1 on port 0 only. Routes (pathname):
//   /sink       counts messages; on the text message '__end__' replies with the count
//   /log?tag=T  records text messages under T (no reply)
//   anything else echoes text as text and binary as binary
// IPC commands: listen, listenMany {n}, closeMany, outage {ms}, logs {prefix}, counts, reset.
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { exitWithParent, serveIpc } from './lib/procs.js'

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: true, maxPayload: 64 * 1024 * 1024 })
const logs = new Map<string, string[]>()
const rawSockets = new Set<Socket>()
let accepted = 0
let peak = 0

wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
  accepted++
  if (wss.clients.size > peak) peak = wss.clients.size
  const u = new URL(req.url ?? '/', 'http://x')
  if (u.pathname === '/sink') {
    let n = 0
    ws.on('message', (data, isBinary) => {
      if (!isBinary && (data as Buffer).length === 7 && data.toString() === '__end__') {
        ws.send(String(n))
        n = 0
      }
      else n++
    })
  } else if (u.pathname === '/log') {
    const tag = u.searchParams.get('tag') ?? ''
    let list = logs.get(tag)
    if (!list) logs.set(tag, (list = []))
    const l = list
    ws.on('message', (data, isBinary) => {
      if (!isBinary) l.push(data.toString())
    })
  } else {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
  }
  ws.on('error', () => {})
})

function makeServer(): http.Server {
  const server = http.createServer((_req, res) => {
    res.writeHead(404)
    res.end()
  })
  server.on('connection', (s) => {
    rawSockets.add(s)
    s.once('close', () => rawSockets.delete(s))
  })
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket as Socket, head, (ws) => wss.emit('connection', ws, req))
  })
  return server
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port, host: '127.0.0.1', backlog: 2048 }, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

const main = makeServer()
let mainPort = 0
const many: http.Server[] = []

function dropAll(): void {
  for (const s of rawSockets) s.destroy()
  for (const c of wss.clients) c.terminate()
}

function closeServer(s: http.Server): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()))
}

serveIpc({
  async listen() {
    mainPort = await listen(main, 0)
    return { port: mainPort, url: `ws://127.0.0.1:${mainPort}` }
  },
  async listenMany(m: { n: number }) {
    const ports: number[] = []
    for (let i = 0; i < m.n; i++) {
      const s = makeServer()
      ports.push(await listen(s, 0))
      many.push(s)
    }
    return ports
  },
  async closeMany() {
    const all = many.splice(0)
    dropAll()
    await Promise.all(all.map(closeServer))
    return all.length
  },
  /** Abrupt outage: destroy every socket (no close frame), stop listening, listen again on the
   *  same port after `ms`. Replies once listening again, with the down/back instants. */
  async outage(m: { ms: number }) {
    const closed = closeServer(main)
    dropAll()
    await closed
    const down = performance.timeOrigin + performance.now()
    await new Promise((r) => setTimeout(r, m.ms))
    for (let i = 0; ; i++) {
      try {
        await listen(main, mainPort)
        break
      } catch (err) {
        if (i >= 50) throw err
        await new Promise((r) => setTimeout(r, 10))
      }
    }
    return { down, back: performance.timeOrigin + performance.now() }
  },
  logs(m: { prefix: string }) {
    const out: Record<string, string[]> = {}
    for (const [k, v] of logs) if (k.startsWith(m.prefix)) out[k] = v
    return out
  },
  counts() {
    return { open: wss.clients.size, accepted, peak, raw: rawSockets.size }
  },
  reset() {
    logs.clear()
    accepted = 0
    peak = wss.clients.size
    return true
  },
  dropAll() {
    dropAll()
    return true
  },
})

exitWithParent(() => {
  dropAll()
  main.close()
  for (const s of many) s.close()
})
process.send?.({ ready: true })
