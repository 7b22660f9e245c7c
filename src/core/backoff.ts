/** The numeric part of a reconnect policy, as {@link backoffDelay} needs it. */
export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  readonly initialDelay: number
  /** Growth per retry (>= 1). */
  readonly factor: number
  /** Upper bound of the un-jittered delay, ms. */
  readonly maxDelay: number
  /** 0 = no jitter, 1 = full jitter (uniform in `[0, d]`). */
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
 * Delay before retry `attempt` (1-based): `d = min(maxDelay, initialDelay * factor^(attempt-1))`
 * scaled by `1 - jitter * random()`. `random` returns a number in [0, 1).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const d = Math.min(policy.maxDelay, policy.initialDelay * policy.factor ** (attempt - 1))
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
