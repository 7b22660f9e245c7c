/**
 * One card per origin: the cap as slots, connections as coloured tiles, the queue as dashed
 * chips, what the server itself counts, and the per-origin and server controls.
 */
import { esc } from './timeline.js'
import { tileState, type Tile } from './model.js'

export interface ServerInfo {
  name: string
  url: string
  httpUrl: string
}

/** Figures the card shows; `host` is the pool's per-origin stats entry (absent before first use). */
export interface CardData {
  tiles: Tile[]
  max: number | null
  live: number
  pending: number
  held: number
  circuit?: string
  server?: { open: number; peak: number } | 'down'
  halfOpen: boolean
  refuse: boolean
  outageLeft: number
}

export interface CardActions {
  acquire(): void
  releaseAll(): void
  burst(): void
  releaseTile(id: number): void
  drop(): void
  outage(): void
  toggleHalfOpen(): void
  toggleRefuse(): void
}

const LABEL: Record<string, string> = { connecting: 'connecting', idle: 'idle', leased: 'leased', reconnecting: 'retry' }

export class Card {
  readonly el: HTMLElement
  #tiles: HTMLElement
  #fig: Record<string, HTMLElement> = {}
  #buttons: Record<string, HTMLButtonElement> = {}
  #last = ''

  constructor(
    readonly server: ServerInfo,
    readonly origin: string,
    actions: CardActions,
  ) {
    const n = server.name
    this.el = document.createElement('article')
    this.el.className = 'card'
    this.el.dataset.testid = `card-${n}`
    this.el.dataset.origin = origin
    this.el.innerHTML = `
      <header>
        <div><h2>${esc(n)}</h2><code>${esc(origin)}</code></div>
        <span class="pill" data-fig="circuit" data-testid="circuit-${n}">circuit closed</span>
      </header>
      <div class="figures">
        <div><b data-fig="live" data-testid="live-${n}">0</b><span>live of <b data-fig="max" data-testid="max-${n}">–</b> max</span></div>
        <div><b data-fig="pending" data-testid="queue-${n}">0</b><span>waiting</span></div>
        <div><b data-fig="held" data-testid="held-${n}">0</b><span>leases held</span></div>
        <div class="server-fig"><b data-fig="server" data-testid="server-open-${n}">–</b><span data-fig="server-peak">server sees</span></div>
      </div>
      <div class="tiles" data-testid="tiles-${n}"></div>
      <div class="actions">
        <button type="button" data-act="acquire" data-testid="acquire-${n}">Acquire</button>
        <button type="button" data-act="releaseAll" data-testid="release-${n}">Release all</button>
        <button type="button" data-act="burst" data-testid="burst-${n}">Send burst</button>
      </div>
      <div class="server-actions">
        <span>server</span>
        <button type="button" class="danger" data-act="drop" data-testid="drop-${n}">Drop all</button>
        <button type="button" class="danger" data-act="outage" data-testid="outage-${n}">Outage 5 s</button>
        <button type="button" class="toggle" data-act="toggleHalfOpen" data-testid="half-open-${n}" aria-pressed="false">Half-open</button>
        <button type="button" class="toggle" data-act="toggleRefuse" data-testid="refuse-${n}" aria-pressed="false">Refuse</button>
      </div>`
    this.#tiles = this.el.querySelector('.tiles') as HTMLElement
    for (const f of this.el.querySelectorAll<HTMLElement>('[data-fig]')) this.#fig[f.dataset.fig as string] = f
    for (const b of this.el.querySelectorAll<HTMLButtonElement>('button[data-act]')) {
      const act = b.dataset.act as keyof CardActions
      this.#buttons[act] = b
      if (act !== 'releaseTile') b.addEventListener('click', () => (actions[act] as () => void)())
    }
    this.#tiles.addEventListener('click', (e) => {
      const tile = (e.target as HTMLElement).closest<HTMLElement>('[data-state="leased"]')
      if (tile) actions.releaseTile(Number(tile.dataset.id))
    })
  }

  update(d: CardData): void {
    const set = (k: string, v: string): void => {
      if (this.#fig[k].textContent !== v) this.#fig[k].textContent = v
    }
    set('live', String(d.live))
    set('max', d.max === null ? '∞' : String(d.max))
    set('pending', String(d.pending))
    set('held', String(d.held))
    const circuit = d.circuit ?? 'closed'
    set('circuit', `circuit ${circuit}`)
    this.#fig.circuit.className = `pill ${circuit === 'closed' ? '' : 'warn'}`
    if (d.server === 'down') {
      set('server', 'down')
      set('server-peak', 'server unreachable')
    } else if (d.server) {
      set('server', String(d.server.open))
      set('server-peak', `server sees (peak ${d.server.peak})`)
      this.#fig.server.classList.toggle('over', d.max !== null && d.server.open > d.max)
    }
    this.#fig.server.dataset.open = d.server && d.server !== 'down' ? String(d.server.open) : ''
    this.#fig.server.dataset.peak = d.server && d.server !== 'down' ? String(d.server.peak) : ''
    this.#fig.pending.classList.toggle('busy', d.pending > 0)

    const outage = this.#buttons.outage
    outage.disabled = d.outageLeft > 0
    outage.textContent = d.outageLeft > 0 ? `Down ${(d.outageLeft / 1000).toFixed(1)} s` : 'Outage 5 s'
    this.#buttons.toggleHalfOpen.setAttribute('aria-pressed', String(d.halfOpen))
    this.#buttons.toggleRefuse.setAttribute('aria-pressed', String(d.refuse))
    this.el.classList.toggle('degraded', d.outageLeft > 0 || d.halfOpen || d.refuse)

    const connectingFree = d.tiles.filter((t) => t.socket === 'connecting' && !t.leased).length
    const queued = Math.max(0, d.pending - connectingFree)
    const free = d.max === null ? 0 : Math.max(0, d.max - d.tiles.length)
    const key = JSON.stringify([d.tiles.map((t) => [t.id, tileState(t), t.attempt]), free, queued])
    if (key === this.#last) return
    this.#last = key
    let html = ''
    for (const t of d.tiles) {
      const s = tileState(t)
      const label = s === 'reconnecting' && t.attempt > 0 ? `retry ${t.attempt}` : LABEL[s]
      const title = s === 'leased' ? 'leased: click to release' : s
      html += `<button type="button" class="tile ${s}" data-testid="tile" data-state="${s}" data-id="${t.id}" title="${title}"><b>#${t.id}</b><small>${label}</small></button>`
    }
    for (let i = 0; i < free; i++) html += `<span class="tile free" data-testid="free-slot"><small>free</small></span>`
    if (queued > 0) html += `<span class="queue-sep" aria-hidden="true"></span>`
    for (let i = 0; i < Math.min(queued, 12); i++) html += `<span class="tile queued" data-testid="queued-tile"><small>waiting</small></span>`
    if (queued > 12) html += `<span class="more">+${queued - 12}</span>`
    this.#tiles.innerHTML = html
  }
}
