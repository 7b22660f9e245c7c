/**
 * The checks behind option and argument validation. Each returns the value it accepts, or throws a
 * `PoolError` whose message names the option (full dotted path), the value and the expectation:
 * "Expected `maxPerHost` to be an integer >= 1 or Infinity, got 0". Messages are composed from the
 * short phrases below rather than written out per option.
 */
import { PoolError, describeValue } from './errors.js'

/** Largest delay a timer can take without overflowing (it would fire at once). */
export const MAX_DELAY = 2147483647

/** The code of a validation failure: options at `createPool`, arguments per call. */
export type InvalidCode = 'ERR_INVALID_OPTION' | 'ERR_INVALID_ARGUMENT'

const OR_INFINITY = ' or Infinity'

/** Throws `ERR_INVALID_OPTION` (or `code`) with `message`. */
function invalid(message: string, code: InvalidCode = 'ERR_INVALID_OPTION'): never {
  throw new PoolError(code, message)
}

/** Throws `ERR_INVALID_OPTION` (or `code`) naming the option, the value and the expectation. */
export function fail(name: string, value: unknown, expected: string, code?: InvalidCode): never {
  invalid(`Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`, code)
}

/** A count: an integer >= `min`, or `Infinity` when `infinite` is allowed. */
export function count(name: string, value: unknown, min: number, infinite = true, code?: InvalidCode): number {
  return (Number.isInteger(value) && (value as number) >= min) || (infinite && value === Infinity)
    ? (value as number)
    : fail(name, value, `an integer >= ${min}${infinite ? OR_INFINITY : ''}`, code)
}

/** A duration in ms within [1, 2147483647], or `Infinity` ("no limit") where allowed. */
export function duration(name: string, value: unknown, infinite: boolean, code?: InvalidCode): number {
  return (typeof value === 'number' && value >= 1 && value <= MAX_DELAY) || (infinite && value === Infinity)
    ? value
    : fail(name, value, `a duration in ms between 1 and ${MAX_DELAY}${infinite ? OR_INFINITY : ''}`, code)
}

/** A number within [min, max] (NaN never is). */
export function range(name: string, value: unknown, min: number, max: number): number {
  return typeof value === 'number' && value >= min && value <= max ? value : fail(name, value, `a number between ${min} and ${max}`)
}

/**
 * A plain object (not null, not an array). With `known`, every key must be in it: an unknown one
 * is refused, naming it and its parent, with the closest known key as a suggestion.
 */
export function plainObject(name: string, value: unknown, known?: readonly string[], code?: InvalidCode, alternatives = ''): Record<string, unknown> {
  if (typeof value !== 'object' || !value || Array.isArray(value)) fail(name, value, `an object${alternatives}`, code)
  for (const key of Object.keys(value)) {
    if (known && !known.includes(key)) {
      const hint = suggest(key, known)
      invalid(`Unknown ${name === 'options' ? 'option' : `key in \`${name}\``} \`${key}\`${hint ? `: did you mean \`${hint}\`?` : '.'} Known: ${known.join(', ')}`, code)
    }
  }
  return value as Record<string, unknown>
}

/**
 * Table-driven checks: each option has a row `name: [rule, default]` in a {@link Table} (see
 * options.ts). A rule checks one value (named by its dotted path in messages) and returns what to
 * keep, or throws `ERR_INVALID_OPTION`. A default other than `undefined` goes through its rule
 * too, which is how nested objects get theirs (`{}` resolved against their own table). The
 * table's keys are also the known names for the unknown-key check.
 */
export type Rule = (path: string, value: unknown) => unknown
export type Table = Record<string, [rule: Rule, fallback?: unknown]>

/** A rule keeping the values that pass `test` as they are. */
export const accept = (test: (value: any) => unknown, expected: string): Rule => (path, value) =>
  test(value) ? value : fail(path, value, expected)

/** A rule keeping values of one `typeof`. */
export const ofType = (type: string, expected = `a ${type}`) => accept((value) => typeof value === type, expected)

/** What a nested option accepts besides an object: nothing, `false` (off), or also `true` (defaults). */
export const OR_FALSE = ' or false'
export const TRUE_OR_FALSE = ', true or false'

/**
 * An option object (the options themselves, or a nested one) checked against `table`: unknown
 * keys refused, absent ones defaulted, the result frozen; `check` then sees the result and the
 * input. `alternatives` says what else it accepts: `false` (off), or also `true` (the defaults).
 */
export function group(table: Table, alternatives = '', check?: (resolved: any, given: Record<string, unknown>, path: string) => void): Rule {
  return (path, input) => {
    if (input === false && alternatives) return false
    const given = plainObject(path, input === true && alternatives === TRUE_OR_FALSE ? {} : input, Object.keys(table), undefined, alternatives)
    const out: Record<string, unknown> = {}
    for (const key in table) {
      const [rule, fallback] = table[key]
      const value = given[key] === undefined ? fallback : given[key]
      // Top-level options are named alone, nested ones by their dotted path.
      out[key] = value === undefined ? value : rule(path === 'options' ? key : `${path}.${key}`, value)
    }
    check?.(out, given, path)
    return Object.freeze(out)
  }
}

/**
 * Fails unless `low <= high`, naming both: the value blamed is `low`, or `high` when `low` is only
 * a default ("Expected `reconnect.maxDelay` to be a duration >= `reconnect.initialDelay` (500, the default), got 100").
 */
export function ordered(low: number, high: number, lowName: string, highName: string, what: string): void {
  if (low > high) fail(lowName, low, `${what} <= \`${highName}\` (${high})`)
}

/** The known name closest to a typo: case-insensitive, at most 2 edits away (the first of equals), if any. */
function suggest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [k, d]
  }
  return best
}

/**
 * Levenshtein distance of `a` and `b` plus `spent`, capped at 3 (all `suggest` needs): equal first
 * characters cost nothing, otherwise try a deletion, an insertion and a substitution.
 */
const distance = (a: string, b: string, spent = 0): number =>
  spent > 2 ? 3
  : a === b ? spent
  : a[0] === b[0] ? distance(a.slice(1), b.slice(1), spent)
  : Math.min(distance(a.slice(1), b, spent + 1), distance(a, b.slice(1), spent + 1), distance(a.slice(1), b.slice(1), spent + 1))
