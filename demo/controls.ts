/**
 * The page-wide controls: the maxPerHost stepper (pool.resize), "Release everything", and the
 * close-code leases.
 */
import type { App } from './app.js'
import { $ } from './dom.js'
import type { Origins } from './origins.js'
import { MAX_PER_HOST } from './pool.js'

export class Controls {
  maxPerHost = MAX_PER_HOST

  constructor(
    private readonly app: App,
    private readonly origins: Origins,
  ) {
    $('[data-testid=max-dec]').addEventListener('click', () => this.resize(-1))
    $('[data-testid=max-inc]').addEventListener('click', () => this.resize(+1))
    $('[data-testid=release-everything]').addEventListener('click', () => {
      for (const o of origins.all) origins.releaseAll(o)
    })
    $('[data-testid=close-1008]').addEventListener('click', () => void this.closeWith(1008, 'policy'))
    $('[data-testid=close-4001]').addEventListener('click', () => void this.closeWith(4001, 'app'))
  }

  /** pool.resize applies at once (growing serves the queue, shrinking closes idle connections). */
  resize(delta: number): void {
    const next = Math.min(12, Math.max(1, this.maxPerHost + delta))
    try {
      this.app.pool.resize({ maxPerHost: next })
      this.maxPerHost = next
      $('[data-testid=max-value]').textContent = String(next)
    } catch (err) {
      this.app.note('', err)
    }
    this.app.schedule()
  }

  /**
   * Close codes: one message, then the server closes with the code. The outcome comes from the
   * pool's `close` event (`willReconnect`); a retried lease is released once it is open again.
   */
  async closeWith(code: number, reason: string): Promise<void> {
    const o = this.origins.all[0]
    try {
      const lease = await this.app.pool.acquire(`${o.server.url}/close?code=${code}&reason=${reason}&after=1`)
      this.app.model.watched.set(lease.id, `close ${code}`)
      lease.on('open', () => setTimeout(() => lease.release(), 1500))
      lease.on('close', () => setTimeout(() => lease.state === 'closed' && lease.release(), 0))
      lease.send(`hello, please close with ${code}`)
    } catch (err) {
      this.app.note(o.origin, err)
    }
  }
}
