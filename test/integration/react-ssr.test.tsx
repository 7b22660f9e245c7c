/**
 * wspool/react on a server (issue 9, item 3): `renderToString` and `renderToPipeableStream` of
 * components that use every hook (`useWebSocket` included: issue 9, item 5), with and without a `PoolProvider`, in plain Node against the
 * real test server: no socket is opened (the server's count), no pool is created without a
 * provider, no browser global is touched, no timer is left, nothing is printed. Importing the
 * entry runs nothing either.
 */
import { Writable } from 'node:stream'
import { StrictMode, version, type ReactNode } from 'react'
import { renderToPipeableStream, renderToString, version as serverVersion } from 'react-dom/server'
import { afterEach, beforeEach, describe, expect, inject, it, onTestFinished, vi } from 'vitest'
import { PoolProvider, useLease, usePool, usePoolStats, useWebSocket } from '../../src/react/index.js'
import { delay, newPool, startServer } from '../helpers/harness.js'

// Every createPool call, the harness's and the default pool's, is counted.
const created = vi.hoisted(() => ({ count: 0 }))
vi.mock('../../src/index.js', async (importOriginal) => {
  const core = await importOriginal<typeof import('../../src/index.js')>()
  return {
    ...core,
    createPool: (...args: Parameters<typeof core.createPool>) => {
      created.count++
      return core.createPool(...args)
    },
  }
})

const BROWSER_GLOBALS = ['window', 'document', 'navigator', 'location', 'self', 'localStorage', 'sessionStorage', 'WebSocket', 'addEventListener']

/** Records every read of a browser global (and of `WebSocket`) until the test ends. */
function trapGlobals(): string[] {
  const touched: string[] = []
  for (const name of BROWSER_GLOBALS) {
    const had = Object.getOwnPropertyDescriptor(globalThis, name)
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name)
        return undefined
      },
    })
    onTestFinished(() => {
      if (had) Object.defineProperty(globalThis, name, had)
      else delete (globalThis as Record<string, unknown>)[name]
    })
  }
  return touched
}

let logs: ReturnType<typeof vi.spyOn>[]
let intervals: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  logs = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m))
  intervals = vi.spyOn(globalThis, 'setInterval')
})
afterEach(() => {
  for (const l of logs) l.mockRestore()
  intervals.mockRestore()
})

/** One component per hook, each printing what it got. */
function Everything({ url }: { url: string }): ReactNode {
  const pool = usePool()
  const { lease, state, error } = useLease(url, { shared: true, timeout: 5000 })
  const idle = useLease(null)
  const stats = usePoolStats()
  const host = usePoolStats({ origin: url, interval: 50 })
  const ws = useWebSocket(url, { share: true, heartbeat: true, shouldReconnect: () => true, onOpen: () => console.log('open') })
  const own = useWebSocket(() => Promise.resolve(url), { queryParams: { a: 1 } })
  const off = useWebSocket(url, {}, false)
  return (
    <p>
      {`pool:${pool === null ? 'none' : 'given'} lease:${lease === null ? 'none' : 'held'} state:${state} error:${String(error)}` +
        ` idle:${idle.state} created:${stats.totals.created} open:${stats.totals.open} hosts:${Object.keys(stats.hosts).length}` +
        ` host:${host === undefined ? 'unknown' : 'known'}` +
        ` ws:${ws.readyState}/${ws.lastMessage === null}/${ws.getWebSocket() === null} own:${own.readyState} off:${off.readyState}`}
    </p>
  )
}

async function streamToString(element: ReactNode): Promise<string> {
  const chunks: Buffer[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk)
      done()
    },
  })
  await new Promise<void>((resolve, reject) => {
    const stream = renderToPipeableStream(element, {
      onAllReady() {
        stream.pipe(sink)
      },
      onShellError: reject,
      onError: reject,
    })
    sink.on('finish', resolve)
  })
  return Buffer.concat(chunks).toString('utf8')
}

const renders: [string, (element: ReactNode) => Promise<string>][] = [
  ['renderToString', async (element) => renderToString(element)],
  ['renderToPipeableStream', streamToString],
]

describe.each(renders)('wspool/react in %s (plain Node)', (_name, render) => {
  it('renders with the React this project runs (19; 18 in integration-react18)', () => {
    expect([version.split('.')[0], serverVersion.split('.')[0]]).toEqual([inject('reactMajor'), inject('reactMajor')])
  })

  it('with a PoolProvider: renders every hook, opens no socket, touches no browser global, prints nothing', async () => {
    const server = await startServer()
    const pool = newPool()
    const touched = trapGlobals()
    const url = `${server.url}/ssr`
    const html = await render(
      <StrictMode>
        <PoolProvider pool={pool}>
          <Everything url={url} />
          <Everything url={`${url}?other`} />
        </PoolProvider>
      </StrictMode>,
    )
    expect(html).toContain('pool:given lease:none state:connecting error:null idle:idle created:0 open:0 hosts:0 host:unknown ws:0/true/true own:0 off:-1')
    await delay(100) // anything started in the background would have connected by now
    expect(touched).toEqual([])
    expect(server.counts().accepted).toBe(0)
    expect(pool.stats().totals.created).toBe(0)
    expect(pool.stats().totals.pending).toBe(0)
    expect(intervals).not.toHaveBeenCalled()
    for (const l of logs) expect(l).not.toHaveBeenCalled()
  })

  it('without a provider: no default pool is created (usePool gives null), nothing opened, touched or printed', async () => {
    const server = await startServer()
    const touched = trapGlobals()
    const before = created.count
    const html = await render(
      <StrictMode>
        <Everything url={`${server.url}/ssr`} />
      </StrictMode>,
    )
    expect(html).toContain('pool:none lease:none state:connecting error:null idle:idle created:0 open:0 hosts:0 host:unknown ws:0/true/true own:0 off:-1')
    expect(created.count).toBe(before) // no default pool
    await delay(100)
    expect(touched).toEqual([])
    expect(server.counts().accepted).toBe(0)
    expect(intervals).not.toHaveBeenCalled()
    for (const l of logs) expect(l).not.toHaveBeenCalled()
  })

  it('an invalid URL or option renders on the server without throwing or printing (the error comes in the browser)', async () => {
    const touched = trapGlobals()
    function Bad(): ReactNode {
      const a = useLease('http://not-a-websocket.example/')
      const b = useLease('ws://127.0.0.1:9/', { timeout: -1, bogus: true } as never)
      const c = useWebSocket('http://not-a-websocket.example/', null as never)
      const d = useWebSocket(42 as never, { reconnectAttempts: -1 })
      return <p>{`${a.state}/${String(a.error)} ${b.state}/${String(b.error)} ${c.readyState} ${d.readyState}`}</p>
    }
    const html = await render(<Bad />)
    expect(html).toContain('connecting/null connecting/null 0 0')
    expect(touched).toEqual([])
    for (const l of logs) expect(l).not.toHaveBeenCalled()
  })
})

describe('importing wspool/react', () => {
  it('touches no browser global, starts no timer and logs nothing', async () => {
    await import('react') // React itself is not under test here
    const touched = trapGlobals()
    const timers = vi.spyOn(globalThis, 'setTimeout')
    onTestFinished(() => timers.mockRestore())
    vi.resetModules()
    const lib = await import('../../src/react/index.js')
    expect(typeof lib.useLease).toBe('function')
    expect(touched).toEqual([])
    expect(timers).not.toHaveBeenCalled()
    expect(intervals).not.toHaveBeenCalled()
    for (const l of logs) expect(l).not.toHaveBeenCalled()
  })
})
