/** The numeric part of a reconnect policy, as {@link retryDelay} needs it. */
export interface BackoffPolicy {
  /** The least delay of any retry, and the delay of the first, ms. */
  readonly initialDelay: number
  /** Once the trouble has lasted long enough, each delay is `(factor - 1)` x the time since it began (>= 1). */
  readonly factor: number
  /** Upper bound of the un-jittered delay, ms. */
  readonly maxDelay: number
  /** Share of the delay that is random: 0 none, 1 "full jitter" (uniform in `[0, d]`). */
  readonly jitter: number
}

/** Close information handed to `shouldReconnect`. */
export interface CloseInfo {
  /** Close code (1006 when the connection failed without a close frame). */
  readonly code: number
  /** Close reason, possibly empty. */
  readonly reason: string
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean
  /** The retry about to be made (1 for the first retry). */
  readonly attempt: number
}

/**
 * Delay before the next retry, from `elapsed`: ms since the trouble began (the drop, or the first
 * failed attempt, counted since the last stable open). The un-jittered delay is
 * `d = min(maxDelay, max(initialDelay, (factor - 1) * elapsed))`, scaled by
 * `1 - jitter * random()` (`random` returns a number in [0, 1)).
 *
 * Keyed to time rather than to the attempt count, retries come at a steady pace of about one per
 * `initialDelay` early in an outage, then thin out in proportion to its length (a retry every
 * `(factor - 1) x elapsed`, so the delay grows by `factor` per retry), and jitter never compounds:
 * a client whose early retries came quickly is not pushed back by them, and one that waited
 * through a long connect timeout is not retried as if the outage had just begun.
 */
export function retryDelay(elapsed: number, policy: BackoffPolicy, random: () => number): number {
  const d = Math.min(policy.maxDelay, Math.max(policy.initialDelay, (policy.factor - 1) * Math.max(0, elapsed)))
  return d * (1 - policy.jitter * random())
}

/** Close codes after which retrying cannot help: the server rejected us. */
const TERMINAL_CODES: readonly number[] = [1002, 1003, 1007, 1008, 1009, 1010]

/**
 * The default `reconnect.shouldReconnect`: retry after any close except the codes that mean the
 * server rejected us (1002, 1003, 1007, 1008, 1009, 1010).
 */
export function defaultShouldReconnect(info: CloseInfo): boolean {
  return !TERMINAL_CODES.includes(info.code)
}
