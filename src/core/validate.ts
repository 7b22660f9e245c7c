import { PoolError, describeValue } from './errors.js'

/** Largest delay a timer can take without overflowing (it would fire at once). */
export const MAX_DELAY = 2147483647

/** Throws `ERR_INVALID_OPTION` (or `code`) naming the option, the value and the expectation. */
export function fail(name: string, value: unknown, expected: string, code: 'ERR_INVALID_OPTION' | 'ERR_INVALID_ARGUMENT' = 'ERR_INVALID_OPTION'): never {
  throw new PoolError(code, `Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`)
}

/** A count: an integer >= `min`, or `Infinity` when `infinite` is allowed. */
export function count(name: string, value: unknown, min: number, infinite = true, code?: 'ERR_INVALID_ARGUMENT'): number {
  if (typeof value === 'number' && ((Number.isInteger(value) && value >= min) || (infinite && value === Infinity))) {
    return value
  }
  return fail(name, value, `an integer >= ${min}${infinite ? ' or Infinity' : ''}`, code)
}

/** A duration in ms within [1, 2147483647], or `Infinity` ("no limit") where allowed. */
export function duration(name: string, value: unknown, infinite: boolean, code?: 'ERR_INVALID_ARGUMENT'): number {
  if (typeof value === 'number' && ((value >= 1 && value <= MAX_DELAY) || (infinite && value === Infinity))) {
    return value
  }
  return fail(name, value, `a duration in ms between 1 and ${MAX_DELAY}${infinite ? ' or Infinity' : ''}`, code)
}

/** A finite number within [min, max]. */
export function range(name: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && value >= min && value <= max) return value
  return fail(name, value, `a number between ${min} and ${max}`)
}

/** A plain object (not null, not an array); every key must be in `known`. */
export function plainObject(name: string, value: unknown, known: readonly string[], code?: 'ERR_INVALID_ARGUMENT', alternatives = ''): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(name, value, `an object${alternatives}`, code)
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const hint = suggest(key, known)
      throw new PoolError(
        code ?? 'ERR_INVALID_OPTION',
        `Unknown ${name === 'options' ? 'option' : `key in \`${name}\``} \`${key}\`${hint ? `: did you mean \`${hint}\`?` : '.'} Known: ${known.join(', ')}`,
      )
    }
  }
  return value as Record<string, unknown>
}

/** The known name closest to a typo (case-insensitive, or at most 2 edits), if any. */
function suggest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase()
  let best: string | undefined
  let bestDistance = 3
  for (const k of known) {
    const d = k.toLowerCase() === lower ? 0 : editDistance(lower, k.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [k, d]
  }
  return best
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length]
}
