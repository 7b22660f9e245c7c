/**
 * Latency summaries: the latest samples in a ring, with count and max over all time; percentiles
 * are computed (a sort of the window) only when a summary is read after a new sample.
 */

/** Latency summary in ms; percentiles are `null` while `count` is 0. */
export interface LatencySummary {
  /** Samples recorded since the pool was created. */
  count: number
  /** Median of the most recent samples (up to 1024). */
  p50: number | null
  /** 95th percentile of the most recent samples (up to 1024). */
  p95: number | null
  /** 99th percentile of the most recent samples (up to 1024). */
  p99: number | null
  /** Largest sample since the pool was created. */
  max: number | null
}

const WINDOW = 1024

/** Keeps the latest {@link WINDOW} samples, plus count and max over all time. */
export class LatencyWindow {
  /** A ring: sample number n (0-based) sits in slot n % WINDOW, so the oldest is overwritten first. */
  #samples: number[] = []
  #count = 0
  #max = 0
  #summary?: LatencySummary | null

  record(ms: number): void {
    this.#samples[this.#count++ % WINDOW] = ms
    if (ms > this.#max) this.#max = ms
    this.#summary = null
  }

  /** The summary; computed (a sort of the window) only after a new sample. Nearest-rank percentiles. */
  summary(): LatencySummary {
    if (!this.#summary) {
      const sorted = [...this.#samples].sort((a, b) => a - b)
      const n = sorted.length
      const at = (p: number) => (n ? round(sorted[Math.ceil(p * n) - 1]) : null)
      this.#summary = { count: this.#count, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: n ? round(this.#max) : null }
    }
    return this.#summary
  }
}

/** Microsecond precision is plenty, and keeps snapshots short. */
const round = (ms: number) => Math.round(ms * 1000) / 1000

