// The worker's handle on the benchmark echo server child process.
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { forkTs, ipcCall, stopChild } from './procs.js'

export interface EchoServer {
  readonly url: string
  readonly port: number
  child: ChildProcess
  call<T = unknown>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>
  counts(): Promise<{ open: number; accepted: number; peak: number; raw: number }>
  /** Resolves when every server-side connection has closed (bounded). */
  waitIdle(timeoutMs?: number): Promise<boolean>
  stop(): Promise<void>
}

export async function startEchoServer(): Promise<EchoServer> {
  const script = fileURLToPath(new URL('../server.ts', import.meta.url))
  const child = forkTs(script, [])
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('echo server did not start within 20 s')), 20000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`echo server exited (${code})`))
    })
    child.on('message', (m: any) => {
      if (m && m.ready) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  const { port, url } = await ipcCall<{ port: number; url: string }>(child, { cmd: 'listen' })
  const call = <T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 60000) =>
    ipcCall<T>(child, { cmd, ...args }, timeoutMs)
  const counts = () => call<{ open: number; accepted: number; peak: number; raw: number }>('counts')
  return {
    url,
    port,
    child,
    call,
    counts,
    async waitIdle(timeoutMs = 10000) {
      const end = performance.now() + timeoutMs
      while (performance.now() < end) {
        const c = await counts()
        if (c.open === 0 && c.raw === 0) return true
        await new Promise((r) => setTimeout(r, 20))
      }
      return false
    },
    stop: () => stopChild(child),
  }
}

/** A raw `ws` client socket to `url`, once open (what the peers' pools lend). */
export function openRaw(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}
