/**
 * The React page of the demo (`react.html`): the hooks of `wspool/react` in a small live
 * dashboard, under StrictMode, with one pool given to every component by `PoolProvider`.
 */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createPool } from 'wspool'
import { PoolProvider } from 'wspool/react'
import { App } from './app.js'

const pool = createPool({
  maxPerHost: 4,
  // Tuned to be watched: a dropped connection is back within a second.
  reconnect: { initialDelay: 250, factor: 2, maxDelay: 4000, jitter: 0.5 },
})

// For the e2e suite: the servers the page talks to.
;(window as unknown as { __reactDemo: unknown }).__reactDemo = { servers: __DEMO_SERVERS__ }

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <PoolProvider pool={pool}>
      <App servers={__DEMO_SERVERS__} />
    </PoolProvider>
  </StrictMode>,
)
