/**
 * Runs a helper script (`test/helpers/<name>`) in a child Node process with tsx, as a user's
 * script would run: the tests that need a whole process (exit on its own, no crash on a throwing
 * listener, no timer left) share this. The child is killed when the current test finishes.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface Child {
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: string | null }>
  /** What it printed so far. */
  output(): { stdout: string; stderr: string }
}

export function runChild(script: string, ...args: string[]): Child {
  const file = fileURLToPath(new URL(`./${script}`, import.meta.url))
  const proc = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
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
  return { exited, output: () => ({ stdout, stderr }) }
}
