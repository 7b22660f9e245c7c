/**
 * The replicas panel: the two origins as one replica list. Leases acquired from the list
 * (exclusive or shared) and the requests panel's requests go to the origin with the most free
 * capacity. "Stop" makes an origin unreachable (the server refuses new connections and drops
 * the open ones): its circuit opens and its leases move to the other origin (`lease.origin`
 * changes, the pool's `open` event names the new one); "Start" lets it accept again.
 */
import type { HostStats } from 'wspool'
import type { App } from './app.js'
import { $, ms, num, text } from './dom.js'
import type { OriginState, Origins } from './origins.js'
import type { Lease } from './pool.js'
import { Rate } from './requests.js'
import { esc } from './timeline.js'

export interface ReplicaLease {
  lease: Lease
  shared: boolean
}

interface Row {
  o: OriginState
  el: HTMLElement
  fig: Record<string, HTMLElement>
  stop: HTMLButtonElement
  rate: Rate
  /** A Stop or Start is under way. */
  busy: boolean
  chips: string
}

export class ReplicaPanel {
  readonly leases = new Set<ReplicaLease>()
  #rows: Row[] = []

  constructor(
    private readonly app: App,
    private readonly origins: Origins,
    readonly urls: readonly string[],
  ) {
    const parent = $('[data-testid=replica-origins]')
    for (const o of origins.all) {
      const n = o.server.name
      const el = document.createElement('div')
      el.className = 'replica'
      el.dataset.testid = `replica-${n}`
      el.innerHTML = `
        <header><h3>${esc(n)}</h3><code>${esc(o.server.url)}/rpc</code>
          <span class="pill" data-fig="circuit" data-testid="rep-circuit-${n}">circuit closed</span></header>
        <div class="rep-figures">
          <div><b data-fig="leases" data-testid="rep-leases-${n}">0</b><span>list leases</span></div>
          <div><b data-fig="inflight" data-testid="rep-inflight-${n}">0</b><span>in flight</span></div>
          <div><b data-fig="rate" data-testid="rep-rate-${n}">0</b><span>replies / s</span></div>
          <div><b data-fig="replies" data-testid="rep-replies-${n}">0</b><span>replies</span></div>
          <div><b data-fig="server" data-testid="rep-server-${n}">–</b><span>server got</span></div>
        </div>
        <small class="rep-time" data-fig="p">request time: –</small>
        <div class="chips" data-fig="chips" data-testid="rep-chips-${n}"></div>
        <button type="button" class="danger" data-testid="stop-${n}" aria-pressed="false">Stop</button>`
      const fig: Record<string, HTMLElement> = {}
      for (const f of el.querySelectorAll<HTMLElement>('[data-fig]')) fig[f.dataset.fig as string] = f
      const row: Row = { o, el, fig, stop: el.querySelector('button') as HTMLButtonElement, rate: new Rate(), busy: false, chips: '' }
      row.stop.addEventListener('click', () => void this.toggle(row))
      parent.append(el)
      this.#rows.push(row)
    }
    $('[data-testid=rep-acquire-exclusive]').addEventListener('click', () => this.acquire(false))
    $('[data-testid=rep-acquire-shared]').addEventListener('click', () => this.acquire(true))
    $('[data-testid=rep-release]').addEventListener('click', () => this.releaseAll())
  }

  acquire(shared: boolean): void {
    this.app.pool.acquire(this.urls, { shared }).then(
      (lease) => {
        this.leases.add({ lease, shared })
        // A lease that moves to the other replica reopens there: render at once.
        lease.on('open', this.app.schedule)
        lease.on('reconnecting', this.app.schedule)
        this.app.schedule()
      },
      (err: unknown) => this.app.note('', err),
    )
  }

  releaseAll(): void {
    for (const r of this.leases) r.lease.release()
    this.leases.clear()
    this.app.schedule()
  }

  /** Stop: refuse new connections, then drop the open ones. Start: accept again. */
  async toggle(row: Row): Promise<void> {
    if (row.busy) return
    row.busy = true
    const { o } = row
    try {
      if (!o.refuse) {
        if (await this.origins.setRefuse(o, true)) await this.origins.control(o, '/_/drop')
      } else await this.origins.setRefuse(o, false)
    } catch (err) {
      this.app.note(o.origin, err)
    } finally {
      row.busy = false
      this.app.schedule()
    }
  }

  /** Where each lease is now, as the page shows it. */
  where(): { id: number; shared: boolean; origin: string; state: string }[] {
    return [...this.leases].map(({ lease, shared }) => ({ id: lease.id, shared, origin: this.app.names[lease.origin] ?? lease.origin, state: lease.state }))
  }

  /** Called on the stats tick: replies per second per origin. */
  sample(hosts: Record<string, HostStats>, now: number): void {
    for (const row of this.#rows) text(row.fig.rate, num(row.rate.sample(hosts[row.o.origin]?.requests ?? 0, now)))
  }

  render(hosts: Record<string, HostStats>): void {
    for (const r of [...this.leases]) if (r.lease.state === 'closed') (r.lease.release(), this.leases.delete(r))
    for (const row of this.#rows) {
      const { o, fig } = row
      const h = hosts[o.origin]
      const mine = [...this.leases].filter((r) => r.lease.origin === o.origin)
      const shared = mine.filter((r) => r.shared).length
      text(fig.leases, String(mine.length))
      fig.leases.dataset.exclusive = String(mine.length - shared)
      fig.leases.dataset.shared = String(shared)
      text(fig.inflight, String(h?.inFlight ?? 0))
      text(fig.replies, String(h?.requests ?? 0))
      text(fig.p, `request time: p50 ${ms(h?.requestTime.p50)} · p99 ${ms(h?.requestTime.p99)} ms`)
      const got = o.counts && o.counts !== 'down' ? o.counts.rpc.received : undefined
      text(fig.server, got === undefined ? 'down' : String(got))
      fig.server.dataset.received = got === undefined ? '' : String(got)
      const circuit = h?.circuit ?? 'closed'
      text(fig.circuit, `circuit ${circuit}`)
      fig.circuit.className = `pill ${circuit === 'closed' ? '' : 'warn'}`
      row.stop.setAttribute('aria-pressed', String(o.refuse))
      text(row.stop, o.refuse ? 'Start' : 'Stop')
      row.stop.className = o.refuse ? 'go' : 'danger'
      row.el.classList.toggle('stopped', o.refuse)
      const chips = mine
        .sort((a, b) => a.lease.id - b.lease.id)
        .map(({ lease, shared: s }) => `<span class="chip ${s ? 'shared' : 'exclusive'} ${lease.state}" data-testid="replica-lease" data-id="${lease.id}" title="${lease.state}">#${lease.id} ${s ? 'shared' : 'excl.'}</span>`)
        .join('')
      const html = chips || '<span class="none">no lease</span>'
      if (row.chips !== html) fig.chips.innerHTML = row.chips = html
    }
  }
}
