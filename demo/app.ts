/**
 * What every part of the page shares: the pool, the event model, origin names, the failure log,
 * the test servers' HTTP control, and one render pass per animation frame.
 */
import { describe } from './dom.js'
import { Model } from './model.js'
import type { Pool } from './pool.js'

export class App {
  /** Origin -> the test server's name ("api", "feed"). */
  readonly names: Record<string, string> = {}
  readonly model: Model
  /** Every failure the page caught (acquires, sends, controls, requests), as text. */
  readonly errors: string[] = []
  #renderers: (() => void)[] = []
  #scheduled = false

  constructor(readonly pool: Pool) {
    this.model = new Model(this.names)
    this.model.attach(pool, this.schedule)
  }

  /** Adds a step to the render pass (steps run in the order added). */
  onRender(fn: () => void): void {
    this.#renderers.push(fn)
  }

  /** Renders at most once per frame. */
  readonly schedule = (): void => {
    if (this.#scheduled) return
    this.#scheduled = true
    requestAnimationFrame(() => {
      this.#scheduled = false
      for (const fn of this.#renderers) fn()
    })
  }

  /** Records a failure in the page's list and the event log. */
  note(origin: string, err: unknown): void {
    const { text } = describe(err)
    this.errors.push(text)
    this.model.log.unshift({ at: performance.now(), type: 'failure', origin: this.names[origin] ?? origin, text })
    this.schedule()
  }

  /** POSTs a test-server control; resolves whether the server confirmed it. */
  async control(httpUrl: string, path: string, origin: string): Promise<boolean> {
    try {
      const res = await fetch(httpUrl + path, { method: 'POST' })
      if (res.ok) return true
      this.note(origin, new Error(`server control ${path}: HTTP ${res.status}`))
    } catch (err) {
      this.note(origin, err)
    }
    return false
  }
}
