/**
 * The demo page in real Chromium, against the built library and two real test servers.
 * Server-side counts (GET /_/stats) are the proof for caps; the server's log is the proof for
 * delivery. Waits are conditions, never fixed sleeps.
 */
import { expect, test } from '@playwright/test'
import { attempts, leasesOpen, openDemo, serverCounts, serverLog, tiles } from './helpers.js'

test('loads without console errors and shows the pool', async ({ page }) => {
  const { consoleErrors, pageErrors } = await openDemo(page)
  for (const name of ['api', 'feed']) {
    const card = page.getByTestId(`card-${name}`)
    await expect(card).toBeVisible()
    await expect(card.getByTestId(`max-${name}`)).toHaveText('4')
    await expect(card.getByTestId('free-slot')).toHaveCount(4)
    await expect(card.getByTestId(`server-open-${name}`)).toHaveText('0') // the server was polled
  }
  await expect(page.getByTestId('timeline')).toBeVisible()
  await expect(page.getByTestId('wait-p50')).toHaveText('–')
  // One real round trip through the built library, then check the console again.
  await page.getByTestId('acquire-count').fill('1')
  await page.getByTestId('acquire-feed').click()
  await expect(tiles(page, 'feed', 'leased')).toHaveCount(1)
  await expect(page.getByTestId('wait-p50')).not.toHaveText('–')
  expect(consoleErrors).toEqual([])
  // Ordinary use stays clean too: traffic, release, resize, a server-initiated close.
  await page.getByTestId('burst-feed').click()
  await expect(page.getByTestId('msgs-peak')).toHaveText(/^peak [1-9]/) // 20 out + 20 echoed in
  await page.getByTestId('release-feed').click()
  await expect(tiles(page, 'feed', 'idle')).toHaveCount(1)
  await page.getByTestId('max-inc').click()
  await expect(page.getByTestId('max-feed')).toHaveText('5')
  await page.getByTestId('close-4001').click()
  await expect(page.getByTestId('close-results').locator('[data-code="4001"]')).toContainText('reopened')
  expect(consoleErrors).toEqual([])
  expect(pageErrors).toEqual([])
})

test('more acquires than maxPerHost queue on the page; the server never sees more than the cap; release drains', async ({ page }) => {
  const { servers, pageErrors } = await openDemo(page)
  const api = servers.api
  let maxSeen = 0
  let watching = true
  const watcher = (async () => {
    while (watching) {
      maxSeen = Math.max(maxSeen, (await serverCounts(api)).open)
      await new Promise((r) => setTimeout(r, 20))
    }
  })()

  await page.getByTestId('acquire-count').fill('7')
  await page.getByTestId('acquire-api').click()
  await expect(tiles(page, 'api', 'leased')).toHaveCount(4)
  await expect(page.getByTestId('queue-api')).toHaveText('3')
  await expect(page.getByTestId('tiles-api').getByTestId('queued-tile')).toHaveCount(3)
  await expect(page.getByTestId('held-api')).toHaveText('4')
  await expect(page.getByTestId('server-open-api')).toHaveText('4')

  // Releasing hands the connections to the queued acquires: the queue drains, nothing new opens.
  await page.getByTestId('release-api').click()
  await expect(page.getByTestId('queue-api')).toHaveText('0')
  await expect(page.getByTestId('held-api')).toHaveText('3')
  await expect(page.getByTestId('tiles-api').getByTestId('queued-tile')).toHaveCount(0)
  await page.getByTestId('release-api').click()
  await expect(page.getByTestId('held-api')).toHaveText('0')
  await expect(tiles(page, 'api', 'idle')).toHaveCount(4)

  watching = false
  await watcher
  const counts = await serverCounts(api)
  expect(counts.peak).toBe(4) // exact, server-side, since the reset
  expect(counts.accepted).toBe(4) // 7 leases served by 4 connections
  expect(maxSeen).toBeLessThanOrEqual(4)

  // Shrinking maxPerHost (pool.resize) closes idle connections down to the new cap.
  await page.getByTestId('max-dec').click()
  await page.getByTestId('max-dec').click()
  await expect(page.getByTestId('max-value')).toHaveText('2')
  await expect(page.getByTestId('max-api')).toHaveText('2')
  await expect(page.getByTestId('live-api')).toHaveText('2')
  await expect.poll(async () => (await serverCounts(api)).open).toBe(2)
  expect(pageErrors).toEqual([])
})

test('half-open server: the heartbeat notices and the lease reconnects once the server answers again', async ({ page }) => {
  const { servers, pageErrors } = await openDemo(page)
  await page.getByTestId('acquire-count').fill('1')
  await page.getByTestId('acquire-feed').click()
  await expect(tiles(page, 'feed', 'leased')).toHaveCount(1)
  await page.getByTestId('half-open-feed').click()
  await expect(page.getByTestId('half-open-feed')).toHaveAttribute('aria-pressed', 'true')
  // heartbeat: 'ping' after 3 s of silence, dead after 2 s more without an answer -> reconnect
  await expect.poll(async () => (await attempts(page)).length, { timeout: 20_000, message: 'a heartbeat-triggered reconnect' }).toBeGreaterThanOrEqual(1)
  await page.getByTestId('half-open-feed').click()
  await expect(page.getByTestId('half-open-feed')).toHaveAttribute('aria-pressed', 'false')
  await leasesOpen(page, 'feed', 1, 20_000)
  // The lease works again: what it sends reaches the server.
  await page.getByTestId('burst-size').fill('3')
  await page.getByTestId('burst-feed').click()
  await expect.poll(async () => (await serverLog(servers.feed, 'feed')).filter((m) => m.startsWith('burst ')), { timeout: 20_000 }).toHaveLength(3)
  expect((await serverCounts(servers.feed)).peak).toBeLessThanOrEqual(1)
  expect(pageErrors).toEqual([])
})

test('drop all: leased connections reconnect with delays that grow with the time since the first drop, shown on the page', async ({ page }) => {
  const { servers, pageErrors } = await openDemo(page)
  await page.getByTestId('acquire-count').fill('2')
  await page.getByTestId('acquire-api').click()
  await expect(tiles(page, 'api', 'leased')).toHaveCount(2)

  // A server that keeps dropping us: each drop within minUptime is the next attempt, waiting longer.
  for (let drop = 1; drop <= 3; drop++) {
    await page.getByTestId('drop-api').click()
    await expect.poll(async () => (await attempts(page)).filter((a) => a.attempt === drop).length).toBe(2)
    await leasesOpen(page, 'api', 2)
    await expect.poll(async () => (await serverCounts(servers.api)).open).toBe(2)
  }
  await expect(tiles(page, 'api', 'leased')).toHaveCount(2)
  await expect(page.getByTestId('reconnect-log').getByTestId('reconnect-row')).toHaveCount(6)
  await expect(page.getByTestId('reconnect-log').locator('[data-attempt="3"]')).toHaveCount(2)

  const all = await attempts(page)
  for (const id of new Set(all.map((a) => a.id))) {
    const mine = all.filter((a) => a.id === id).sort((a, b) => a.attempt - b.attempt)
    expect(mine.map((a) => a.attempt)).toEqual([1, 2, 3])
    // The demo's policy (initialDelay 250, factor 2, jitter 0.5) waits d = max(250, t) scaled into
    // [d/2, d], t being the time since the first drop: the drops come within minUptime, so that
    // clock keeps running, and by the third retry it is at least the two delays already waited.
    expect(mine[0].delay).toBeGreaterThanOrEqual(125)
    expect(mine[0].delay).toBeLessThanOrEqual(250)
    expect(mine[2].delay).toBeGreaterThanOrEqual(Math.floor(Math.max(250, mine[0].delay + mine[1].delay) / 2))
  }
  // The bars are drawn, one per attempt.
  await expect(page.getByTestId('timeline').locator('rect.bar')).toHaveCount(6)
  expect((await serverCounts(servers.api)).peak).toBeLessThanOrEqual(2)
  expect(pageErrors).toEqual([])
})

test('messages sent during an outage are buffered and arrive after reconnect (server log)', async ({ page }) => {
  const { servers, pageErrors } = await openDemo(page)
  await page.getByTestId('acquire-count').fill('2')
  await page.getByTestId('burst-size').fill('10')
  await page.getByTestId('acquire-feed').click()
  await expect(tiles(page, 'feed', 'leased')).toHaveCount(2)

  await page.getByTestId('outage-feed').click()
  await expect(tiles(page, 'feed', 'reconnecting')).toHaveCount(2)
  await page.getByTestId('burst-feed').click() // sent while the server is down
  const sent = (await page.evaluate(() => (window as any).__demo.sent('feed'))) as string[]
  expect(sent).toHaveLength(10)

  await leasesOpen(page, 'feed', 2, 30_000)
  await expect(tiles(page, 'feed', 'leased')).toHaveCount(2)
  await expect.poll(async () => (await serverLog(servers.feed, 'feed')).filter((m) => m.startsWith('burst ')), { timeout: 15_000 }).toHaveLength(10)
  const logged = (await serverLog(servers.feed, 'feed')).filter((m) => m.startsWith('burst '))
  expect([...logged].sort()).toEqual([...sent].sort())
  // Each connection flushed its own buffer in order.
  const evens = logged.filter((m) => Number(m.split(' ').at(-1)) % 2 === 0)
  expect(evens).toEqual(sent.filter((m) => Number(m.split(' ').at(-1)) % 2 === 0))
  await expect(page.getByTestId('reconnects')).not.toHaveText('0')
  await expect(page.getByTestId('dropped')).toHaveText('0')
  expect((await attempts(page)).length).toBeGreaterThanOrEqual(2)
  expect(pageErrors).toEqual([])
})

test('refused reconnects (HTTP 503) count as errors and back off until the server accepts again', async ({ page }) => {
  const { servers, pageErrors } = await openDemo(page)
  await page.getByTestId('acquire-count').fill('1')
  await page.getByTestId('acquire-feed').click()
  await leasesOpen(page, 'feed', 1)
  await page.getByTestId('refuse-feed').click()
  await expect(page.getByTestId('refuse-feed')).toHaveAttribute('aria-pressed', 'true') // server confirmed
  await page.getByTestId('drop-feed').click()
  await expect.poll(async () => (await attempts(page)).length).toBeGreaterThanOrEqual(3)
  await expect(page.getByTestId('errors')).not.toHaveText('0')
  expect((await serverCounts(servers.feed)).open).toBe(0)
  await page.getByTestId('refuse-feed').click()
  await expect(page.getByTestId('refuse-feed')).toHaveAttribute('aria-pressed', 'false')
  await leasesOpen(page, 'feed', 1, 30_000)
  const mine = (await attempts(page)).map((a) => a.attempt)
  expect(mine).toEqual(mine.map((_, i) => i + 1)) // one connection, attempts 1, 2, 3, ... in order
  expect(pageErrors).toEqual([])
})

test('close code 1008 is not retried and is shown as such; 4001 is retried', async ({ page }) => {
  const { servers, pageErrors } = await openDemo(page)
  await page.getByTestId('close-1008').click()
  const final = page.getByTestId('close-results').locator('[data-code="1008"]')
  await expect(final).toHaveAttribute('data-retried', 'false')
  await expect(final).toContainText('closed 1008')
  await expect(final).toContainText('not retried')

  await page.getByTestId('close-4001').click()
  const retried = page.getByTestId('close-results').locator('[data-code="4001"]')
  await expect(retried).toHaveAttribute('data-retried', 'true')
  await expect(retried).toContainText('retried, reopened')

  // The 4001 connection was accepted twice (first + reconnect); the 1008 one only once.
  expect((await serverCounts(servers.api)).accepted).toBe(3)
  const all = await attempts(page)
  expect(all.map((a) => a.attempt)).toEqual([1])
  expect(pageErrors).toEqual([])
})
