// Small statistics and formatting helpers. Pure functions, no I/O.

export function sorted(xs: readonly number[]): number[] {
  return xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
}

/** Linear-interpolated quantile of finite values; NaN when there are none. */
export function quantile(xs: readonly number[], q: number): number {
  const s = sorted(xs)
  if (s.length === 0) return NaN
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5)
export const min = (xs: readonly number[]): number => sorted(xs)[0] ?? NaN
export const max = (xs: readonly number[]): number => {
  const s = sorted(xs)
  return s.length ? s[s.length - 1] : NaN
}

/** Per-trial pairing of two aligned series (NaN where either side is missing). */
export function paired(a: readonly number[], b: readonly number[], op: 'ratio' | 'delta'): number[] {
  const n = Math.min(a.length, b.length)
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const x = a[i]
    const y = b[i]
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue
    out.push(op === 'ratio' ? (y === 0 ? NaN : x / y) : x - y)
  }
  return out
}

export function fmtNum(x: number, decimals?: number): string {
  if (!Number.isFinite(x)) return 'n/a'
  const a = Math.abs(x)
  const d = decimals ?? (a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 1 : a >= 1 ? 2 : 3)
  if (a >= 1e6 && decimals === undefined) return (x / 1e6).toFixed(2) + 'M'
  if (a >= 1e4 && decimals === undefined) return (x / 1e3).toFixed(1) + 'k'
  return x.toFixed(d)
}

/** "median (min-max)" of finite values. */
export function fmtSpread(xs: readonly number[], decimals?: number, signed = false): string {
  const s = sorted(xs)
  if (s.length === 0) return 'n/a'
  const f = (x: number) => (signed && x > 0 ? '+' : '') + fmtNum(x, decimals)
  if (s.length === 1) return f(s[0])
  return `${f(median(s))} (${f(s[0])}..${f(s[s.length - 1])})`
}

/** Markdown table; pads columns so it also reads well in a terminal. */
export function mdTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ') + ' |'
  return [line(header), '| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |', ...rows.map(line)].join('\n')
}
