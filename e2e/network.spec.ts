/**
 * Network awareness (issue 10, section 2; SPEC "Network and page awareness"), in Chromium with
 * Playwright's own offline emulation (`context.setOffline`: `navigator.onLine` false, `offline`
 * and `online` events, no network): no connection attempt and no backoff step while offline; on
 * `online` every waiting connection attempts at once, within a jitter of at most 1 s.
 */
import { expect, test } from '@playwright/test'
import { openDemo } from './helpers.js'

interface Net {
  states: string[]
  connects: { at: number; id: number; attempt: number }[]
}
const net = (page: import('@playwright/test').Page): Promise<Net> =>
  page.evaluate(() => {
    const n = (window as any).__net
    return { states: n.leases.map((l: { state: string }) => l.state), connects: n.connects }
  })

test('offline: no attempts while navigator.onLine is false; back online, every waiting connection attempts within a second', async ({ page, context }) => {
  const { servers, pageErrors } = await openDemo(page)
  await page.evaluate(async () => {
    const d = (window as any).__demo
    const url = `${d.servers[0].url}/net`
    const n = ((window as any).__net = { leases: [] as unknown[], connects: [] as unknown[] })
    n.leases = await Promise.all([1, 2, 3].map(() => d.pool.acquire(url)))
    d.pool.on('connect', (e: { id: number; attempt: number }) => n.connects.push({ at: performance.now(), id: e.id, attempt: e.attempt }))
  })
  expect((await net(page)).states).toEqual(['open', 'open', 'open'])

  await context.setOffline(true)
  expect(await page.evaluate(() => navigator.onLine)).toBe(false)
  await fetch(`${servers.api.httpUrl}/_/drop`, { method: 'POST' })
  await expect.poll(async () => (await net(page)).states).toEqual(['reconnecting', 'reconnecting', 'reconnecting'])
  // Longer than the demo pool's first backoff delays (250 ms, then 500 ms, ...): without the
  // offline check each connection would have made several attempts by now.
  await page.waitForTimeout(2500)
  expect((await net(page)).connects).toEqual([])

  await context.setOffline(false)
  const back = await page.evaluate(() => performance.now())
  await expect.poll(async () => (await net(page)).states, { timeout: 10_000 }).toEqual(['open', 'open', 'open'])
  const { connects } = await net(page)
  // One attempt each, the first retry after the drop (`connect` numbers a connection's attempts
  // from its first open: 2 is its first retry): no backoff step was spent while offline.
  expect(connects.map((c) => c.attempt)).toEqual([2, 2, 2])
  // Within the online jitter (at most 1 s; the bound leaves room for a busy machine), far sooner
  // than the 10 s offline re-check or any backoff delay would have it.
  for (const c of connects) expect(c.at - back).toBeLessThan(2000)
  expect(new Set(connects.map((c) => c.id)).size).toBe(3)
  expect(pageErrors).toEqual([])
})

test('time spent offline is not backoff time: the retry after a failed online attempt waits as if the outage had just begun', async ({ page, context }) => {
  const { servers, pageErrors } = await openDemo(page)
  const api = servers.api.httpUrl
  await page.evaluate(async () => {
    const d = (window as any).__demo
    const n = ((window as any).__net = { leases: [] as unknown[], connects: [] as unknown[], retries: [] as unknown[] })
    n.leases = [await d.pool.acquire(`${d.servers[0].url}/net`)]
    d.pool.on('reconnecting', (e: { attempt: number; delay: number }) => n.retries.push({ attempt: e.attempt, delay: e.delay }))
  })
  await context.setOffline(true)
  await fetch(`${api}/_/refuse?on=1`, { method: 'POST' })
  await fetch(`${api}/_/drop`, { method: 'POST' })
  await expect.poll(async () => (await net(page)).states).toEqual(['reconnecting'])
  await page.waitForTimeout(3000)
  await context.setOffline(false)
  // The attempt made on `online` is refused; the retry after it is scheduled from a backoff
  // clock that did not run while offline. The demo pool's policy (initialDelay 250, factor 2,
  // jitter 0.5) gives a delay of at most 250 ms + the ms since coming back; counting the 3 s
  // offline it would be about 3000 ms.
  await expect.poll(() => page.evaluate(() => (window as any).__net.retries.length), { timeout: 10_000 }).toBeGreaterThanOrEqual(2)
  const retries: { attempt: number; delay: number }[] = await page.evaluate(() => (window as any).__net.retries)
  expect(retries[1].attempt).toBe(2)
  expect(retries[1].delay).toBeLessThan(1500)
  await fetch(`${api}/_/refuse?on=0`, { method: 'POST' })
  await expect.poll(async () => (await net(page)).states, { timeout: 10_000 }).toEqual(['open'])
  expect(pageErrors).toEqual([])
})
