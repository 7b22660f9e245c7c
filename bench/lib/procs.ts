// Child processes: every child started here is tracked and killed when this process ends,
// normally or not. Children also exit on their own when their IPC channel to us closes
// (see `exitWithParent`), so nothing outlives the run even after a SIGKILL of the runner.
import { fork, type ChildProcess } from 'node:child_process'

const children = new Set<ChildProcess>()

function killAllSync(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill('SIGKILL')
      } catch {
        // already gone
      }
    }
  }
  children.clear()
}

let hooked = false
function hookExit(): void {
  if (hooked) return
  hooked = true
  process.on('exit', killAllSync)
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      killAllSync()
      process.exit(130)
    })
  }
}

/** Start a TypeScript file as a child Node process (through tsx) with an IPC channel. */
export function forkTs(script: string, args: string[], execArgv: string[] = []): ChildProcess {
  hookExit()
  const child = fork(script, args, {
    execArgv: [...execArgv, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' }, // BENCH_CONTENDER passes through
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Ask a child to stop, then SIGKILL it if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    child.kill('SIGTERM')
  } catch {
    // gone
  }
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs)
  })
  const r = await Promise.race([exited.then(() => 'exited' as const), timedOut])
  clearTimeout(timer)
  if (r === 'timeout') {
    try {
      child.kill('SIGKILL')
    } catch {
      // gone
    }
    await exited
  }
}

/** In a child: exit when the parent goes away (IPC closed), so no orphan survives. */
export function exitWithParent(cleanup?: () => void): void {
  process.on('disconnect', () => {
    try {
      cleanup?.()
    } finally {
      process.exit(0)
    }
  })
  process.on('SIGTERM', () => {
    try {
      cleanup?.()
    } finally {
      process.exit(0)
    }
  })
}

let nextCallId = 1
/** Request/response over a child's IPC channel: `{ id, ...msg }` -> `{ id, ok, value | error }`. */
export function ipcCall<T = unknown>(child: ChildProcess, msg: Record<string, unknown>, timeoutMs = 30000): Promise<T> {
  const id = nextCallId++
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: any) => {
      if (!m || m.id !== id) return
      cleanup()
      if (m.ok) resolve(m.value as T)
      else reject(new Error(String(m.error)))
    }
    const onExit = () => {
      cleanup()
      reject(new Error(`child exited during ${String(msg.cmd)}`))
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`ipc ${String(msg.cmd)} timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
    child.send({ id, ...msg })
  })
}

/** In a child: serve `ipcCall` requests. */
export function serveIpc(handlers: Record<string, (msg: any) => unknown | Promise<unknown>>): void {
  process.on('message', async (m: any) => {
    if (!m || typeof m.id !== 'number' || typeof m.cmd !== 'string') return
    const h = handlers[m.cmd]
    try {
      if (!h) throw new Error(`unknown command ${m.cmd}`)
      const value = await h(m)
      process.send?.({ id: m.id, ok: true, value })
    } catch (err) {
      process.send?.({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) })
    }
  })
}
