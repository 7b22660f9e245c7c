/**
 * Helpers of the React hook tests in Chromium: the test server's HTTP control, a pool closed at
 * the end of the test, a rendered tree unmounted at the end of the test, and a spy that fails
 * the test on any console warning or error (React reports act, key and hydration problems
 * there).
 */
import { cleanup, render, type RenderResult } from '@testing-library/react'
import type { ReactNode } from 'react'
import { expect, inject, onTestFinished, vi } from 'vitest'
import { createPool, type PoolOptions, type WebSocketPool } from '../../src/index.js'
import type { ServerCounts } from '../server/test-server.js'

export const server = inject('testServer')

export type { ServerCounts }

export async function control<T = unknown>(method: 'GET' | 'POST', path: string): Promise<T> {
  const res = await fetch(`${server.httpUrl}/_/${path}`, { method })
  if (!res.ok) throw new Error(`control ${path}: HTTP ${res.status}`)
  return (await res.json()) as T
}
export const counts = (): Promise<ServerCounts> => control<ServerCounts>('GET', 'stats')

export function newPool(options?: PoolOptions): WebSocketPool {
  const pool = createPool(options)
  onTestFinished(() => pool.close())
  return pool
}

export const eventually = <T,>(fn: () => T | Promise<T>, timeout = 8000): Promise<T> => vi.waitFor(fn, { timeout, interval: 20 })
export const delay = (ms: number): Promise<void> => new Promise<void>((r) => setTimeout(r, ms))

/** Renders `ui` (inside act, as Testing Library does); unmounted when the test finishes. */
export function mount(ui: ReactNode): RenderResult {
  const result = render(ui)
  onTestFinished(() => cleanup())
  return result
}

/** Fails the test if anything is written to console.warn or console.error while it runs. */
export function quietConsole(): void {
  const spies = [vi.spyOn(console, 'error'), vi.spyOn(console, 'warn')]
  onTestFinished(() => {
    const calls = spies.flatMap((s) => s.mock.calls)
    for (const s of spies) s.mockRestore()
    expect(calls.map((c) => c.map(String).join(' '))).toEqual([])
  })
}
