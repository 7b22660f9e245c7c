/**
 * The reconnect timeline: one row per connection, one bar per backoff wait (start = when the
 * pool announced the attempt, length = its delay), over a window that fits the recent attempts.
 */
import type { Attempt } from './model.js'

const MIN_WINDOW_MS = 8_000
const MAX_WINDOW_MS = 40_000
const ROW = 24
const LABEL = 74
const AXIS = 18

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${Math.round(ms)} ms`
}

/** Colour by attempt number: later attempts warmer. */
function colour(attempt: number): string {
  const hue = Math.max(0, 42 - (attempt - 1) * 9)
  return `hsl(${hue} 90% ${Math.max(42, 55 - attempt * 2)}%)`
}

export function renderTimeline(svg: SVGSVGElement, attempts: readonly Attempt[], names: Record<string, string>, now: number): void {
  const width = Math.max(320, svg.clientWidth || 800)
  // The window widens to the oldest recent attempt, so sub-second waits stay readable; a quarter
  // of it lies ahead of "now", where the waits still running end.
  const live = attempts.filter((a) => a.at + a.delay > now - MAX_WINDOW_MS)
  const oldest = Math.min(now, ...live.map((a) => a.at))
  const past = Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, Math.ceil((now - oldest + 1500) / 2000) * 2000))
  const ahead = past / 4
  const recent = live.filter((a) => a.at + a.delay > now - past)
  const rows = [...new Set(recent.map((a) => `${a.origin}|${a.id}`))].sort()
  const height = Math.max(2, rows.length) * ROW + AXIS + 8
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`)
  svg.setAttribute('height', String(height))
  const plot = width - LABEL - 12
  const x = (t: number): number => LABEL + ((t - (now - past)) / (past + ahead)) * plot
  const nowX = x(now)

  let html = `<rect class="future" x="${nowX}" y="0" width="${LABEL + plot - nowX}" height="${height - AXIS}"/>`
  const step = past <= 10_000 ? 1 : past <= 20_000 ? 2 : 5
  for (let s = 0; s * 1000 <= past; s += step) {
    const gx = x(now - s * 1000)
    html += `<line class="grid" x1="${gx}" x2="${gx}" y1="0" y2="${height - AXIS}"/>`
    html += `<text class="axis" x="${gx}" y="${height - 4}" text-anchor="middle">${s === 0 ? 'now' : `−${s} s`}</text>`
  }
  if (rows.length === 0) {
    html += `<text class="empty" x="${LABEL + plot / 2}" y="${ROW + 4}" text-anchor="middle">No reconnects yet: press “Drop all” or “Outage 5 s” on a card while leases are held.</text>`
  }
  rows.forEach((key, i) => {
    const [origin, id] = key.split('|')
    const y = i * ROW + 4
    html += `<text class="row-label" x="${LABEL - 8}" y="${y + ROW / 2 + 4}" text-anchor="end">${esc(names[origin] ?? origin)} #${id}</text>`
    html += `<line class="row-line" x1="${LABEL}" x2="${LABEL + plot}" y1="${y + ROW / 2}" y2="${y + ROW / 2}"/>`
    for (const a of recent) {
      if (`${a.origin}|${a.id}` !== key) continue
      const x0 = Math.max(LABEL, x(a.at))
      const x1 = Math.min(LABEL + plot, x(a.at + a.delay))
      const w = Math.max(3, x1 - x0)
      const waiting = a.at + a.delay > now ? ' waiting' : ''
      html += `<rect class="bar${waiting}" x="${x0}" y="${y + 4}" width="${w}" height="${ROW - 8}" rx="4" fill="${colour(a.attempt)}"><title>attempt ${a.attempt}: ${seconds(a.delay)} (after close ${a.code})</title></rect>`
      if (w > 84) html += `<text class="bar-label" x="${x0 + 6}" y="${y + ROW / 2 + 4}">#${a.attempt} · ${seconds(a.delay)}</text>`
      else if (w > 18) html += `<text class="bar-label" x="${x0 + 4}" y="${y + ROW / 2 + 4}">${a.attempt}</text>`
    }
  })
  html += `<line class="now" x1="${nowX}" x2="${nowX}" y1="0" y2="${height - AXIS}"/>`
  svg.innerHTML = html
}

export function renderAttempts(list: HTMLElement, attempts: readonly Attempt[], names: Record<string, string>): void {
  const last = attempts.slice(-8).reverse()
  const longest = Math.max(1, ...last.map((a) => a.delay))
  list.innerHTML = last
    .map(
      (a) =>
        `<li data-testid="reconnect-row" data-origin="${esc(a.origin)}" data-id="${a.id}" data-attempt="${a.attempt}" data-delay="${Math.round(a.delay)}">` +
        `<span class="who">${esc(names[a.origin] ?? a.origin)} #${a.id}</span>` +
        `<span>attempt <b>${a.attempt}</b></span>` +
        `<span class="meter"><i style="width:${(100 * a.delay) / longest}%;background:${colour(a.attempt)}"></i></span>` +
        `<span class="delay">${seconds(a.delay)}</span><small>after ${a.code}</small></li>`,
    )
    .join('')
}

export function renderSpark(svg: SVGSVGElement, values: readonly number[]): void {
  const max = Math.max(1, ...values)
  const n = Math.max(2, values.length)
  const pts = values.map((v, i) => `${((i / (n - 1)) * 120).toFixed(1)},${(26 - (v / max) * 24).toFixed(1)}`)
  svg.innerHTML = values.length > 1 ? `<polyline points="${pts.join(' ')}" fill="none" stroke="currentColor" stroke-width="1.5"/>` : ''
}
