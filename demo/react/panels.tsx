/** The exclusive lease card (`useLease`) and the stats panel (`usePoolStats` beside the servers' own counts). */
import { useEffect, useState } from 'react'
import type { HostStats } from 'wspool'
import { useLease, usePoolStats } from 'wspool/react'
import type { ServerCounts, ServerInfo } from './server.js'

/** An exclusive lease while the card is on: nobody else rides its connection. */
export function LeaseCard({ url }: { url: string }) {
  const [on, setOn] = useState(true)
  const { lease, state, error } = useLease(on ? url : null)
  const [reply, setReply] = useState<string | null>(null)
  useEffect(() => lease?.on('message', (data) => setReply(String(data))), [lease])
  return (
    <section className="panel" data-testid="lease-card">
      <h2>Exclusive lease</h2>
      <p className="muted">
        <code>useLease(url)</code>: held while mounted (and <code>url</code> is not <code>null</code>), released on
        unmount; one connection under StrictMode's double mount.
      </p>
      <p>
        <span className={`pill ${state}`} data-testid="lease-state">{state}</span>
        {lease && <span className="muted"> connection #{lease.id} · {lease.origin}</span>}
      </p>
      <div className="row">
        <button type="button" className="toggle" aria-pressed={!on} data-testid="lease-toggle" onClick={() => setOn((v) => !v)}>
          {on ? 'Release (url: null)' : 'Acquire again'}
        </button>
        <button type="button" disabled={!lease} data-testid="lease-send" onClick={() => lease?.send(`hello at ${new Date().toLocaleTimeString()}`)}>
          Send
        </button>
      </div>
      <p>reply: <code data-testid="lease-reply">{reply ?? '—'}</code></p>
      {error && <p className="error" data-testid="lease-error">{error.message}</p>}
    </section>
  )
}

const ROWS: [keyof HostStats, string][] = [
  ['created', 'created'],
  ['connections', 'connections'],
  ['open', 'open'],
  ['shared', 'shared'],
  ['active', 'active'],
  ['idle', 'idle'],
  ['reconnects', 'reconnects'],
  ['messagesIn', 'messages in'],
  ['messagesOut', 'messages out'],
]

/** `usePoolStats` per origin (re-renders only when a sampled snapshot changed), and what each server itself counts. */
export function StatsPanel({ servers, counts }: { servers: readonly ServerInfo[]; counts: (ServerCounts | null)[] }) {
  const stats = usePoolStats({ interval: 250 })
  return (
    <section className="panel" data-testid="stats">
      <h2>Pool stats</h2>
      <p className="muted">
        <code>usePoolStats()</code>: one snapshot every 250 ms at most, the same object while nothing changed.
      </p>
      <table>
        <thead>
          <tr>
            <th />
            {servers.map((s) => <th key={s.name}>{s.name}</th>)}
          </tr>
        </thead>
        <tbody>
          {ROWS.map(([field, label]) => (
            <tr key={field}>
              <td>{label}</td>
              {servers.map((s) => <td key={s.name} data-testid={`stat-${s.name}-${field}`}>{String(stats.hosts[s.url]?.[field] ?? 0)}</td>)}
            </tr>
          ))}
          <tr className="server">
            <td>server sees</td>
            {servers.map((s, i) => <td key={s.name} data-testid={`server-${s.name}-open`}>{counts[i]?.open ?? '?'}</td>)}
          </tr>
        </tbody>
      </table>
    </section>
  )
}
