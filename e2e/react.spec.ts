/**
 * The React page of the demo (react.html): the hooks of `wspool/react` under StrictMode, built
 * against dist/react.js. The test servers' own counts are the proof: N components on one URL are
 * one connection, a drop reconnects it once for all of them, and the page logs no error.
 */
import { expect, test, type Page } from '@playwright/test'
import { demoUrl, serverCounts, type Server } from './helpers.js'

async function openReactDemo(page: Page): Promise<{ api: Server; feed: Server; errors: string[] }> {
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(`${demoUrl()}react.html`)
  await page.waitForFunction(() => (window as any).__reactDemo !== undefined)
  const [api, feed] = (await page.evaluate(() => (window as any).__reactDemo.servers)) as Server[]
  // A previous test's page closes its sockets asynchronously: wait until only this page's are
  // left, then count from here (peaks included).
  await expect.poll(async () => (await serverCounts(feed)).byPath['/react-feed'] ?? 0).toBe(1)
  await expect.poll(async () => (await serverCounts(api)).byPath['/react-lease'] ?? 0).toBe(1)
  for (const s of [api, feed]) await fetch(`${s.httpUrl}/_/reset`, { method: 'POST' })
  return { api, feed, errors }
}

const feedSockets = async (feed: Server): Promise<number> => (await serverCounts(feed)).byPath['/react-feed'] ?? 0
const received = async (page: Page): Promise<number[]> =>
  (await page.getByTestId('ticker-count').allTextContents()).map((t) => Number.parseInt(t, 10))

test('react: N components on one URL share one connection; every one of them gets every tick', async ({ page }) => {
  const { feed, errors } = await openReactDemo(page)
  await expect(page.getByTestId('ticker')).toHaveCount(3)
  await expect(page.getByTestId('ticker-state')).toHaveText(['open', 'open', 'open'])
  await expect.poll(() => received(page), { timeout: 10_000 }).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)])
  await expect.poll(async () => Math.min(...(await received(page)))).toBeGreaterThanOrEqual(2)
  // StrictMode mounts every effect twice: the pool opened one connection for the publisher and
  // the 3 tickers, and the server sees one.
  await expect(page.getByTestId('stat-feed-created')).toHaveText('1')
  expect(await feedSockets(feed)).toBe(1)
  for (let i = 0; i < 3; i++) await page.getByTestId('add-ticker').click()
  await expect(page.getByTestId('ticker-state')).toHaveText(Array(6).fill('open'))
  // The new components hear the next ticks too, on the same connection.
  await expect.poll(async () => Math.min(...(await received(page))), { timeout: 10_000 }).toBeGreaterThanOrEqual(1)
  expect(await feedSockets(feed)).toBe(1)
  expect((await serverCounts(feed)).peakByPath['/react-feed']).toBe(1)
  expect((await serverCounts(feed)).accepted).toBe(0) // none opened since the reset
  await expect(page.getByTestId('stat-feed-shared')).toHaveText('1')
  await expect(page.getByTestId('stat-feed-created')).toHaveText('1')
  expect(errors).toEqual([])
})

test('react: a drop reconnects the shared connection once, for every component; the exclusive lease is back too', async ({ page }) => {
  const { api, feed, errors } = await openReactDemo(page)
  await expect(page.getByTestId('ticker-state')).toHaveText(['open', 'open', 'open'])
  await expect(page.getByTestId('lease-state')).toHaveText('open')
  const acceptedBefore = (await serverCounts(feed)).accepted
  const last = await page.getByTestId('ticker-last').first().textContent()
  await page.getByTestId('drop-all').click()
  // useWebSocket reconnects as react-use-websocket does (shouldReconnect, after reconnectInterval):
  // a new shared lease for all the components; useLease's connection reconnects in the pool.
  await expect(page.getByTestId('stat-api-reconnects')).toHaveText('1', { timeout: 10_000 })
  await expect.poll(async () => (await serverCounts(feed)).accepted, { timeout: 10_000 }).toBe(acceptedBefore + 1)
  await expect(page.getByTestId('ticker-state')).toHaveText(['open', 'open', 'open'])
  await expect(page.getByTestId('lease-state')).toHaveText('open')
  // Ticks flow again after the reconnect, to every component.
  await expect(page.getByTestId('ticker-last')).not.toHaveText([last!, last!, last!], { timeout: 10_000 })
  await expect.poll(() => feedSockets(feed)).toBe(1)
  // The whole page reopened one socket per connection: 1 more on each server.
  expect((await serverCounts(feed)).accepted).toBe(acceptedBefore + 1)
  await expect.poll(async () => (await serverCounts(api)).byPath['/react-lease'] ?? 0).toBe(1)
  // The exclusive lease still talks.
  await page.getByTestId('lease-send').click()
  await expect(page.getByTestId('lease-reply')).toContainText('hello at')
  expect(errors.filter((e) => !/WebSocket connection to .* failed/.test(e))).toEqual([])
})

test('react: useLease with url null releases the lease (the connection idles in the pool); acquiring again reuses it', async ({ page }) => {
  const { api, errors } = await openReactDemo(page)
  await expect(page.getByTestId('lease-state')).toHaveText('open')
  const accepted = (await serverCounts(api)).accepted
  await page.getByTestId('lease-toggle').click()
  await expect(page.getByTestId('lease-state')).toHaveText('idle')
  await expect(page.getByTestId('stat-api-active')).toHaveText('0')
  await expect(page.getByTestId('stat-api-idle')).toHaveText('1')
  await page.getByTestId('lease-toggle').click()
  await expect(page.getByTestId('lease-state')).toHaveText('open')
  await expect(page.getByTestId('stat-api-active')).toHaveText('1')
  expect((await serverCounts(api)).accepted).toBe(accepted) // the idle connection, reused: no new socket
  expect(errors).toEqual([])
})
