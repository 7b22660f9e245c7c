/** The demo's test servers as the React page sees them: their HTTP control API, polled. */
import { useEffect, useState } from 'react'

export interface ServerInfo {
  name: string
  url: string
  httpUrl: string
}

/** What a test server reports of its own WebSocket connections (`GET /_/stats`). */
export interface ServerCounts {
  open: number
  peak: number
  accepted: number
  byPath: Record<string, number>
}

/** Calls the test server's control API (`POST /_/drop`, `POST /_/reset`, ...). */
export async function control(server: ServerInfo, path: string, method: 'GET' | 'POST' = 'POST'): Promise<unknown> {
  const res = await fetch(`${server.httpUrl}/_/${path}`, { method })
  if (!res.ok) throw new Error(`${server.name}: ${path}: HTTP ${res.status}`)
  return res.json()
}

/** The servers' own counts, polled every `interval` ms (what the server sees, not what the pool says). */
export function useServerCounts(servers: readonly ServerInfo[], interval = 500): (ServerCounts | null)[] {
  const [counts, setCounts] = useState<(ServerCounts | null)[]>(() => servers.map(() => null))
  useEffect(() => {
    let live = true
    const poll = async (): Promise<void> => {
      const next = await Promise.all(servers.map((s) => control(s, 'stats', 'GET').then((c) => c as ServerCounts, () => null)))
      if (live) setCounts(next)
    }
    void poll()
    const timer = setInterval(() => void poll(), interval)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [servers, interval])
  return counts
}
