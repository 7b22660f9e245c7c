/**
 * Browser stand-in for `isomorphic-ws`: the browser build aliases `isomorphic-ws` to this file, so
 * it never references `ws`. It exports nothing at import time; the transport reads
 * `globalThis.WebSocket` when a pool is created (SSR-safe).
 */
const NativeWebSocket: undefined = undefined
export default NativeWebSocket
