/**
 * The pool-wide panels: totals (acquire-wait percentiles, counters), message and byte rates
 * with sparklines, the reconnect timeline, close outcomes and the event log.
 */
import { $, ms, num, text } from './dom.js'
import type { Model } from './model.js'
import { esc, renderAttempts, renderSpark, renderTimeline } from './timeline.js'

/** The stats fields the panels read (`pool.stats().totals`, per the SPEC). */
export interface Totals {
  pending: number
  reconnects: number
  dropped: number
  errors: number
  timeouts: number
  messagesIn: number
  messagesOut: number
  bytesIn: number
  bytesOut: number
  acquireWait: { count: number; p50: number | null; p95: number | null; p99: number | null }
}

export function renderTotals(t: Totals, held: number): void {
  text('[data-testid=wait-p50]', ms(t.acquireWait.p50))
  text('[data-testid=wait-p95]', ms(t.acquireWait.p95))
  text('[data-testid=wait-p99]', ms(t.acquireWait.p99))
  text('[data-testid=wait-count]', `ms · ${t.acquireWait.count} acquires`)
  text('[data-testid=held]', String(held))
  text('[data-testid=pending-total]', `${t.pending} waiting`)
  text('[data-testid=reconnects]', String(t.reconnects))
  text('[data-testid=dropped]', String(t.dropped))
  text('[data-testid=errors]', String(t.errors))
  text('[data-testid=timeouts]', `${t.timeouts} timeouts`)
}

export function renderPanels(model: Model, names: Record<string, string>, now: number): void {
  renderTimeline($('[data-testid=timeline]'), model.attempts, names, now)
  renderAttempts($('[data-testid=reconnect-log]'), model.attempts, names)
  $('[data-testid=close-results]').innerHTML =
    model.closes.length === 0
      ? '<li class="none">No lease closed by the server yet.</li>'
      : model.closes
          .slice(0, 6)
          .map(
            (c) =>
              `<li data-testid="close-result" data-code="${c.code}" data-retried="${c.retried}">` +
              `<span class="code ${c.retried ? 'retry' : 'final'}">${c.code}</span>` +
              `<span>#${c.id} closed ${c.code}${c.reason ? ` “${esc(c.reason)}”` : ''}, ` +
              `<b>${c.retried ? (c.reopened ? 'retried, reopened' : 'retrying…') : 'not retried'}</b></span></li>`,
          )
          .join('')
  $('[data-testid=event-log]').innerHTML = model.log
    .slice(0, 12)
    .map(
      (l) =>
        `<li class="ev ${l.type}"><time>${(l.at / 1000).toFixed(1)} s</time><span class="tag">${l.type}</span>` +
        `<span class="o">${esc(l.origin)}</span><span class="msg">${esc(l.text)}</span></li>`,
    )
    .join('')
}

/** Messages and bytes per second (in + out) from successive stats samples, with sparklines. */
export class RateMeter {
  readonly msgs: number[] = []
  readonly bytes: number[] = []
  // The pool is created with the page: its counters start at 0 now.
  #last = { t: performance.now(), msgs: 0, bytes: 0 }

  sample(t: Totals, now: number): void {
    const msgs = t.messagesIn + t.messagesOut
    const bytes = t.bytesIn + t.bytesOut
    const last = this.#last
    this.#last = { t: now, msgs, bytes }
    const dt = (now - last.t) / 1000
    this.msgs.push((msgs - last.msgs) / dt)
    this.bytes.push((bytes - last.bytes) / dt)
    if (this.msgs.length > 40) (this.msgs.shift(), this.bytes.shift())
    text('[data-testid=msgs-rate]', num(this.msgs.at(-1) ?? 0))
    text('[data-testid=bytes-rate]', num(this.bytes.at(-1) ?? 0))
    text('[data-testid=msgs-peak]', `peak ${num(Math.max(...this.msgs))}`)
    text('[data-testid=bytes-peak]', `peak ${num(Math.max(...this.bytes))}`)
    renderSpark($('[data-spark=msgs]'), this.msgs)
    renderSpark($('[data-spark=bytes]'), this.bytes)
  }
}
