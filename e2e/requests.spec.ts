/**
 * The requests and replicas panels: `pool.request` over the two origins as a replica list, list
 * leases, and an origin stopped and started again. The test servers' own counts (GET /_/rpc,
 * GET /_/stats) are the proof; the page must agree with them. Waits are conditions with generous
 * upper bounds, never fixed sleeps.
 */
import { expect, test, type Page } from '@playwright/test'
import { openDemo, serverCounts, serverRpc } from './helpers.js'

interface ListLease {
  id: number
  shared: boolean
  origin: string
  state: string
}
interface RequestCounts {
  started: number
  ok: number
  failed: number
  byCode: Record<string, number>
}

const listLeases = (page: Page): Promise<ListLease[]> => page.evaluate(() => (window as any).__demo.replicaLeases())
const requestCounts = (page: Page): Promise<RequestCounts> => page.evaluate(() => (window as any).__demo.requests())
const figure = async (page: Page, testId: string): Promise<number> => Number(await page.getByTestId(testId).textContent())
const rpcOpen = async (s: Parameters<typeof serverCounts>[0]): Promise<number> => (await serverCounts(s)).byPath['/rpc'] ?? 0
/** Chromium logs each refused WebSocket handshake itself; a stopped origin refuses on purpose. */
const notRefusedHandshake = (m: string): boolean => !/WebSocket connection to '.*' failed: .*503/.test(m)

test('storm: 500 concurrent requests to the replica list all settle, each answered once, and the servers agree', async ({ page }) => {
  const { servers, consoleErrors, pageErrors } = await openDemo(page)
  await expect(page.getByTestId('req-p50')).toHaveText('–')
  await expect(page.getByTestId('req-settled')).toHaveText('0')
  await page.getByTestId('storm-size').fill('500')
  await page.getByTestId('storm').click()
  // The server holds each request 50-800 ms: the panel shows them in flight, then drains.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=req-inflight]')?.textContent) > 0, undefined, { timeout: 10_000 })
  await expect(page.getByTestId('req-settled')).toHaveText('500', { timeout: 30_000 })
  await expect(page.getByTestId('req-inflight')).toHaveText('0')
  await expect(page.getByTestId('req-outstanding')).toHaveText('0 outstanding')
  await expect(page.getByTestId('req-failed')).toHaveText('0')
  await expect(page.getByTestId('storm-status')).toHaveText('storm: 500 of 500 answered')
  await expect(page.getByTestId('error-codes').getByTestId('error-code')).toHaveCount(0)
  expect(await requestCounts(page)).toEqual({ started: 500, ok: 500, failed: 0, byCode: {} })

  // Percentiles of the request time (pool.stats().totals.requestTime): at least the server's delay.
  await expect(page.getByTestId('req-count')).toHaveText('ms · 500 replies')
  const p50 = await figure(page, 'req-p50')
  const p99 = await figure(page, 'req-p99')
  expect(p50).toBeGreaterThanOrEqual(50)
  expect(p99).toBeGreaterThanOrEqual(p50)

  // The servers received every request exactly once (no re-sends: nothing dropped) and answered it.
  const rpc = { api: await serverRpc(servers.api), feed: await serverRpc(servers.feed) }
  const ns = [...rpc.api.received, ...rpc.feed.received].map((r) => (r.data as { n: number }).n).sort((a, b) => a - b)
  expect(ns).toEqual(Array.from({ length: 500 }, (_, i) => i + 1))
  expect(rpc.api.replies + rpc.feed.replies).toBe(500)
  expect(rpc.api.pending + rpc.feed.pending).toBe(0)
  // Both replicas took part (each request goes to the replica with the most free capacity, then fewer pending).
  expect(rpc.api.received.length).toBeGreaterThan(0)
  expect(rpc.feed.received.length).toBeGreaterThan(0)
  // Per origin, the page (pool.stats().hosts) agrees with what each server answered.
  for (const name of ['api', 'feed'] as const) {
    await expect(page.getByTestId(`rep-replies-${name}`)).toHaveText(String(rpc[name].replies))
    await expect(page.getByTestId(`rep-server-${name}`)).toHaveText(String(rpc[name].received.length))
    await expect(page.getByTestId(`rep-inflight-${name}`)).toHaveText('0')
  }
  // The replies/s meter saw the burst.
  await expect.poll(() => page.evaluate(() => document.querySelector('[data-spark=requests] polyline') !== null)).toBe(true)
  expect(consoleErrors).toEqual([])
  expect(pageErrors).toEqual([])
})

test('stop an origin: list leases and requests move to the other replica; start it: new ones use it again', async ({ page }) => {
  const { servers, consoleErrors, pageErrors } = await openDemo(page)
  const { api, feed } = servers
  // Two exclusive and two shared leases from the list, one at a time: most free capacity first.
  const kinds = ['exclusive', 'exclusive', 'shared', 'shared']
  for (let i = 0; i < kinds.length; i++) {
    await page.getByTestId(`rep-acquire-${kinds[i]}`).click()
    await expect.poll(async () => (await listLeases(page)).filter((l) => l.state === 'open').length).toBe(i + 1)
  }
  await expect(page.getByTestId('rep-leases-api')).toHaveText('2')
  await expect(page.getByTestId('rep-leases-feed')).toHaveText('2')
  await expect.poll(() => rpcOpen(api)).toBe(2)
  await expect.poll(() => rpcOpen(feed)).toBe(2)
  const before = await listLeases(page)

  // A steady trickle of requests to the list.
  await page.getByTestId('trickle').click()
  await expect(page.getByTestId('trickle')).toHaveAttribute('aria-pressed', 'true')
  await expect.poll(async () => (await requestCounts(page)).ok, { timeout: 20_000 }).toBeGreaterThanOrEqual(5)

  // Stop api: the server confirms it refuses, and its connections are dropped.
  await page.getByTestId('stop-api').click()
  await expect(page.getByTestId('stop-api')).toHaveAttribute('aria-pressed', 'true')
  await expect(page.getByTestId('stop-api')).toHaveText('Start')
  // Its circuit opens and the list leases move to feed, keeping their ids (page and servers).
  await expect(page.getByTestId('rep-leases-api')).toHaveText('0', { timeout: 20_000 })
  await expect(page.getByTestId('rep-leases-feed')).toHaveText('4')
  await expect(page.getByTestId('rep-circuit-api')).not.toHaveText('circuit closed')
  await expect.poll(async () => (await listLeases(page)).map((l) => `${l.id}:${l.origin}:${l.state}`).sort(), { timeout: 20_000 }).toEqual(
    before.map((l) => `${l.id}:feed:open`).sort(),
  )
  await expect.poll(() => rpcOpen(feed)).toBe(4)
  expect((await serverCounts(api)).open).toBe(0)
  // Requests go to feed now: the server gets them and the page counts their replies there.
  const feedGot = (await serverRpc(feed)).received.length
  const feedReplies = await figure(page, 'rep-replies-feed')
  await expect.poll(async () => (await serverRpc(feed)).received.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(feedGot + 5)
  await expect.poll(() => figure(page, 'rep-replies-feed'), { timeout: 20_000 }).toBeGreaterThanOrEqual(feedReplies + 5)

  // Start api again: after the cooldown a request makes the trial, the circuit closes, and api,
  // with the most free capacity, gets the requests again.
  const apiGot = (await serverRpc(api)).received.length
  const apiReplies = await figure(page, 'rep-replies-api')
  await page.getByTestId('stop-api').click()
  await expect(page.getByTestId('stop-api')).toHaveAttribute('aria-pressed', 'false')
  await expect(page.getByTestId('stop-api')).toHaveText('Stop')
  await expect(page.getByTestId('rep-circuit-api')).toHaveText('circuit closed', { timeout: 20_000 })
  await expect.poll(async () => (await serverRpc(api)).received.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(apiGot + 5)
  await expect.poll(() => figure(page, 'rep-replies-api'), { timeout: 20_000 }).toBeGreaterThanOrEqual(apiReplies + 5)
  // And so does a new list lease.
  await page.getByTestId('rep-acquire-exclusive').click()
  await expect
    .poll(async () => (await listLeases(page)).filter((l) => !before.some((b) => b.id === l.id)).map((l) => `${l.origin}:${l.state}`), { timeout: 20_000 })
    .toEqual(['api:open'])
  await expect(page.getByTestId('rep-leases-api')).toHaveText('1')
  await expect.poll(() => rpcOpen(api)).toBeGreaterThanOrEqual(1)

  await page.getByTestId('trickle').click()
  await expect(page.getByTestId('trickle')).toHaveAttribute('aria-pressed', 'false')
  // Every request was answered: idempotent ones caught by the drop were sent once more.
  await expect.poll(async () => {
    const c = await requestCounts(page)
    return c.started - c.ok
  }).toBe(0)
  expect((await requestCounts(page)).failed).toBe(0)
  expect(consoleErrors.filter(notRefusedHandshake)).toEqual([])
  expect(pageErrors).toEqual([])
})
