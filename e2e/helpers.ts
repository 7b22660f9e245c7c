/**
 * Shared by the e2e specs: the demo's URL, the test servers' own counts (HTTP control), and
 * opening the demo page with both servers idle and reset.
 */
import { expect, type Page } from '@playwright/test'
import type { ServerCounts } from '../test/server/test-server.js'

export interface Server {
  name: string
  url: string
  httpUrl: string
}
/** What a test server counts of its own sockets (`GET /_/stats`). */
export type Counts = ServerCounts
export interface Attempt {
  id: number
  origin: string
  attempt: number
  delay: number
}

export const demoUrl = (): string => {
  const url = process.env.WSPOOL_DEMO_URL
  if (!url) throw new Error('WSPOOL_DEMO_URL is not set: the demo web server did not start (see playwright.config.ts)')
  return url
}

export async function serverCounts(s: Server): Promise<Counts> {
  const res = await fetch(`${s.httpUrl}/_/stats`)
  return (await res.json()) as Counts
}

/** What the server's /rpc route received and answered since the last reset (GET /_/rpc). */
export interface RpcCounts {
  received: { conn: number; id: unknown; data: unknown }[]
  replies: number
  pending: number
}

export async function serverRpc(s: Server): Promise<RpcCounts> {
  const res = await fetch(`${s.httpUrl}/_/rpc`)
  return (await res.json()) as RpcCounts
}

export async function serverLog(s: Server, tag: string): Promise<string[]> {
  const res = await fetch(`${s.httpUrl}/_/log?tag=${encodeURIComponent(tag)}`)
  return (await res.json()) as string[]
}

/** Opens the demo with both test servers idle and reset; collects console errors and page errors. */
export async function openDemo(page: Page): Promise<{ servers: Record<string, Server>; consoleErrors: string[]; pageErrors: string[] }> {
  const consoleErrors: string[] = []
  const pageErrors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => pageErrors.push(String(e)))
  await page.goto(demoUrl())
  await page.waitForFunction(() => (window as any).__demo?.ready === true)
  const list = (await page.evaluate(() => (window as any).__demo.servers)) as Server[]
  const servers = Object.fromEntries(list.map((s) => [s.name, s]))
  // Sockets of a previous test's page close asynchronously: start from a clean server.
  for (const s of list) {
    await expect.poll(async () => (await serverCounts(s)).open, { message: `${s.name}: previous sockets closed` }).toBe(0)
    await fetch(`${s.httpUrl}/_/reset`, { method: 'POST' })
  }
  return { servers, consoleErrors, pageErrors }
}

export const tiles = (page: Page, card: string, state?: string) =>
  page.getByTestId(`tiles-${card}`).locator(state ? `[data-testid=tile][data-state=${state}]` : '[data-testid=tile]')

/** Waits until the page holds `n` leases on `card`, all open (read from the pool, not the DOM). */
export async function leasesOpen(page: Page, card: string, n: number, timeout = 15_000): Promise<void> {
  await expect
    .poll(async () => page.evaluate((c) => (window as any).__demo.held(c).filter((l: { state: string }) => l.state === 'open').length, card), {
      timeout,
      message: `${n} open leases on ${card}`,
    })
    .toBe(n)
}

export async function attempts(page: Page): Promise<Attempt[]> {
  return page.evaluate(() => (window as any).__demo.model.attempts.map((a: Attempt) => ({ id: a.id, origin: a.origin, attempt: a.attempt, delay: a.delay })))
}

