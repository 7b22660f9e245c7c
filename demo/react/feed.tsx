/**
 * The live feed: N components on one URL, one shared connection. Each ticker has its own view
 * (state, last message, count); the publisher sends a numbered tick every second on the same
 * connection, and the server's echo reaches every component through the shared lease.
 */
import { useEffect, useRef, useState } from 'react'
import { ReadyState, useWebSocket } from 'wspool/react'

/** One component's handle on the shared connection: its state, the last message it got, send. */
interface Feed {
  state: string
  last: string | null
  send: (message: string) => void
}

const STATES: Record<ReadyState, string> = {
  [ReadyState.UNINSTANTIATED]: 'idle',
  [ReadyState.CONNECTING]: 'connecting',
  [ReadyState.OPEN]: 'open',
  [ReadyState.CLOSING]: 'closing',
  [ReadyState.CLOSED]: 'closed',
}

/**
 * The drop-in hook with `share: true`: one connection for every component on `url`. As in
 * react-use-websocket, it reconnects only when `shouldReconnect` says so (here: always, after
 * `reconnectInterval`).
 */
function useFeed(url: string): Feed {
  const { readyState, lastMessage, sendMessage } = useWebSocket(url, { share: true, shouldReconnect: () => true, reconnectInterval: 500 })
  return { state: STATES[readyState], last: lastMessage === null ? null : String(lastMessage.data), send: sendMessage }
}

function Ticker({ n, url }: { n: number; url: string }) {
  const { state, last } = useFeed(url)
  const [count, setCount] = useState(0)
  useEffect(() => {
    if (last !== null) setCount((c) => c + 1)
  }, [last])
  return (
    <li className="ticker" data-testid="ticker">
      <b>component {n}</b>
      <span className={`pill ${state}`} data-testid="ticker-state">{state}</span>
      <code data-testid="ticker-last">{last ?? '—'}</code>
      <span className="muted" data-testid="ticker-count">{count} received</span>
    </li>
  )
}

/** Sends `tick N` every second while `live`, on its own shared lease of the same connection. */
function Publisher({ url, live }: { url: string; live: boolean }) {
  const { state, send } = useFeed(url)
  const seq = useRef(0)
  const sendRef = useRef(send)
  sendRef.current = send
  useEffect(() => {
    if (!live || state !== 'open') return
    const timer = setInterval(() => sendRef.current(`tick ${++seq.current}`), 1000)
    return () => clearInterval(timer)
  }, [live, state])
  return (
    <p className="muted" data-testid="publisher">
      publisher: <span className={`pill ${state}`}>{state}</span> {seq.current} ticks sent
    </p>
  )
}

export function LiveFeed({ url }: { url: string }) {
  const [count, setCount] = useState(3)
  const [live, setLive] = useState(true)
  return (
    <section className="panel" data-testid="feed">
      <h2>Live feed: {count} components, one connection</h2>
      <p className="muted">
        Each component calls <code>useWebSocket(url, {'{ share: true }'})</code>, react-use-websocket&apos;s hook with
        the import changed: they ride one shared lease, and every message on it reaches each of them. Add components: the server still sees one
        connection. Drop it: it reconnects once, for all of them.
      </p>
      <div className="row">
        <button type="button" data-testid="add-ticker" onClick={() => setCount((c) => Math.min(c + 1, 12))}>+ component</button>
        <button type="button" data-testid="remove-ticker" onClick={() => setCount((c) => Math.max(c - 1, 0))}>− component</button>
        <button type="button" className="toggle" aria-pressed={live} data-testid="live" onClick={() => setLive((v) => !v)}>
          {live ? 'Pause ticks' : 'Resume ticks'}
        </button>
      </div>
      <Publisher url={url} live={live} />
      <ul className="tickers">
        {Array.from({ length: count }, (_, i) => (
          <Ticker key={i} n={i + 1} url={url} />
        ))}
      </ul>
    </section>
  )
}
