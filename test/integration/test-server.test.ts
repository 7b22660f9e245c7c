/**
 * The shared test server itself: routes, exact counting, modes, outage on the same port, and
 * HTTP control (including 400s for bad input, which must never crash it).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect as tcpConnect } from 'node:net'
import { WebSocket } from 'ws'
import { startTestServer, type TestServer } from '../server/test-server.js'

const servers: TestServer[] = []
const sockets: WebSocket[] = []
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function start(): Promise<TestServer> {
  const server = await startTestServer()
  servers.push(server)
  return server
}

function connect(url: string, protocols?: string[], opts: { handshakeTimeout?: number } = {}): WebSocket {
  const ws = new WebSocket(url, protocols, opts)
  ws.on('error', () => {})
  sockets.push(ws)
  return ws
}

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })))
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })))
}

/** Upgrade outcome: 'open', or the HTTP status of a rejected upgrade, or the error code. */
function upgradeOutcome(url: string): Promise<string | number> {
  return new Promise((resolve) => {
    const ws = connect(url)
    ws.once('open', () => resolve('open'))
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      res.resume()
    })
    ws.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
}

async function until(check: () => boolean, timeout = 5000): Promise<void> {
  const end = Date.now() + timeout
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

async function control(server: TestServer, method: 'GET' | 'POST', path: string) {
  const res = await fetch(server.httpUrl + path, { method })
  return { status: res.status, cors: res.headers.get('access-control-allow-origin'), body: (await res.json()) as any }
}

describe('test server: routes', () => {
  it('echoes text and binary on /echo and on any other path, selecting the first subprotocol', async () => {
    const server = await start()
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}`)
    expect(server.httpUrl).toBe(`http://127.0.0.1:${server.port}`)
    const ws = connect(`${server.url}/echo?x=1`, ['p1', 'p2'])
    await opened(ws)
    expect(ws.protocol).toBe('p1')
    expect(server.lastUpgrade()).toMatchObject({ path: '/echo', query: { x: '1' }, protocols: ['p1', 'p2'] })
    expect(server.lastUpgrade()?.headers['sec-websocket-version']).toBe('13')
    const text = nextMessage(ws)
    ws.send('héllo')
    expect(await text).toMatchObject({ isBinary: false })
    expect((await text).data.toString()).toBe('héllo')
    const bin = nextMessage(ws)
    ws.send(new Uint8Array([1, 2, 3]))
    expect((await bin).isBinary).toBe(true)
    expect([...(await bin).data]).toEqual([1, 2, 3])

    const other = connect(`${server.url}/anything`)
    await opened(other)
    expect(other.protocol).toBe('')
    const reply = nextMessage(other)
    other.send('x')
    expect((await reply).data.toString()).toBe('x')
  })

  it('echoes after ?delay=MS', async () => {
    const server = await start()
    const ws = connect(`${server.url}/echo?delay=150`)
    await opened(ws)
    const t0 = performance.now()
    const reply = nextMessage(ws)
    ws.send('late')
    expect((await reply).data.toString()).toBe('late')
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140)
  })

  it('/close closes with the given code and reason, at open or after K messages', async () => {
    const server = await start()
    const now = connect(`${server.url}/close?code=1008&reason=policy`)
    expect(await closed(now)).toEqual({ code: 1008, reason: 'policy' })

    const later = connect(`${server.url}/close?code=4001&reason=bye&after=2`)
    await opened(later)
    const first = nextMessage(later)
    later.send('one')
    expect((await first).data.toString()).toBe('one')
    const end = closed(later)
    later.send('two')
    expect(await end).toEqual({ code: 4001, reason: 'bye' })

    const plain = connect(`${server.url}/close`)
    expect((await closed(plain)).code).toBe(1000)
  })

  it('/log records text messages per tag in arrival order', async () => {
    const server = await start()
    const ws = connect(`${server.url}/log?tag=t1`)
    await opened(ws)
    for (const m of ['a', 'b', 'c']) ws.send(m)
    ws.send(new Uint8Array([9])) // binary: echoed, not recorded
    await until(() => server.log('t1').length === 3)
    expect(server.log('t1')).toEqual(['a', 'b', 'c'])
    expect(server.log('other')).toEqual([])
    expect(await control(server, 'GET', '/_/log?tag=t1')).toMatchObject({ status: 200, body: ['a', 'b', 'c'] })
  })

  it('/hang never answers the upgrade and is not counted', async () => {
    const server = await start()
    const ws = connect(`${server.url}/hang`, undefined, { handshakeTimeout: 200 })
    const err = await new Promise<Error>((resolve) => ws.once('error', resolve))
    expect(err.message).toMatch(/timed out/i)
    expect(server.counts()).toMatchObject({ open: 0, accepted: 0 })
    expect(server.lastUpgrade()?.path).toBe('/hang')
  })
})

describe('test server: /rpc', () => {
  /** Collects every text message a socket receives, parsed when it is JSON. */
  function inbox(ws: WebSocket): unknown[] {
    const got: unknown[] = []
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const text = data.toString()
      if (isBinary) return void got.push({ binary: [...data] })
      try {
        got.push(JSON.parse(text))
      } catch {
        got.push(text)
      }
    })
    return got
  }

  it('answers { id, data } with the same id and data, records each request with its connection, and echoes anything else', async () => {
    const server = await start()
    const a = connect(`${server.url}/rpc?tag=t`)
    await opened(a) // a is connection 1, b connection 2
    const b = connect(`${server.url}/rpc`)
    await opened(b)
    const gotA = inbox(a)
    const gotB = inbox(b)
    a.send(JSON.stringify({ id: 1, data: { token: 'x', n: [1, 2] } }))
    b.send(JSON.stringify({ id: 7, data: 'plain' }))
    a.send(JSON.stringify({ id: 2 })) // no data: answered with no data
    a.send('not json')
    a.send(JSON.stringify({ push: 'no id' })) // an object without `id`: echoed
    a.send(JSON.stringify([1, 2]))
    a.send(new Uint8Array([5, 6]))
    await until(() => gotA.length === 6 && gotB.length === 1)
    expect(gotA).toEqual([{ id: 1, data: { token: 'x', n: [1, 2] } }, { id: 2 }, 'not json', { push: 'no id' }, [1, 2], { binary: [5, 6] }])
    expect(gotB).toEqual([{ id: 7, data: 'plain' }])
    const rpc = server.rpc()
    // Arrival order across connections is not fixed: compare by id.
    expect([...rpc.received].sort((x, y) => (x.id as number) - (y.id as number))).toEqual([
      { conn: 1, id: 1, data: { token: 'x', n: [1, 2] }, raw: JSON.stringify({ id: 1, data: { token: 'x', n: [1, 2] } }) },
      { conn: 1, id: 2, data: undefined, raw: '{"id":2}' },
      { conn: 2, id: 7, data: 'plain', raw: JSON.stringify({ id: 7, data: 'plain' }) },
    ])
    expect(rpc).toMatchObject({ replies: 3, pending: 0, peakPerConnection: 1 })
    expect(server.log('t')).toHaveLength(5) // text on /rpc?tag=t is logged too
    expect(server.counts().byPath).toEqual({ '/rpc': 2 })
  })

  it('replies after data.delay (out of order), counts pending per connection, and sends twice, a push or raw messages when asked', async () => {
    const server = await start()
    const ws = connect(`${server.url}/rpc`)
    await opened(ws)
    const got = inbox(ws)
    ws.send(JSON.stringify({ id: 1, data: { delay: 150 } }))
    ws.send(JSON.stringify({ id: 2, data: { delay: 50 } }))
    ws.send(JSON.stringify({ id: 3, data: { noReply: true } }))
    await until(() => server.rpc().received.length === 3)
    expect(server.rpc()).toMatchObject({ pending: 2, peakPerConnection: 2, replies: 0 })
    await until(() => got.length === 2)
    expect(got).toEqual([{ id: 2, data: { delay: 50 } }, { id: 1, data: { delay: 150 } }])
    expect(server.rpc()).toMatchObject({ pending: 0, peakPerConnection: 2, replies: 2 })

    ws.send(JSON.stringify({ id: 4, data: { twice: true } }))
    ws.send(JSON.stringify({ id: 5, data: { push: { hello: 1 } } }))
    ws.send(JSON.stringify({ id: 6, data: { before: ['raw', '{"id":99,"data":"stray"}', 3], noReply: true } }))
    await until(() => got.length === 8)
    expect(got.slice(2)).toEqual([
      { id: 4, data: { twice: true } },
      { id: 4, data: { twice: true } },
      { push: { hello: 1 } },
      { id: 5, data: { push: { hello: 1 } } },
      'raw',
      { id: 99, data: 'stray' },
    ])
    expect(server.rpc().replies).toBe(5)
    // The route default delay applies when data has none; bad steering values are ignored.
    const slow = connect(`${server.url}/rpc?delay=100`)
    await opened(slow)
    const gotSlow = inbox(slow)
    const t0 = performance.now()
    slow.send(JSON.stringify({ id: 1, data: { delay: -5, close: { code: 1006 }, twice: 'yes' } }))
    await until(() => gotSlow.length === 1)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90)
    expect(gotSlow).toEqual([{ id: 1, data: { delay: -5, close: { code: 1006 }, twice: 'yes' } }])
  })

  it('closes with data.close, destroys the socket with data.drop; pending replies of a dropped connection are never sent', async () => {
    const server = await start()
    const a = connect(`${server.url}/rpc`)
    await opened(a)
    const endA = closed(a)
    a.send(JSON.stringify({ id: 1, data: { close: { code: 4001, reason: 'bye' } } }))
    expect(await endA).toEqual({ code: 4001, reason: 'bye' })

    const b = connect(`${server.url}/rpc`)
    await opened(b)
    const gotB = inbox(b)
    const endB = closed(b)
    b.send(JSON.stringify({ id: 1, data: { delay: 50 } }))
    b.send(JSON.stringify({ id: 2, data: { drop: true } }))
    expect((await endB).code).toBe(1006)
    expect(server.rpc()).toMatchObject({ pending: 0 })

    const c = connect(`${server.url}/rpc`)
    await opened(c)
    const gotC = inbox(c)
    c.send(JSON.stringify({ id: 1, data: { delay: 50 } }))
    await until(() => server.rpc().pending === 1)
    server.dropAll()
    expect(server.rpc().pending).toBe(0)
    await new Promise((r) => setTimeout(r, 100))
    expect([...gotB, ...gotC]).toEqual([])
    expect(server.rpc()).toMatchObject({ replies: 0, pending: 0 })
    expect(server.rpc().received.map((r) => r.conn)).toEqual([1, 2, 2, 3])
  })

  it('GET /_/rpc serves the record; reset clears it', async () => {
    const server = await start()
    const ws = connect(`${server.url}/rpc`)
    await opened(ws)
    ws.send(JSON.stringify({ id: 1, data: { delay: 10_000 } }))
    await until(() => server.rpc().pending === 1)
    expect(await control(server, 'GET', '/_/rpc')).toMatchObject({
      status: 200,
      cors: '*',
      body: { received: [{ conn: 1, id: 1, data: { delay: 10_000 } }], replies: 0, pending: 1, peakPerConnection: 1 },
    })
    server.reset()
    expect(server.rpc()).toEqual({ received: [], replies: 0, pending: 1, peakPerConnection: 1 })
    expect((await control(server, 'POST', '/_/rpc')).status).toBe(405)
  })
})

describe('test server: counting', () => {
  it('counts open connections per path and in total, with peaks, until each socket closes', async () => {
    const server = await start()
    const a = [1, 2, 3].map(() => connect(`${server.url}/a`))
    const b = [1, 2].map(() => connect(`${server.url}/b?q=1`))
    await Promise.all([...a, ...b].map(opened))
    expect(server.counts()).toEqual({ open: 5, peak: 5, accepted: 5, byPath: { '/a': 3, '/b': 2 }, peakByPath: { '/a': 3, '/b': 2 } })

    a[0].close()
    await closed(a[0])
    await until(() => server.counts().open === 4)
    expect(server.counts()).toMatchObject({ open: 4, peak: 5, byPath: { '/a': 2, '/b': 2 } })

    for (const ws of [...a, ...b]) ws.close()
    await until(() => server.counts().open === 0)
    expect(server.counts()).toEqual({ open: 0, peak: 5, accepted: 5, byPath: { '/a': 0, '/b': 0 }, peakByPath: { '/a': 3, '/b': 2 } })
  })

  it('reset clears peaks, counters, logs and modes but keeps open connections counted', async () => {
    const server = await start()
    const keep = connect(`${server.url}/a`)
    const gone = connect(`${server.url}/log?tag=x`)
    await Promise.all([opened(keep), opened(gone)])
    gone.send('m')
    await until(() => server.log('x').length === 1)
    gone.close()
    await until(() => server.counts().open === 1)
    server.setRefuse(true)
    server.setHalfOpen(true)
    server.reset()
    expect(server.counts()).toEqual({ open: 1, peak: 1, accepted: 0, byPath: { '/a': 1 }, peakByPath: { '/a': 1 } })
    expect(server.log('x')).toEqual([])
    expect(server.lastUpgrade()).toBeUndefined()
    expect(await upgradeOutcome(`${server.url}/echo`)).toBe('open') // modes cleared
  })
})

describe('test server: failure modes', () => {
  it('dropAll destroys every socket without a close frame; counts drop at once', async () => {
    const server = await start()
    const list = [1, 2, 3].map(() => connect(`${server.url}/echo`))
    await Promise.all(list.map(opened))
    const codes = Promise.all(list.map(closed))
    server.dropAll()
    expect(server.counts().open).toBe(0)
    expect((await codes).map((c) => c.code)).toEqual([1006, 1006, 1006])
    expect(await upgradeOutcome(`${server.url}/echo`)).toBe('open') // still listening
  })

  it('outage drops everything, refuses connections, and comes back on the same port', async () => {
    const server = await start()
    const ws = connect(`${server.url}/echo`)
    await opened(ws)
    const end = closed(ws)
    const back = server.outage(300)
    expect((await end).code).toBe(1006)
    expect(await upgradeOutcome(`${server.url}/echo`)).toBe('ECONNREFUSED')
    await back
    expect(await upgradeOutcome(`${server.url}/echo`)).toBe('open')
    expect(server.counts().open).toBe(1)
  })

  it('half-open keeps sockets open but answers nothing (no echo, no pong); off restores', async () => {
    const server = await start()
    const ws = connect(`${server.url}/echo`)
    await opened(ws)
    server.setHalfOpen(true)
    let got = 0
    ws.on('message', () => got++)
    ws.on('pong', () => got++)
    ws.send('lost')
    ws.ping()
    await new Promise((r) => setTimeout(r, 200))
    expect(got).toBe(0)
    expect(ws.readyState).toBe(WebSocket.OPEN)
    expect(await upgradeOutcome(`${server.url}/echo`)).toBe('open') // accepts, never replies
    server.setHalfOpen(false)
    const pong = new Promise((resolve) => ws.once('pong', resolve))
    ws.ping()
    await pong
    const reply = nextMessage(ws)
    ws.send('back')
    expect((await reply).data.toString()).toBe('back')
  })

  it('refuse rejects new upgrades with HTTP 503 and keeps existing ones', async () => {
    const server = await start()
    const ws = connect(`${server.url}/echo`)
    await opened(ws)
    server.setRefuse(true)
    expect(await upgradeOutcome(`${server.url}/echo`)).toBe(503)
    expect(server.counts()).toMatchObject({ open: 1, accepted: 1 })
    server.setRefuse(false)
    expect(await upgradeOutcome(`${server.url}/echo`)).toBe('open')
  })

  it('close() ends everything, is idempotent, and also works during an outage', async () => {
    const server = await startTestServer()
    const ws = connect(`${server.url}/echo`)
    await opened(ws)
    const end = closed(ws)
    await Promise.all([server.close(), server.close()])
    expect((await end).code).toBe(1006)
    expect(await upgradeOutcome(`${server.url}/echo`)).toBe('ECONNREFUSED')

    const other = await startTestServer()
    const back = other.outage(10_000)
    await other.close()
    await back // resolves instead of hanging
    expect(await upgradeOutcome(`${other.url}/echo`)).toBe('ECONNREFUSED')
  })
})

describe('test server: HTTP control', () => {
  it('serves stats, drop, outage, half-open, refuse and reset with CORS', async () => {
    const server = await start()
    const ws = connect(`${server.url}/a`)
    await opened(ws)
    expect(await control(server, 'GET', '/_/stats')).toEqual({
      status: 200,
      cors: '*',
      body: { open: 1, peak: 1, accepted: 1, byPath: { '/a': 1 }, peakByPath: { '/a': 1 } },
    })
    const end = closed(ws)
    expect((await control(server, 'POST', '/_/drop')).body).toEqual({ ok: true })
    expect((await end).code).toBe(1006)
    expect((await control(server, 'POST', '/_/refuse?on=1')).body).toEqual({ ok: true, refuse: true })
    expect(await upgradeOutcome(`${server.url}/a`)).toBe(503)
    expect((await control(server, 'POST', '/_/refuse?on=0')).body).toEqual({ ok: true, refuse: false })
    expect((await control(server, 'POST', '/_/half-open?on=true')).body).toEqual({ ok: true, halfOpen: true })
    expect((await control(server, 'POST', '/_/reset')).body).toEqual({ ok: true })
    expect((await control(server, 'GET', '/_/stats')).body).toMatchObject({ open: 0, peak: 0, accepted: 0 })

    expect((await control(server, 'POST', '/_/outage?ms=300')).body).toEqual({ ok: true, ms: 300 })
    // The outage starts once the reply is sent: wait for refusal, then for the comeback.
    let outcome: string | number = 'open'
    for (let i = 0; i < 100 && outcome === 'open'; i++) outcome = await upgradeOutcome(`${server.url}/a`)
    expect(outcome).toBe('ECONNREFUSED')
    for (let i = 0; i < 200 && outcome !== 'open'; i++) {
      await new Promise((r) => setTimeout(r, 25))
      outcome = await upgradeOutcome(`${server.url}/a`)
    }
    expect(outcome).toBe('open')
  })

  it('answers bad input with 400 and a JSON error, unknown routes 404, wrong methods 405', async () => {
    const server = await start()
    const bad: [string, string][] = [
      ['POST', '/_/outage'],
      ['POST', '/_/outage?ms=abc'],
      ['POST', '/_/outage?ms=0'],
      ['POST', '/_/outage?ms=-5'],
      ['POST', '/_/outage?ms=1.5'],
      ['POST', '/_/outage?ms=99999999'],
      ['POST', '/_/half-open'],
      ['POST', '/_/half-open?on=2'],
      ['POST', '/_/refuse?on=yes'],
      ['GET', '/_/log'],
    ]
    for (const [method, path] of bad) {
      const res = await control(server, method as 'GET' | 'POST', path)
      expect(res.status, `${method} ${path}`).toBe(400)
      expect(res.cors).toBe('*')
      expect(typeof res.body.error).toBe('string')
    }
    expect((await control(server, 'GET', '/_/nope')).status).toBe(404)
    expect((await control(server, 'GET', '/')).status).toBe(404)
    expect((await control(server, 'GET', '/_/drop')).status).toBe(405)
    expect((await control(server, 'POST', '/_/stats')).status).toBe(405)
    const preflight = await fetch(`${server.httpUrl}/_/drop`, { method: 'OPTIONS' })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')

    for (const path of ['/close?code=abc', '/close?code=1006', '/close?code=999', '/close?code=5000', '/close?after=-1', '/echo?delay=x', `/close?reason=${'r'.repeat(124)}`]) {
      expect(await upgradeOutcome(server.url + path), path).toBe(400)
    }
    expect(server.counts().accepted).toBe(0)
    expect(await upgradeOutcome(`${server.url}/echo`)).toBe('open') // still alive
  })

  it('survives garbage and broken handshakes', async () => {
    const server = await start()
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = tcpConnect(server.port, '127.0.0.1', () => socket.end(text))
        let got = ''
        socket.on('data', (d) => (got += d.toString()))
        socket.on('close', () => resolve(got))
        socket.on('error', () => resolve(got))
      })
    await raw('\x00\x01 not http at all\r\n\r\n')
    // An upgrade without Sec-WebSocket-Key: `ws` answers 400 itself.
    const reply = await raw('GET /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n')
    expect(reply).toMatch(/^HTTP\/1\.1 400/)
    expect(server.counts()).toMatchObject({ open: 0, accepted: 0 })
    expect(await upgradeOutcome(`${server.url}/echo`)).toBe('open')
  })
})
