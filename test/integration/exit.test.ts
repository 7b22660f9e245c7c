/**
 * After close() a Node process using the pool exits on its own (issue 2, item 9; SPEC
 * "Lifecycle": after close() resolves the pool holds no socket, timer or listener).
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { delay, startServer } from '../helpers/harness.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const child = fileURLToPath(new URL('../helpers/exit-child.ts', import.meta.url))

function run(url: string, ...args: string[]) {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, url, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  onTestFinished(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
  })
  let stdout = ''
  let stderr = ''
  proc.stdout.on('data', (d) => (stdout += d))
  proc.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return { proc, exited, output: () => ({ stdout, stderr }) }
}

describe('process exit', () => {
  it('a child process that closes its pool exits on its own', async () => {
    const server = await startServer()
    const { exited, output } = run(server.url)
    // Generous bound (tsx start-up included); the pool's own timers run for a minute or more.
    const result = await Promise.race([exited, delay(15_000).then(() => 'still running' as const)])
    expect(result, JSON.stringify(output())).toEqual({ code: 0, signal: null })
    expect(output().stdout).toContain('closed ERR_POOL_CLOSED ERR_POOL_CLOSED')
    expect(server.log('child')).toEqual(['hello from child'])
    expect(server.counts().open).toBe(0)
  }, 30_000)

  it('control: the same child without close() stays alive (the test can fail)', async () => {
    const server = await startServer()
    const { exited, output } = run(server.url, '--no-close')
    const started = Date.now()
    while (!output().stdout.includes('not closing') && Date.now() - started < 15_000) await delay(50)
    expect(output().stdout).toContain('not closing')
    const result = await Promise.race([exited, delay(1500).then(() => 'still running' as const)])
    expect(result).toBe('still running')
  }, 30_000)
})
