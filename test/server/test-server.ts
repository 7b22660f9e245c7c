/**
 * The one shared test server: integration tests, e2e and the demo all run against it.
 *
 * WebSocket routes (any other path echoes, so `/a`, `/b` are distinct URLs):
 * - `/echo[?delay=MS]`               echo text and binary, optionally after MS ms
 * - `/close?code=N&reason=R&after=K` echo, and close with N/R once K messages arrived (K=0: at open)
 * - `/log?tag=T`                     record each text message under T (see `log(T)`), echo it
 * - `/rpc[?delay=MS][&tag=T]`        request/reply: a JSON text `{ id, data }` is answered with
 *                                    `{ id, data }`; `data` can ask for a delay, no reply, two
 *                                    replies, a push, a close or a drop (see `rpc.ts` and `rpc()`);
 *                                    anything else is echoed; with `tag`, text is also logged
 * - `/hang`                          never answer the HTTP upgrade
 * The first offered subprotocol is selected.
 *
 * HTTP control under `/_/` (JSON, CORS `*`; bad input -> 400 `{ error }`): see `control.ts`.
 *
 * Counting is exact: a connection counts as open from the completed handshake until its TCP
 * socket has closed (closing sockets included), which is what the per-origin cap is about; the
 * connection log tells when each opened and began to go (see `counts.ts`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { WebSocketServer, type WebSocket, type RawData } from 'ws'
import { handleControl } from './control.js'
import { Counter, type ConnectionEvent, type ServerCounts } from './counts.js'
import { BadInput, parseRoute, rejectUpgrade, type Route } from './routes.js'
import { createRpc, type RpcCounts } from './rpc.js'

export type { RpcCounts, RpcRequest } from './rpc.js'
export type { ConnectionEvent, ServerCounts } from './counts.js'

export interface TestServerOptions {
  /** @default 0 (a free port) */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
  /** the clock that stamps the connection log (share one to order the logs of several servers and a client) @default performance.now */
  clock?: () => number
}

export interface UpgradeInfo {
  path: string
  query: Record<string, string>
  protocols: string[]
  headers: Record<string, string>
}

export interface TestServer {
  readonly port: number
  /** 'ws://127.0.0.1:<port>' */
  readonly url: string
  /** 'http://127.0.0.1:<port>' */
  readonly httpUrl: string
  counts(): ServerCounts
  /** when each connection opened and began to go, in order (a copy; see `counts.ts`) */
  connections(): ConnectionEvent[]
  /** text messages received on /log?tag=<tag> (and /rpc?tag=<tag>), in arrival order (a copy) */
  log(tag: string): string[]
  /** requests received on /rpc, replies sent and pending, per-connection peak (a copy) */
  rpc(): RpcCounts
  /** the last upgrade request seen (any route, refused ones included) */
  lastUpgrade(): UpgradeInfo | undefined
  /** destroy every socket abruptly (no close frame); counts drop at once */
  dropAll(): void
  /** dropAll + stop listening; listen again on the SAME port after ms (resolves when back) */
  outage(ms: number): Promise<void>
  /** sockets stay open but the server replies nothing (no echo, no pong, no close-after) */
  setHalfOpen(on: boolean): void
  /** new upgrades are rejected with HTTP 503 */
  setRefuse(on: boolean): void
  /** a slow server: echoes, `/rpc` replies and pongs go out `ms` later than they would (0: off) */
  setReplyDelay(ms: number): void
  /** clear logs, peaks, counters, the connection log, last upgrade, modes and the /rpc record (open connections stay) */
  reset(): void
  /** terminate everything; nothing is left running */
  close(): Promise<void>
}

/** Start a server on 127.0.0.1 (port 0 unless given). */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const host = opts.host ?? '127.0.0.1'
  const sockets = new Set<Socket>() // every raw socket: HTTP, upgraded, hanging
  const counter = new Counter(opts.clock ?? (() => performance.now()))
  const logs = new Map<string, string[]>()
  const timers = new Set<NodeJS.Timeout>()
  let last: UpgradeInfo | undefined
  let halfOpen = false
  let refuse = false
  let replyDelay = 0
  let closed = false
  let outageTimer: NodeJS.Timeout | undefined
  let outageDone: Promise<void> | undefined
  let outageResolve: (() => void) | undefined

  const wss = new WebSocketServer({
    noServer: true,
    autoPong: false,
    handleProtocols: (protocols) => {
      for (const p of protocols) return p
      return false
    },
  })

  // Idempotent: called on the socket's 'close' and synchronously when we destroy it.
  const countOut = (socket: Socket): void => {
    rpc.end(socket)
    counter.out(socket)
  }
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t)
      fn()
    }, ms)
    timers.add(t)
  }
  const rpc = createRpc(later, (socket) => {
    countOut(socket)
    socket.destroy()
  })

  const onConnection = (ws: WebSocket, socket: Socket, route: Route): void => {
    counter.in(socket, route.path)
    if (route.rpc) rpc.open(socket)
    socket.once('close', () => countOut(socket))
    socket.once('end', () => counter.going(socket))
    socket.once('error', () => counter.going(socket))
    ws.on('error', () => {}) // protocol errors from clients must not crash the server
    ws.on('ping', (data) => {
      if (halfOpen) return
      if (replyDelay > 0) later(replyDelay, () => ws.readyState === ws.OPEN && ws.pong(data))
      else ws.pong(data)
    })
    let received = 0
    const closeNow = (): void => {
      if (route.close && ws.readyState === ws.OPEN) ws.close(route.close.code, route.close.reason)
    }
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (halfOpen) return // a dead peer: nothing recorded, nothing answered
      received++
      if (route.tag !== undefined && !isBinary) {
        const list = logs.get(route.tag) ?? []
        list.push(data.toString())
        logs.set(route.tag, list)
      }
      if (route.rpc && !isBinary && rpc.message(ws, socket, data.toString(), route.delay, replyDelay)) return
      const echo = (): void => {
        if (ws.readyState === ws.OPEN) ws.send(data, { binary: isBinary })
      }
      if (route.delay + replyDelay > 0) later(route.delay + replyDelay, echo)
      else echo()
      if (route.close && received >= route.close.after) {
        if (route.delay > 0) later(route.delay, closeNow)
        else closeNow()
      }
    })
    if (route.close && route.close.after === 0 && !halfOpen) closeNow()
  }

  const onUpgrade = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    socket.on('error', () => {})
    let url: URL
    let route: Route
    try {
      url = new URL(req.url ?? '/', 'http://test.invalid')
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
      }
      last = {
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        protocols: (headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean),
        headers,
      }
      route = parseRoute(url)
    } catch (err) {
      const message = err instanceof BadInput ? err.message : 'Malformed request URL'
      return rejectUpgrade(socket, 400, 'Bad Request', JSON.stringify({ error: message }))
    }
    if (refuse) return rejectUpgrade(socket, 503, 'Service Unavailable', JSON.stringify({ error: 'refusing' }))
    if (route.path === '/hang') return // never answered; dropAll/close destroy it
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, socket, route))
  }

  const http: Server = createServer()
  http.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  http.on('upgrade', onUpgrade)
  http.on('clientError', (_err, socket) => socket.destroy())

  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      http.once('error', onError)
      http.listen(port, host, () => {
        http.off('error', onError)
        resolve()
      })
    })
  await listen(opts.port ?? 0)
  const address = http.address()
  if (address === null || typeof address === 'string') throw new Error('test server: no TCP address')
  const port = address.port
  const hostPart = host.includes(':') ? `[${host}]` : host

  const dropAll = (): void => {
    for (const socket of sockets) {
      countOut(socket)
      socket.destroy()
    }
  }

  const relisten = async (): Promise<void> => {
    // The port is ours a moment ago; retry briefly in case the kernel is slow to release it.
    for (let i = 0; ; i++) {
      try {
        return await listen(port)
      } catch (err) {
        if (closed || i >= 50) throw err
        await new Promise((r) => setTimeout(r, 20))
      }
    }
  }

  const server: TestServer = {
    port,
    url: `ws://${hostPart}:${port}`,
    httpUrl: `http://${hostPart}:${port}`,
    counts: () => counter.snapshot(),
    connections: () => counter.log(),
    log: (tag) => [...(logs.get(tag) ?? [])],
    rpc: () => rpc.snapshot(),
    lastUpgrade: () => (last ? { ...last, query: { ...last.query }, protocols: [...last.protocols], headers: { ...last.headers } } : undefined),
    dropAll,
    outage(ms) {
      if (closed) return Promise.reject(new Error('test server is closed'))
      if (!Number.isFinite(ms) || ms < 0) return Promise.reject(new RangeError(`outage: bad ms ${ms}`))
      if (!outageDone) {
        http.close()
        outageDone = new Promise<void>((resolve) => (outageResolve = resolve))
      }
      dropAll()
      clearTimeout(outageTimer)
      outageTimer = setTimeout(() => {
        outageTimer = undefined
        relisten().then(
          () => {
            if (closed) http.close()
            const done = outageResolve
            outageDone = outageResolve = undefined
            done?.()
          },
          () => {
            const done = outageResolve
            outageDone = outageResolve = undefined
            done?.()
          },
        )
      }, ms)
      return outageDone
    },
    setHalfOpen: (on) => void (halfOpen = on),
    setRefuse: (on) => void (refuse = on),
    setReplyDelay(ms) {
      if (!Number.isInteger(ms) || ms < 0 || ms > 600_000) throw new RangeError(`setReplyDelay: bad ms ${ms}`)
      replyDelay = ms
    },
    reset() {
      logs.clear()
      rpc.reset()
      last = undefined
      halfOpen = false
      refuse = false
      replyDelay = 0
      counter.reset()
    },
    async close() {
      if (closed) return
      closed = true
      clearTimeout(outageTimer)
      for (const t of timers) clearTimeout(t)
      timers.clear()
      dropAll()
      wss.close()
      if (http.listening) await new Promise<void>((resolve) => http.close(() => resolve()))
      outageResolve?.()
      outageDone = outageResolve = undefined
    },
  }
  http.on('request', (req, res) => handleControl(server, req, res))
  return server
}
