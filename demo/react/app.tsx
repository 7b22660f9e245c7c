/** The React page's layout: the live feed on one origin, an exclusive lease on the other, the stats, and the servers' controls. */
import { LiveFeed } from './feed.js'
import { LeaseCard, StatsPanel } from './panels.js'
import { control, useServerCounts, type ServerInfo } from './server.js'

export function App({ servers }: { servers: ServerInfo[] }) {
  const [api, feed] = servers
  const counts = useServerCounts(servers)
  return (
    <>
      <header className="top">
        <div className="brand">
          <h1>wspool <span>React demo</span></h1>
          <p>
            The hooks of <code>wspool/react</code> under StrictMode: many components on one shared connection, an
            exclusive lease, live stats. <a href="./index.html">The pool demo</a>
          </p>
        </div>
        <div className="global">
          <button type="button" className="danger" data-testid="drop-all" onClick={() => void Promise.all(servers.map((s) => control(s, 'drop')))}>
            Drop every connection
          </button>
        </div>
      </header>
      <div className="react-grid">
        <LiveFeed url={`${feed.url}/react-feed`} />
        <div className="stack">
          <LeaseCard url={`${api.url}/react-lease`} />
          <StatsPanel servers={servers} counts={counts} />
        </div>
      </div>
    </>
  )
}
