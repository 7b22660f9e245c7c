/** Small DOM helpers shared by the demo's modules. */

export const $ = <T extends Element>(sel: string): T => document.querySelector(sel) as T

/** Sets an element's text only when it changed (no needless layout). */
export function text(sel: string | Element, v: string): void {
  const el = typeof sel === 'string' ? $(sel) : sel
  if (el.textContent !== v) el.textContent = v
}

/** The value of a number input, rounded and clamped; `def` when it is not a number. */
export function readInt(sel: string, min: number, max: number, def: number): number {
  const n = Math.round(Number($<HTMLInputElement>(sel).value))
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : def
}

/** Milliseconds for display: one decimal under 10, '–' when there is no sample. */
export const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${v < 10 ? v.toFixed(1) : Math.round(v)}`)

/** A count or rate for display: 12.3k above 10,000. */
export const num = (v: number): string => (v >= 10_000 ? `${(v / 1000).toFixed(1)}k` : String(Math.round(v)))

/** A failure as the page shows it: the `PoolError` code (or the error's name) and message. */
export function describe(err: unknown): { code: string; text: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    const c = typeof code === 'string' ? code : err.name
    return { code: c, text: `${c}: ${err.message}` }
  }
  return { code: 'Error', text: String(err) }
}
