// Shapes shared by the runner and the benchmark workers, plus the slice of the wspool public
// API (as named in SPEC.md) that the benchmarks use. The benchmarks load the BUILT package
// (`dist/index.js`) at run time, so they typecheck whether or not `dist/` exists yet.

/** One measured quantity, one value per trial per contender (trials aligned by index). */
export interface Metric {
  bench: number
  name: string
  unit: string
  better: 'higher' | 'lower'
  /** contender the paired ratios are computed against (same trial) */
  baseline?: string
  /** 'ratio': contender/baseline per trial; 'delta': contender - baseline per trial */
  compare?: 'ratio' | 'delta'
  decimals?: number
  values: Record<string, number[]>
}

export interface Goal {
  bench: number
  goal: string
  measured: string
  /** null: could not be evaluated (contender unavailable, failed run) */
  met: boolean | null
}

export interface BenchResult {
  bench: number
  title: string
  metrics: Metric[]
  goals: Goal[]
  notes: string[]
}

export interface BenchContext {
  quick: boolean
  root: string
  trials: number
}

// ---- wspool public API, as written in SPEC.md (only what the benchmarks touch) ----
export type WsData = string | ArrayBuffer | ArrayBufferView | Blob

export interface WsLease {
  readonly id: string | number
  readonly url: string
  readonly origin: string
  readonly state: string
  readonly protocol: string
  readonly bufferedAmount: number
  send(data: WsData): void
  on(event: string, fn: (...args: any[]) => void): unknown
  off(event: string, fn: (...args: any[]) => void): unknown
  once(event: string, fn: (...args: any[]) => void): unknown
  release(): void
  destroy(code?: number, reason?: string): void
}

export interface WsAcquireOptions {
  signal?: AbortSignal
  timeout?: number
  priority?: number
  shared?: boolean
}

export interface WsPool {
  acquire(url: string | string[], opts?: WsAcquireOptions): Promise<WsLease>
  send(url: string, data: WsData): Promise<void>
  request(url: string, payload: unknown, opts?: { timeout?: number; signal?: AbortSignal }): Promise<unknown>
  on(event: string, fn: (e: any) => void): () => void
  stats(): { totals: Record<string, unknown>; hosts: Record<string, Record<string, unknown>> }
  close(): Promise<void>
  drain(): Promise<void>
}

export interface WsPoolModule {
  createPool(options?: Record<string, unknown>): WsPool
  PoolError: new (...args: any[]) => Error & { code: string }
}
