/**
 * The requests panel: `pool.request` over the replica list. "Storm" fires a burst of concurrent
 * requests, "Trickle" a steady low rate. Replies/s, in flight, queued and the request-time
 * percentiles come from `pool.stats()`; settled and failed counts (by `PoolError` code) from the
 * page's own promises.
 */
import type { HostStats } from 'wspool'
import type { App } from './app.js'
import { $, describe, ms, num, readInt, text } from './dom.js'
import { esc, renderSpark } from './timeline.js'

/** What the page asks for: the server replies `{ id, data }` with this `data` after `delay` ms. */
interface Payload {
  n: number
  delay: number
}

const TRICKLE_EVERY_MS = 200
const RATE_WINDOW_MS = 1000

/** Replies per second from successive samples of a counter (over the last second). */
export class Rate {
  #samples: { t: number; v: number }[] = []
  readonly history: number[] = []

  sample(v: number, now: number): number {
    this.#samples.push({ t: now, v })
    while (this.#samples.length > 2 && now - this.#samples[1].t >= RATE_WINDOW_MS) this.#samples.shift()
    const first = this.#samples[0]
    const rate = now > first.t ? ((v - first.v) * 1000) / (now - first.t) : 0
    this.history.push(rate)
    if (this.history.length > 48) this.history.shift()
    return rate
  }
}

export interface StormState {
  size: number
  ok: number
  failed: number
}

export class Requests {
  /** Requests the page made, answered correctly, and failed (wrong replies included). */
  started = 0
  ok = 0
  failed = 0
  readonly byCode = new Map<string, number>()
  storm: StormState | undefined
  trickling = false
  #timer: ReturnType<typeof setInterval> | undefined
  #rate = new Rate()
  #n = 0
  #codes = ''

  constructor(
    private readonly app: App,
    readonly replicas: readonly string[],
  ) {
    $('[data-testid=storm]').addEventListener('click', () => this.fireStorm(readInt('[data-testid=storm-size]', 1, 5000, 500)))
    $('[data-testid=trickle]').addEventListener('click', () => this.setTrickle(!this.trickling))
  }

  /** One request to the replica list; the reply must carry our own payload back. */
  send(delay: number, storm?: StormState): void {
    const payload: Payload = { n: ++this.#n, delay }
    this.started++
    const fail = (code: string): void => {
      this.failed++
      if (storm) storm.failed++
      this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1)
      this.app.schedule()
    }
    this.app.pool.request<Payload>(this.replicas, payload, { idempotent: true }).then(
      (reply) => {
        if (reply?.n !== payload.n) return fail('WRONG_REPLY')
        this.ok++
        if (storm) storm.ok++
        this.app.schedule()
      },
      (err: unknown) => fail(describe(err).code),
    )
  }

  /** `size` concurrent requests; the server holds each for 50-800 ms, so the drain is visible. */
  fireStorm(size: number): void {
    const storm: StormState = { size, ok: 0, failed: 0 }
    this.storm = storm
    for (let i = 0; i < size; i++) this.send(50 + Math.floor(Math.random() * 750), storm)
    this.app.schedule()
  }

  setTrickle(on: boolean): void {
    this.trickling = on
    clearInterval(this.#timer)
    this.#timer = on ? setInterval(() => this.send(20 + Math.floor(Math.random() * 100)), TRICKLE_EVERY_MS) : undefined
    this.app.schedule()
  }

  /** Called on the stats tick (a few times per second): replies per second. */
  sample(totals: HostStats, now: number): void {
    const rate = this.#rate.sample(totals.requests, now)
    text('[data-testid=req-rate]', num(rate))
    renderSpark($('[data-spark=requests]'), this.#rate.history)
  }

  render(totals: HostStats): void {
    text('[data-testid=req-inflight]', String(totals.inFlight))
    text('[data-testid=req-pending]', `${totals.pending} queued`)
    text('[data-testid=req-p50]', ms(totals.requestTime.p50))
    text('[data-testid=req-p99]', ms(totals.requestTime.p99))
    text('[data-testid=req-count]', `ms · ${totals.requestTime.count} replies`)
    text('[data-testid=req-settled]', String(this.ok))
    text('[data-testid=req-failed]', String(this.failed))
    text('[data-testid=req-outstanding]', `${this.started - this.ok - this.failed} outstanding`)
    $('[data-testid=req-failed]').classList.toggle('bad', this.failed > 0)
    const trickle = $('[data-testid=trickle]')
    trickle.setAttribute('aria-pressed', String(this.trickling))
    const s = this.storm
    const bar = $<HTMLElement>('[data-testid=storm-bar]')
    if (s) {
      const pct = (v: number): string => `${((100 * v) / s.size).toFixed(2)}%`
      ;(bar.children[0] as HTMLElement).style.width = pct(s.ok)
      ;(bar.children[1] as HTMLElement).style.width = pct(s.failed)
      const left = s.size - s.ok - s.failed
      text('[data-testid=storm-status]', left > 0 ? `storm: ${s.ok + s.failed} of ${s.size} settled…` : `storm: ${s.ok} of ${s.size} answered${s.failed ? `, ${s.failed} failed` : ''}`)
    }
    const codes = [...this.byCode].sort((a, b) => b[1] - a[1])
    const html = codes.length === 0
      ? '<li class="none">No request failed.</li>'
      : codes.map(([code, n]) => `<li data-testid="error-code" data-code="${esc(code)}" data-count="${n}"><code>${esc(code)}</code> × ${n}</li>`).join('')
    if (html !== this.#codes) $('[data-testid=error-codes]').innerHTML = this.#codes = html
  }
}
