/**
 * Rendering of the cross-tab page: what the shared pool says of itself (transport, leader, tabs),
 * its stats, the test server's own socket counts, this tab's leases and an event log.
 */
import type { PoolStats, SharedPoolState } from 'wspool'
import { $, text } from '../dom.js'
import type { TabLeases } from './tab.js'

export interface ServerCounts {
  open: number
  peak: number
  accepted: number
}

const MAX_EVENTS = 40

export function renderHeader(state: SharedPoolState | null, tabId: string, stats: PoolStats, server: ServerCounts | null, cap: number): void {
  text('[data-testid=transport]', state === null ? 'plain pool' : state.transport === 'worker' ? 'SharedWorker' : 'leader tab')
  text('[data-testid=transport-note]', state === null ? 'no SharedWorker nor Web Locks here' : state.transport === 'worker' ? 'connections live in a SharedWorker' : 'elected with Web Locks')
  const role = state === null ? 'alone' : state.transport === 'worker' ? 'client' : state.leading ? 'leader' : 'follower'
  const roleEl = $('[data-testid=role]')
  text(roleEl, role)
  roleEl.classList.toggle('leader', role === 'leader')
  text('[data-testid=tab-id]', tabId)
  text('[data-testid=tabs]', String(state?.tabs ?? 1))
  const t = stats.totals
  text('[data-testid=pool-open]', String(t.open))
  text('[data-testid=pool-detail]', `${t.active} leased · ${t.pending} waiting`)
  text('[data-testid=server-open]', server ? String(server.open) : '–')
  text('[data-testid=server-detail]', `peak ${server ? server.peak : '–'} · cap ${cap}`)
  document.title = `wspool · cross-tab${role === 'leader' ? ' ★ leader' : ''}`
}

export function renderLeases(leases: TabLeases): void {
  let sent = 0
  let echoed = 0
  const rows = leases.all.map((t) => {
    sent += t.sent.length
    echoed += t.echoed.length
    const state = t.ended === 'released' ? 'released' : t.lease.state
    return `<tr data-testid="lease" data-label="${t.label}" data-state="${state}">` +
      `<td>${t.label}</td><td><span class="pill ${state}">${state}</span></td>` +
      `<td class="n">${t.sent.length}</td><td class="n">${t.echoed.length}</td>` +
      `<td class="seen">${t.states.join(' → ')}</td>` +
      `<td>${t.ended ? '' : `<button type="button" data-release="${t.label}">Release</button>`}</td></tr>`
  })
  const body = $('[data-testid=leases]')
  const html = rows.slice(-30).reverse().join('')
  if (body.innerHTML !== html) body.innerHTML = html
  text('[data-testid=sent-total]', String(sent))
  text('[data-testid=echo-total]', `${echoed} echoed`)
}

/** Adds a line to the event log (newest first). */
export function logEvent(kind: string, detail: string, error = false): void {
  const list = $('[data-testid=event-log]')
  const li = document.createElement('li')
  li.className = error ? 'error' : ''
  const b = document.createElement('b')
  b.textContent = kind
  li.append(b, ` ${detail}`)
  list.prepend(li)
  while (list.children.length > MAX_EVENTS) list.lastElementChild?.remove()
}
