/**
 * wspool: a client-side WebSocket connection pool for browsers and Node.
 * @packageDocumentation
 */
export { createPool, WebSocketPool } from './pool/pool.js'
export type { AcquireOptions, RequestOptions } from './pool/arguments.js'
export { Lease, type LeaseEvents, type LeaseState } from './pool/lease.js'
export type { PoolEvents, ConnectionRef, EvictReason, DropReason, Unsubscribe } from './pool/events.js'
export { PoolError, type PoolErrorCode, type PoolErrorDetails } from './core/errors.js'
export { defaultShouldReconnect, retryDelay, type CloseInfo, type BackoffPolicy } from './core/backoff.js'
export type {
  PoolOptions, ReconnectOptions, HeartbeatOptions, BufferOptions, BreakerOptions, Codec,
} from './core/options.js'
export type { PoolStats, HostStats, LatencySummary } from './core/stats.js'
export type { SendData, WebSocketLike, WebSocketConstructor } from './core/socket.js'
export { createSharedPool, sharedPoolState, type SharedPoolOptions, type SharedPoolState } from './shared/create-shared-pool.js'
export { serveSharedPool, type WorkerSource } from './shared/worker.js'
