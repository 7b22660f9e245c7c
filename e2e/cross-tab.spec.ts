/**
 * Cross-tab pools (issue 11; SPEC "Cross-tab pools"): the demo's shared.html, `createSharedPool({
 * name: 'demo', maxPerHost: 2 })`, in several tabs (pages) of one browser context, against the
 * real test server. Both transports: the Web Locks leader tab (the default) and a SharedWorker
 * (`?transport=worker`). The server's own counts (`/_/stats`) and logs (`/_/log?tag=shared`, every
 * message in arrival order) are the proof.
 *
 * Each tab's leases send `<tab>/L<n>:<i>`; the server logs and echoes them.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { demoUrl, serverCounts, serverLog, type Server } from './helpers.js'

type Transport = 'leader' | 'worker'
const TRANSPORTS: Transport[] = ['leader', 'worker']
const CAP = 2

interface Held {
  label: string
  state: string
  sent: string[]
  echoed: string[]
  states: string[]
  times: number[]
  ended: string | null
}
interface State {
  transport: Transport
  leading: boolean
  tabs: number
}

const pageErrors = new WeakMap<Page, string[]>()

/** Opens shared.html in a new tab of `context`. */
async function openTab(context: BrowserContext, transport: Transport): Promise<Page> {
  const page = await context.newPage()
  const errors: string[] = []
  pageErrors.set(page, errors)
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(`${demoUrl()}shared.html${transport === 'worker' ? '?transport=worker' : ''}`)
  await page.waitForFunction(() => (window as any).__shared?.ready === true)
  return page
}

/** The api test server, idle (a previous test's sockets closed) and reset. */
async function cleanServer(page: Page): Promise<Server> {
  const api = ((await page.evaluate(() => (window as any).__shared.servers)) as Server[])[0]
  await expect.poll(async () => (await serverCounts(api)).open, { message: 'previous sockets closed' }).toBe(0)
  await fetch(`${api.httpUrl}/_/reset`, { method: 'POST' })
  return api
}

/** `n` tabs, every one attached to the host (each counts `n` tabs), on a clean server. */
async function openTabs(context: BrowserContext, transport: Transport, n: number, reports: Transport = transport): Promise<{ pages: Page[]; api: Server }> {
  const first = await openTab(context, transport)
  const api = await cleanServer(first)
  const pages = [first, ...(await Promise.all(Array.from({ length: n - 1 }, () => openTab(context, transport))))]
  for (const page of pages) await expect.poll(() => state(page), { message: 'every tab attached' }).toMatchObject({ transport: reports, tabs: n })
  return { pages, api }
}

const state = (page: Page): Promise<State> => page.evaluate(() => (window as any).__shared.state())
const held = (page: Page): Promise<Held[]> => page.evaluate(() => (window as any).__shared.held())
const active = (page: Page): Promise<number> => page.evaluate(() => (window as any).__shared.pool.stats().totals.active)

/** The leader tab and the others (leader transport). */
async function roles(pages: Page[]): Promise<{ leader: Page; followers: Page[] }> {
  const states = await Promise.all(pages.map(state))
  expect(states.filter((s) => s.leading)).toHaveLength(1)
  const leader = pages[states.findIndex((s) => s.leading)]
  return { leader, followers: pages.filter((p) => p !== leader) }
}

/**
 * Every lease of these tabs: the server logged exactly what it sent, once each, in order (and,
 * with `whole`, nothing else). With `replay`, a lease may show one replay of at most that many
 * messages (see the crash test): what it sent, in order, with a few sent twice, none missing.
 */
async function expectDelivered(api: Server, pages: Page[], { whole = true, replay = 0 } = {}): Promise<Held[]> {
  const leases = (await Promise.all(pages.map(held))).flat()
  const log = await serverLog(api, 'shared')
  for (const l of leases) {
    const got = log.filter((m) => m.startsWith(`${l.label}:`))
    const i = got.findIndex((m, k) => m !== l.sent[k])
    if (replay > 0 && i >= 0) {
      // A replay: from i on, the server got the messages from an earlier one (j) again, then the rest.
      const j = l.sent.indexOf(got[i])
      expect(j, `${l.label}: ${got[i]} at ${i} is a message sent earlier`).toBeGreaterThanOrEqual(0)
      expect(i - j, `${l.label}: replayed`).toBeLessThanOrEqual(replay)
      expect(got.slice(i), l.label).toEqual(l.sent.slice(j))
    } else expect(got, l.label).toEqual(l.sent)
  }
  if (whole && replay === 0) expect(log).toHaveLength(leases.reduce((n, l) => n + l.sent.length, 0))
  return leases
}

/** Holds a lease in this tab and streams on it (one message every 20 ms). */
const holdAndStream = (page: Page): Promise<void> =>
  page.evaluate(async () => {
    const s = (window as any).__shared
    s.leases.stream(await s.leases.hold(), 20)
  })
const stopStreams = (page: Page): Promise<void> =>
  page.evaluate(() => {
    const s = (window as any).__shared
    for (const t of s.leases.all) s.leases.stop(t)
  })

for (const transport of TRANSPORTS) {
  test.describe(`${transport} transport`, () => {
    for (const n of [1, 3, 10]) {
      test(`${n} tab(s) acquiring and sending: one connection set within maxPerHost, every message once and in order per lease`, async ({ context }) => {
        const { pages, api } = await openTabs(context, transport, n)
        // Two bursts of 20 messages per tab at once: 2n leases for 2 connections.
        await Promise.all(pages.map((p) => p.evaluate(() => Promise.all([0, 1].map(() => (window as any).__shared.leases.burst(20))))))
        const leases = await expectDelivered(api, pages)
        expect(leases).toHaveLength(2 * n)
        for (const l of leases) expect(l.echoed).toEqual(l.sent)
        const counts = await serverCounts(api)
        // One connection set for every tab: at most the cap ever open, and only those ever accepted.
        expect(counts.peakByPath['/log']).toBeLessThanOrEqual(CAP)
        expect(counts.accepted).toBeLessThanOrEqual(CAP)
        if (n > 1) expect(counts.peakByPath['/log']).toBe(CAP)
        for (const p of pages) {
          expect((await p.evaluate(() => (window as any).__shared.pool.stats().totals.open))).toBeLessThanOrEqual(CAP)
          expect(pageErrors.get(p)).toEqual([])
        }
      })
    }

    test('a tab that closes gives its leases back; closing every tab closes every socket', async ({ context }) => {
      const { pages, api } = await openTabs(context, transport, 3)
      // With a leader, the one that closes first is a follower (the leader's close is the hand-over test).
      const [stays, closes, last] = transport === 'leader' ? await roles(pages).then((r) => [r.leader, ...r.followers]) : pages
      await holdAndStream(closes)
      await holdAndStream(stays)
      await expect.poll(() => active(stays)).toBe(2)
      expect((await serverCounts(api)).open).toBe(2)
      await closes.close()
      await expect.poll(() => active(stays)).toBe(1)
      await expect.poll(() => state(stays)).toMatchObject({ tabs: 2 })
      // Its connection is free again: another tab gets it without waiting for anything.
      await holdAndStream(last)
      await expect.poll(() => active(stays)).toBe(2)
      await Promise.all([stopStreams(stays), stopStreams(last)])
      await expectDelivered(api, [stays, last], { whole: false })
      expect((await serverCounts(api)).accepted).toBeLessThanOrEqual(CAP)
      await Promise.all([stays.close(), last.close()])
      await expect.poll(async () => (await serverCounts(api)).open, { message: 'every socket closed' }).toBe(0)
    })

    test('a tab that crashes (CDP Page.crash) gives its leases back at once: the host watches its Web Lock, not only its silence', async ({ context }) => {
      const { pages } = await openTabs(context, transport, 2)
      const [stays, crashes] = transport === 'leader' ? await roles(pages).then((r) => [r.leader, ...r.followers]) : pages
      await holdAndStream(crashes)
      await expect.poll(() => active(stays)).toBe(1)
      const cdp = await context.newCDPSession(crashes)
      const crashed = new Promise((resolve) => crashes.once('crash', resolve))
      void cdp.send('Page.crash').catch(() => {})
      await crashed
      const gone = Date.now()
      // Far sooner than the 90 s the host waits for a silent tab.
      await expect.poll(() => active(stays), { timeout: 10_000 }).toBe(0)
      await expect.poll(() => state(stays)).toMatchObject({ tabs: 1 })
      test.info().annotations.push({ type: 'released after', description: `${Date.now() - gone} ms` })
      expect(Date.now() - gone).toBeLessThan(10_000)
      await stays.close()
    })

    test('a request payload that cannot be structured-cloned rejects ERR_INVALID_ARGUMENT; the pool goes on', async ({ context }) => {
      const { pages } = await openTabs(context, transport, 2)
      const out = await pages[1].evaluate(async () => {
        const s = (window as any).__shared
        const url = `${s.servers[0].url}/rpc`
        const error = await s.pool.request(url, { fn: Math.max }).then(
          () => null,
          (e: any) => ({ name: e.name, code: e.code, message: e.message }),
        )
        return { error, after: await s.pool.request(url, { n: 1 }) }
      })
      expect(out.error).toMatchObject({ name: 'PoolError', code: 'ERR_INVALID_ARGUMENT' })
      expect(out.error!.message).toMatch(/cannot be passed to the pool's host/)
      expect(out.after).toEqual({ n: 1 })
    })

    test('the demo page: "Open another tab" shares the pool; "Send burst" goes through it; the page shows transport, role, tabs and the server sockets', async ({ page }) => {
      await page.goto(`${demoUrl()}shared.html${transport === 'worker' ? '?transport=worker' : ''}`)
      await page.waitForFunction(() => (window as any).__shared?.ready === true)
      const api = await cleanServer(page)
      const [second] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('open-tab').click()])
      await second.waitForFunction(() => (window as any).__shared?.ready === true)
      for (const p of [page, second]) {
        await expect(p.getByTestId('tabs')).toHaveText('2')
        await expect(p.getByTestId('transport')).toHaveText(transport === 'worker' ? 'SharedWorker' : 'leader tab')
      }
      const shown = [await page.getByTestId('role').textContent(), await second.getByTestId('role').textContent()]
      expect(shown.sort()).toEqual(transport === 'worker' ? ['client', 'client'] : ['follower', 'leader'])
      await second.getByTestId('burst').click()
      await page.getByTestId('burst').click()
      for (const p of [page, second]) {
        await expect(p.getByTestId('sent-total')).toHaveText('20')
        await expect(p.getByTestId('echo-total')).toHaveText('20 echoed')
        await expect(p.getByTestId('lease').first()).toHaveAttribute('data-state', 'released')
      }
      await expectDelivered(api, [page, second])
      await expect(page.getByTestId('server-open')).toHaveText(/^[12]$/)
      expect((await serverCounts(api)).peakByPath['/log']).toBeLessThanOrEqual(CAP)
    })
  })
}

test.describe('leader hand-over', () => {
  for (const how of ['close', 'crash'] as const) {
    test(`the leader tab ${how === 'close' ? 'closes' : 'crashes (CDP Page.crash)'} mid-stream: another tab leads within a second, the leases reconnect, every message arrives in order${how === 'close' ? ', once' : ' (a few twice)'}`, async ({ context }) => {
      const { pages, api } = await openTabs(context, 'leader', 3)
      const { leader, followers } = await roles(pages)
      for (const f of followers) await holdAndStream(f)
      await expect.poll(async () => (await serverLog(api, 'shared')).length).toBeGreaterThan(20)
      const gone = Date.now()
      if (how === 'close') await leader.close()
      else {
        const cdp = await context.newCDPSession(leader)
        const crashed = new Promise((resolve) => leader.once('crash', resolve))
        // Page.crash never answers (the renderer it would answer from is gone).
        void cdp.send('Page.crash').catch(() => {})
        await crashed
      }
      // Every lease went through reconnecting and is open again.
      for (const f of followers) await expect.poll(async () => (await held(f)).map((l) => l.states.join('>'))).toEqual(['open>reconnecting>open'])
      const states = await Promise.all(followers.map(state))
      expect(states.filter((s) => s.leading)).toHaveLength(1)
      const reopened = Math.max(...(await Promise.all(followers.map(held))).flat().map((l) => l.times[2]))
      test.info().annotations.push({ type: 'hand-over', description: `${reopened - gone} ms` })
      expect(reopened - gone).toBeLessThan(1500)
      // Streams went on meanwhile: stop them, let the last echoes come back, then compare.
      const sentBefore = (await Promise.all(followers.map(held))).flat().map((l) => l.sent.length)
      await expect.poll(async () => (await Promise.all(followers.map(held))).flat().map((l) => l.sent.length)).not.toEqual(sentBefore)
      await Promise.all(followers.map(stopStreams))
      // The last message of each lease echoed: everything before it reached the server (echoes
      // in flight when the old leader's sockets closed are lost, as in any drop: not checked).
      const lastEchoed = async (f: Page) => (await held(f)).every((l) => l.echoed.includes(l.sent[l.sent.length - 1]))
      for (const f of followers) await expect.poll(() => lastEchoed(f)).toBe(true)
      // A tab that closes hands over cleanly: every message once. One that crashes cannot tell
      // which of the messages it had taken it wrote: those are sent again (at least once, in
      // order; never lost).
      await expectDelivered(api, followers, { replay: how === 'crash' ? 10 : 0 })
      for (const f of followers) {
        expect(await f.evaluate(() => (window as any).__shared.drops)).toEqual([])
        expect(await state(f)).toMatchObject({ tabs: 2 })
        expect(pageErrors.get(f)).toEqual([])
      }
      // The old leader's sockets are gone; the new one holds one per lease.
      await expect.poll(async () => (await serverCounts(api)).open).toBe(2)
    })
  }

  test('a frozen tab (the browser fires `freeze`) gives its leases back, a frozen leader steps down; on `resume` they attach again', async ({ context }) => {
    // Chromium's CDP Page.setWebLifecycleState({ state: 'frozen' }) does not freeze a page in
    // headless mode (it stays visible and running, no `freeze` event), so the events the browser
    // fires before freezing a page are dispatched here, as it would.
    const { pages, api } = await openTabs(context, 'leader', 3)
    const { leader, followers } = await roles(pages)
    const [frozen, other] = followers
    await holdAndStream(frozen)
    await holdAndStream(leader)
    await expect.poll(() => active(other)).toBe(2)
    const fire = (p: Page, type: 'freeze' | 'resume') => p.evaluate((t) => void document.dispatchEvent(new Event(t)), type)
    await fire(frozen, 'freeze')
    await stopStreams(frozen)
    await expect.poll(() => active(other), { message: "the frozen tab's lease went back" }).toBe(1)
    await expect.poll(() => state(other)).toMatchObject({ tabs: 2 })
    // The leader freezes: the tab behind it takes over at once (else a frozen leader would stall every tab).
    await fire(leader, 'freeze')
    await stopStreams(leader)
    await expect.poll(() => state(other)).toMatchObject({ leading: true, tabs: 1 })
    expect((await state(leader)).leading).toBe(false)
    await expect.poll(() => active(other)).toBe(0)
    // Both come back: they stand again (the lock stays where it is) and get their leases again.
    await fire(frozen, 'resume')
    await fire(leader, 'resume')
    await expect.poll(() => state(other)).toMatchObject({ leading: true, tabs: 3 })
    for (const p of [frozen, leader]) {
      await expect.poll(async () => (await held(p))[0].states.join('>')).toBe('open>reconnecting>open')
      expect((await state(p)).leading).toBe(false)
    }
    await expect.poll(() => active(other)).toBe(2)
    await expectDelivered(api, [frozen, leader])
    for (const p of pages) expect(pageErrors.get(p)).toEqual([])
  })
})

test.describe('fallbacks and failures', () => {
  test('?transport=worker where SharedWorker does not exist: a leader tab holds the connections', async ({ context }) => {
    await context.addInitScript(() => void delete (window as any).SharedWorker)
    const { pages, api } = await openTabs(context, 'worker', 2, 'leader')
    await roles(pages)
    await Promise.all(pages.map((p) => p.evaluate(() => (window as any).__shared.leases.burst(20))))
    await expectDelivered(api, pages)
    expect((await serverCounts(api)).peakByPath['/log']).toBeLessThanOrEqual(CAP)
  })

  test('neither SharedWorker nor Web Locks: a plain pool in each tab', async ({ context }) => {
    await context.addInitScript(() => {
      delete (window as any).SharedWorker
      delete (Navigator.prototype as any).locks
    })
    const page = await openTab(context, 'worker')
    const api = await cleanServer(page)
    expect(await page.evaluate(() => 'locks' in navigator)).toBe(false)
    expect(await state(page)).toBeNull()
    await expect(page.getByTestId('transport')).toHaveText('plain pool')
    await page.evaluate(() => (window as any).__shared.leases.burst(20))
    await expectDelivered(api, [page])
    expect(pageErrors.get(page)).toEqual([])
  })

  test('a worker script that fails to load: an `error` event (ERR_CONNECT_FAILED), then a leader tab holds the connections', async ({ context }) => {
    const page = await openTab(context, 'leader')
    const out = await page.evaluate(async () => {
      const s = (window as any).__shared
      const pool = s.lib.createSharedPool({ name: 'broken', worker: '/no-such-worker.js' })
      const errors: { code: string; message: string }[] = []
      pool.on('error', (e: any) => void errors.push({ code: e.error.code, message: e.error.message }))
      const lease = await pool.acquire(`${s.servers[0].url}/echo`)
      const echo = await new Promise((resolve) => {
        lease.on('message', resolve)
        lease.send('through the leader tab')
      })
      const result = { errors, echo, state: s.lib.sharedPoolState(pool) }
      await pool.close()
      return result
    })
    expect(out.errors).toEqual([{ code: 'ERR_CONNECT_FAILED', message: expect.stringContaining('/no-such-worker.js failed to load') }])
    expect(out.echo).toBe('through the leader tab')
    expect(out.state).toEqual({ transport: 'leader', leading: true, tabs: 1 })
  })

  test('a `worker` that cannot even start (a cross-origin URL, a function that returns no SharedWorker): ERR_INVALID_OPTION at once', async ({ context }) => {
    const page = await openTab(context, 'leader')
    const errors = await page.evaluate(() => {
      const s = (window as any).__shared
      const workers = ['http://localhost:1/pool-worker.js', () => undefined]
      return workers.map((worker) => {
        try {
          s.lib.createSharedPool({ name: 'misconfigured', worker })
          return null
        } catch (e: any) {
          return { name: e.name, code: e.code, message: e.message }
        }
      })
    })
    expect(errors).toEqual([
      { name: 'PoolError', code: 'ERR_INVALID_OPTION', message: expect.stringMatching(/^Expected `worker` to start a SharedWorker, but it threw: .*cannot be accessed from origin/) },
      { name: 'PoolError', code: 'ERR_INVALID_OPTION', message: 'Expected `worker` to return a SharedWorker, got undefined' },
    ])
  })

  test('a leader that never answers: acquires and requests reject at their deadline (no hang)', async ({ context }) => {
    const page = await openTab(context, 'leader')
    const out = await page.evaluate(async () => {
      const s = (window as any).__shared
      // Another "tab" holds the lock of the pool named 'silent' and never hosts anything.
      void navigator.locks.request('wspool:silent', () => new Promise(() => {}))
      const pool = s.lib.createSharedPool({ name: 'silent', acquireTimeout: 300, requestTimeout: 300 })
      const started = performance.now()
      const fail = (e: any) => ({ code: e.code, message: e.message, after: performance.now() - started })
      const [acquire, request] = await Promise.all([
        pool.acquire(`${s.servers[0].url}/echo`).then(() => null, fail),
        pool.request(`${s.servers[0].url}/rpc`, { n: 1 }).then(() => null, fail),
      ])
      await pool.close()
      return { acquire, request }
    })
    expect(out.acquire).toMatchObject({ code: 'ERR_ACQUIRE_TIMEOUT', message: expect.stringContaining('did not answer') })
    expect(out.request).toMatchObject({ code: 'ERR_REQUEST_TIMEOUT', message: expect.stringContaining('did not answer') })
    for (const r of [out.acquire!, out.request!]) expect(r.after).toBeLessThan(3000)
  })
})
