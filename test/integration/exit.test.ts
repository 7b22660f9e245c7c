/**
 * After close() a Node process using the pool exits on its own (issue 2, item 9; SPEC
 * "Lifecycle": after close() resolves the pool holds no socket, timer or listener).
 */
import { describe, expect, it } from 'vitest'
import { runChild } from '../helpers/child.js'
import { delay, startServer } from '../helpers/harness.js'

const run = (url: string, ...args: string[]) => runChild('exit-child.ts', url, ...args)

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
