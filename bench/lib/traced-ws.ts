// A `ws` subclass that timestamps every attempt (construct), open and close per socket URL, passed
// as each library's WebSocket constructor by the outage benchmarks (9 and 13).
import WebSocket from 'ws'
import { now } from './harness.js'

export interface Trace {
  constructs: number[]
  opens: number[]
  closes: number[]
}

const traces = new Map<string, Trace>()

/** The trace of one socket URL (created empty on first use). */
export function trace(url: string): Trace {
  let t = traces.get(url)
  if (!t) traces.set(url, (t = { constructs: [], opens: [], closes: [] }))
  return t
}

/** Forgets every trace (between trials). */
export function clearTraces(): void {
  traces.clear()
}

/** A copy of a trace as it stands (the baseline before an outage). */
export function snapshot(url: string): Trace {
  const t = trace(url)
  return { constructs: [...t.constructs], opens: [...t.opens], closes: [...t.closes] }
}

export class TracedWebSocket extends WebSocket {
  constructor(address: string | URL, ...rest: any[]) {
    super(address, ...(rest as []))
    const t = trace(String(address))
    t.constructs.push(now())
    this.once('open', () => t.opens.push(now()))
    this.once('close', () => t.closes.push(now()))
  }
}
