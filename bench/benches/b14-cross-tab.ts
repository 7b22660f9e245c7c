// 14. Cross-tab pools (issue 11) in real Chromium (Playwright, Debian's binary), one browser
//     context, against the separate-process echo server. Per trial, interleaved:
//     - round trip (64 B text, one at a time, median) and echoed messages/s (2,000 pipelined) from
//       a tab with a plain createPool, from the leader tab of a createSharedPool (Web Locks), from
//       a follower tab of it (over the BroadcastChannel), and from a tab of a SharedWorker pool;
//     - ten tabs each holding a shared lease on one URL: plain pools (ten sockets) against one
//       shared pool (one socket), with the JS heap after a GC (the tabs share one renderer here).
//     Goals: a follower's round trip within 1.5x a plain pool's; server-side sockets 1/N.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import * as esbuild from 'esbuild'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright'
import { chromiumLaunchOptions } from '../../e2e/chromium.js'
import { interleave, metric, progress, sleep } from '../lib/harness.js'
import { startEchoServer, type EchoServer } from '../lib/server-handle.js'
import { fmtSpread, median, paired } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal, Metric } from '../lib/types.js'

const TABS = 10
const ROUND_TRIPS = 300
const PIPELINED = 2000

/** A page server: the built library (bundled with its dependencies) and a worker script that serves a shared pool. */
async function servePage(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const dist = path.join(root, 'dist', 'browser.js')
  const build = async (contents: string) =>
    (await esbuild.build({ stdin: { contents, resolveDir: root, loader: 'js' }, bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' })).outputFiles[0].text
  const lib = await build(`export * from ${JSON.stringify(dist)}`)
  const worker = await build(`import { serveSharedPool } from ${JSON.stringify(dist)}; serveSharedPool()`)
  const html = '<!doctype html><meta charset="utf-8"><script type="module">import * as w from "/wspool.js"; window.wspool = w; window.ready = true</script>'
  const server = http.createServer((req, res) => {
    const body = req.url === '/wspool.js' ? lib : req.url === '/worker.js' ? worker : html
    res.writeHead(200, { 'content-type': req.url?.endsWith('.js') ? 'text/javascript' : 'text/html' })
    res.end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) }
}

type Kind = 'plain' | 'leader' | 'follower' | 'worker'

/** Opens a tab and makes its pool; returns the page. */
async function tab(ctx: BrowserContext, pageUrl: string, kind: 'plain' | 'shared' | 'worker', name: string): Promise<Page> {
  const page = await ctx.newPage()
  // tsx keeps function names with a helper the page does not have
  await page.addInitScript('window.__name = (f) => f')
  await page.goto(pageUrl)
  await page.waitForFunction(() => (window as any).ready === true)
  await page.evaluate(({ kind, name }) => {
    const w = (window as any).wspool
    ;(window as any).pool = kind === 'plain' ? w.createPool() : w.createSharedPool(kind === 'worker' ? { name, worker: '/worker.js' } : { name })
  }, { kind, name })
  return page
}

/** Round trip median (us) and pipelined echoes/s from a page's pool. */
function measure(page: Page, url: string): Promise<{ rtt: number; rate: number }> {
  return page.evaluate(async ({ url, n, m }) => {
    const pool = (window as any).pool
    const lease = await pool.acquire(url)
    let waiting: (() => void) | null = null
    let got = 0
    lease.on('message', () => {
      got++
      waiting?.()
    })
    const payload = 'x'.repeat(64)
    // performance.now() is coarse in a page (100 us steps here): time batches of ten round trips.
    const times: number[] = []
    for (let b = 0; b < n / 10; b++) {
      const t = performance.now()
      for (let i = 0; i < 10; i++) {
        const seen = got
        await new Promise<void>((r) => {
          waiting = () => got > seen && r()
          lease.send(payload)
        })
      }
      times.push((performance.now() - t) / 10)
    }
    times.sort((a, b) => a - b)
    const start = got
    const t0 = performance.now()
    await new Promise<void>((r) => {
      waiting = () => got - start >= m && r()
      for (let i = 0; i < m; i++) lease.send(payload)
    })
    const rate = m / ((performance.now() - t0) / 1000)
    lease.release()
    return { rtt: times[Math.floor(times.length / 2)] * 1000, rate }
  }, { url, n: ROUND_TRIPS, m: PIPELINED })
}

/** Ten tabs each holding a shared lease on `url`: server sockets and the JS heap of their renderer (KiB, after GC). */
async function tenTabs(notes: string[], browser: Browser, pageUrl: string, echo: EchoServer, url: string, kind: 'plain' | 'shared', name: string): Promise<{ sockets: number; heap: number }> {
  const ctx = await browser.newContext()
  const before = (await echo.counts()).open
  try {
    const pages: Page[] = []
    for (let i = 0; i < TABS; i++) pages.push(await tab(ctx, pageUrl, kind, name))
    for (const p of pages) await p.evaluate(async (u) => void ((window as any).lease = await (window as any).pool.acquire(u, { shared: true })), url)
    // the measuring tabs keep their idle connections: count what these ten opened, once steady
    let sockets = -1
    for (let last = -2; sockets !== last; ) {
      last = sockets
      await sleep(300)
      sockets = (await echo.counts()).open - before
    }
    // The ten tabs of one site share a renderer (one V8 heap) here, so the heap is read once.
    const cdp = await ctx.newCDPSession(pages[0])
    await cdp.send('HeapProfiler.collectGarbage')
    const heap = (await cdp.send('Runtime.getHeapUsage')).usedSize / 1024
    await cdp.detach()
    return { sockets, heap }
  } finally {
    await ctx.close()
    // back to what the measuring tabs hold before the next count
    for (let i = 0; i < 100 && (await echo.counts()).open > before; i++) await sleep(100)
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const echo = await startEchoServer()
  const site = await servePage(ctx.root)
  const browser = await chromium.launch(chromiumLaunchOptions)
  const notes: string[] = [`Chromium ${browser.version()}; ${ROUND_TRIPS} round trips of 64 B one at a time, then ${PIPELINED} pipelined, per tab per trial; ${TABS} tabs for heap and sockets`]
  try {
    const trials = ctx.quick ? 1 : ctx.trials
    const context = await browser.newContext()
    const pages: Record<Kind, Page> = {
      plain: await tab(context, site.url, 'plain', 'plain'),
      leader: await tab(context, site.url, 'shared', 'b14'),
      follower: await tab(context, site.url, 'shared', 'b14'),
      worker: await tab(context, site.url, 'worker', 'b14w'),
    }
    const url = `${echo.url}/echo`
    progress('tabs open')
    const r = await interleave((Object.keys(pages) as Kind[]).map((k) => ({ name: k, run: async () => measure(pages[k], url) })), trials)
    notes.push(...r.errors)
    const heap = { plain: [] as number[], shared: [] as number[] }
    const sockets = { plain: [] as number[], shared: [] as number[] }
    for (let t = 0; t < trials; t++) {
      for (const k of t % 2 === 0 ? (['plain', 'shared'] as const) : (['shared', 'plain'] as const)) {
        const x = await tenTabs(notes, browser, site.url, echo, `${url}?ten=${t}`, k, `ten${t}`)
        heap[k].push(x.heap)
        sockets[k].push(x.sockets)
      }
    }
    await context.close()
    const metrics: Metric[] = [
      metric(14, 'round trip, 64 B, one at a time (median)', 'us', 'lower', r.values.rtt, { baseline: 'plain' }),
      metric(14, 'echoed messages/s, 2,000 pipelined', 'msg/s', 'higher', r.values.rate, { baseline: 'plain' }),
      metric(14, `server sockets, ${TABS} tabs each holding a shared lease`, 'n', 'lower', sockets, { baseline: 'plain', decimals: 0 }),
      metric(14, `JS heap of the renderer holding the ${TABS} tabs, after GC`, 'KiB', 'lower', heap, { baseline: 'plain', decimals: 0 }),
    ]
    const follower = paired(r.values.rtt?.follower ?? [], r.values.rtt?.plain ?? [], 'ratio')
    const goals: Goal[] = [
      {
        bench: 14,
        goal: "a follower tab's round trip within 1.5x a plain pool's (paired per trial)",
        measured: `${fmtSpread(r.values.rtt?.follower ?? [], 0)} us vs ${fmtSpread(r.values.rtt?.plain ?? [], 0)} us (x${fmtSpread(follower, 2)})`,
        met: follower.length > 0 && median(follower) <= 1.5,
      },
      {
        bench: 14,
        goal: `server-side sockets 1/N: ${TABS} tabs, one shared pool against ${TABS} plain pools`,
        measured: `${fmtSpread(sockets.shared, 0)} vs ${fmtSpread(sockets.plain, 0)}`,
        met: sockets.shared.length > 0 && Math.max(...sockets.shared) * TABS <= Math.min(...sockets.plain),
      },
    ]
    return { bench: 14, title: 'cross-tab pools in Chromium', metrics, goals, notes }
  } finally {
    await browser.close()
    await site.close()
    await echo.stop()
  }
}
