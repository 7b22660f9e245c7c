/**
 * The README's picture: the demo in a busy state. Every run drives the page there and takes the
 * shot (a smoke test of the panels together); only `UPDATE_DEMO_PNG=1 npm run test:e2e -- screenshot`
 * writes it to docs/demo.png (and the cross-tab page to docs/shared-demo.png), otherwise it goes to
 * this test's output directory.
 */
import { expect, test, type Page } from '@playwright/test'
import { attempts, demoUrl, leasesOpen, openDemo, tiles } from './helpers.js'

test('screenshot of a busy demo for the README', async ({ page }, testInfo) => {
  const { pageErrors } = await openDemo(page)
  await page.setViewportSize({ width: 1440, height: 1080 })
  // maxPerHost 7 (pool.resize), so one origin has room for the other's list leases (a list lease
  // moves only to a replica with room under its cap).
  for (let i = 0; i < 3; i++) await page.getByTestId('max-inc').click()
  await expect(page.getByTestId('max-api')).toHaveText('7')
  // feed: two leases through a drop (the reconnect timeline).
  await page.getByTestId('acquire-count').fill('2')
  await page.getByTestId('acquire-feed').click()
  await expect(tiles(page, 'feed', 'leased')).toHaveCount(2)
  await page.getByTestId('drop-feed').click()
  await expect.poll(async () => (await attempts(page)).length).toBe(2)
  await leasesOpen(page, 'feed', 2)
  // Close codes, as before.
  await page.getByTestId('close-1008').click()
  await expect(page.getByTestId('close-results').locator('[data-code="1008"]')).toBeVisible()
  await page.getByTestId('close-4001').click()
  await expect(page.getByTestId('close-results').locator('[data-code="4001"]')).toContainText('reopened')
  // Replicas: two exclusive and two shared list leases, then a storm of 500 requests.
  for (const kind of ['exclusive', 'exclusive', 'shared', 'shared']) await page.getByTestId(`rep-acquire-${kind}`).click()
  await expect.poll(() => page.evaluate(() => (window as any).__demo.replicaLeases().filter((l: { state: string }) => l.state === 'open').length)).toBe(4)
  await page.getByTestId('storm').click()
  await expect(page.getByTestId('req-settled')).toHaveText('500', { timeout: 30_000 })
  // api: card leases with live traffic (press "Send burst" every 250 ms until the shot is taken).
  await page.getByTestId('acquire-count').fill('2')
  await page.getByTestId('acquire-api').click()
  await leasesOpen(page, 'api', 2)
  await page.evaluate(() => {
    const button = document.querySelector<HTMLButtonElement>('[data-testid=burst-api]')
    ;(window as any).__burstTimer = setInterval(() => button?.click(), 250)
  })
  await page.getByTestId('trickle').click()
  // Stop feed: its circuit opens, its list leases move to api, its card leases keep retrying.
  await page.getByTestId('stop-feed').click()
  await expect(page.getByTestId('rep-leases-feed')).toHaveText('0', { timeout: 20_000 })
  await expect(page.getByTestId('rep-leases-api')).toHaveText('4')
  await expect(page.getByTestId('circuit-feed')).not.toHaveText('circuit closed')
  await expect.poll(() => tiles(page, 'feed', 'reconnecting').count()).toBeGreaterThanOrEqual(2)
  // Steady state: 4 bursts of 20 per second, out and echoed back in, is about 160 messages/s.
  await expect.poll(async () => Number(await page.getByTestId('msgs-rate').textContent())).toBeGreaterThan(100)
  await expect.poll(async () => Number(await page.getByTestId('req-rate').textContent())).toBeGreaterThan(0)
  const path = process.env.UPDATE_DEMO_PNG === '1' ? 'docs/demo.png' : testInfo.outputPath('demo.png')
  await page.screenshot({ path, fullPage: true })
  await page.evaluate(() => clearInterval((window as any).__burstTimer))
  await page.getByTestId('trickle').click()
  expect(pageErrors).toEqual([])
})

test('screenshot of the cross-tab page for the README: a follower tab of three, after two bursts', async ({ context }, testInfo) => {
  const pages: Page[] = []
  for (let i = 0; i < 3; i++) {
    const page = await context.newPage()
    await page.setViewportSize({ width: 1280, height: 600 })
    await page.goto(`${demoUrl()}shared.html`)
    await page.waitForFunction(() => (window as any).__shared?.ready === true)
    pages.push(page)
  }
  const tabsSeen = () => Promise.all(pages.map((p) => p.evaluate(() => (window as any).__shared.state().tabs)))
  await expect.poll(tabsSeen).toEqual([3, 3, 3])
  const leading = await Promise.all(pages.map((p) => p.evaluate(() => (window as any).__shared.state().leading)))
  const leader = leading.indexOf(true)
  const shot = pages[(leader + 1) % 3]
  await shot.getByTestId('hold').click()
  for (let i = 1; i <= 2; i++) {
    await shot.getByTestId('burst').click()
    await expect(shot.getByTestId('echo-total')).toHaveText(`${20 * i} echoed`)
  }
  await pages[leader].getByTestId('hold').click()
  await expect(shot.getByTestId('server-open')).toHaveText('2')
  const path = process.env.UPDATE_DEMO_PNG === '1' ? 'docs/shared-demo.png' : testInfo.outputPath('shared-demo.png')
  await shot.screenshot({ path, fullPage: true })
  await Promise.all(pages.map((p) => p.close()))
})
