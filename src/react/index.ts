/**
 * wspool/react: React hooks over the public `wspool` API. Imports nothing from the core but the
 * package entry (`wspool`), so an app holds one core whichever entry it imports first.
 * @packageDocumentation
 */
export { PoolProvider, usePool, type PoolProviderProps } from './context.js'
export { useLease, type UseLeaseOptions, type UseLeaseResult, type UseLeaseState } from './use-lease.js'
export { usePoolStats, DEFAULT_STATS_INTERVAL, type UsePoolStatsOptions } from './use-pool-stats.js'
export { useWebSocket, useWebSocket as default, type WebSocketUrl } from './use-websocket.js'
export {
  ReadyState, type Options, type SendMessage, type HeartbeatOptions, type WspoolOptions, type WebSocketHook, type WebSocketView,
} from './websocket-types.js'
