/**
 * HTTP control of the test server (JSON, `Access-Control-Allow-Origin: *` so a page served from
 * another port can call it). Bad input gets 400 `{ error }`, unknown routes 404, wrong methods
 * 405; nothing a client sends can crash the server.
 *
 * GET  /_/stats              -> ServerCounts
 * GET  /_/log?tag=T          -> string[]
 * GET  /_/rpc                -> RpcCounts (requests received on /rpc, replies, pending, peak)
 * POST /_/drop               -> { ok: true }
 * POST /_/outage?ms=N        -> { ok: true, ms } at once; the outage starts once this is sent
 * POST /_/half-open?on=1|0   -> { ok: true, halfOpen }
 * POST /_/refuse?on=1|0      -> { ok: true, refuse }
 * POST /_/reset              -> { ok: true }
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TestServer } from './test-server.js'

const MAX_OUTAGE = 600_000

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

function send(res: ServerResponse, status: number, body: unknown, after?: () => void): void {
  const json = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(json),
    'Access-Control-Allow-Origin': '*',
    'Cache-Control': 'no-store',
  })
  res.end(json, after)
}

function flag(q: URLSearchParams): boolean {
  const raw = q.get('on')
  if (raw === '1' || raw === 'true') return true
  if (raw === '0' || raw === 'false') return false
  throw new HttpError(400, `Expected \`on\` to be 1 or 0, got ${JSON.stringify(raw)}`)
}

function outageMs(q: URLSearchParams): number {
  const raw = q.get('ms')
  const n = Number(raw)
  if (raw === null || raw.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_OUTAGE) {
    throw new HttpError(400, `Expected \`ms\` to be an integer in [1, ${MAX_OUTAGE}], got ${JSON.stringify(raw)}`)
  }
  return n
}

const routes: Record<string, { method: 'GET' | 'POST'; run: (s: TestServer, q: URLSearchParams) => { body: unknown; after?: () => void } }> = {
  '/_/stats': { method: 'GET', run: (s) => ({ body: s.counts() }) },
  '/_/log': {
    method: 'GET',
    run: (s, q) => {
      const tag = q.get('tag')
      if (tag === null) throw new HttpError(400, 'Expected a `tag` query parameter')
      return { body: s.log(tag) }
    },
  },
  '/_/rpc': { method: 'GET', run: (s) => ({ body: s.rpc() }) },
  '/_/drop': {
    method: 'POST',
    // After the reply: dropAll destroys every socket, this request's included.
    run: (s) => ({ body: { ok: true }, after: () => s.dropAll() }),
  },
  '/_/outage': {
    method: 'POST',
    run: (s, q) => {
      const ms = outageMs(q)
      return { body: { ok: true, ms }, after: () => void s.outage(ms).catch(() => {}) }
    },
  },
  '/_/half-open': {
    method: 'POST',
    run: (s, q) => {
      const on = flag(q)
      s.setHalfOpen(on)
      return { body: { ok: true, halfOpen: on } }
    },
  },
  '/_/refuse': {
    method: 'POST',
    run: (s, q) => {
      const on = flag(q)
      s.setRefuse(on)
      return { body: { ok: true, refuse: on } }
    },
  },
  '/_/reset': {
    method: 'POST',
    run: (s) => {
      s.reset()
      return { body: { ok: true } }
    },
  },
}

export function handleControl(server: TestServer, req: IncomingMessage, res: ServerResponse): void {
  req.resume() // bodies are ignored
  res.on('error', () => {})
  try {
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://test.invalid')
    } catch {
      throw new HttpError(400, 'Malformed request URL')
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': '*',
        'Access-Control-Max-Age': '600',
      })
      return void res.end()
    }
    const route = routes[url.pathname]
    if (!route) throw new HttpError(404, `No route ${url.pathname}; control routes: ${Object.keys(routes).join(', ')}`)
    if (req.method !== route.method) throw new HttpError(405, `${url.pathname} expects ${route.method}, got ${req.method}`)
    const { body, after } = route.run(server, url.searchParams)
    send(res, 200, body, after)
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 500
    send(res, status, { error: err instanceof Error ? err.message : String(err) })
  }
}
