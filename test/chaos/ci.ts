/**
 * `npm run test:chaos`, part of `npm test`: a short chaos run (`run.ts`, CHAOS_SECONDS=15 and a
 * fixed seed) in a child process of its own, so that the process exiting by itself is part of
 * what is tested. The step fails when the run reports a violation (exit code 1), when its
 * watchdog finds it still alive 5 s after close (exit code 1), or when it is still running
 * DEADLINE ms after it started (it is killed then). The whole step stays within 30 s.
 *
 * Longer or other runs: `CHAOS_SECONDS=600 CHAOS_SEED=7 npm run chaos`.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const SECONDS = 15
const SEED = 1
/** The run takes SECONDS plus about 2.5 s to wind down and check; a run still alive after this is stuck. */
const DEADLINE = 28_000

const here = path.dirname(fileURLToPath(import.meta.url))
const started = Date.now()
const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'run.ts')], {
  cwd: path.resolve(here, '../..'),
  env: { ...process.env, CHAOS_SECONDS: String(SECONDS), CHAOS_SEED: String(SEED) },
  stdio: 'inherit',
})
let killed = false
const deadline = setTimeout(() => {
  killed = true
  child.kill('SIGKILL')
}, DEADLINE)

child.on('exit', (code, signal) => {
  clearTimeout(deadline)
  const took = `${((Date.now() - started) / 1000).toFixed(1)} s`
  if (killed) console.error(`test:chaos: FAIL, the run was still alive after ${DEADLINE / 1000} s and was killed`)
  else if (code !== 0) console.error(`test:chaos: FAIL, the run exited with ${signal ?? `code ${code}`} after ${took} (seed ${SEED}, ${SECONDS} s)`)
  else console.log(`test:chaos: ok, no violation; the run exited on its own after ${took} (seed ${SEED}, ${SECONDS} s)`)
  process.exitCode = killed || code !== 0 ? 1 : 0
})
